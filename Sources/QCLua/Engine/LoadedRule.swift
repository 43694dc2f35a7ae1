import QCCore

/// A rule file loaded into its own sandbox, with the `qc` bindings installed for one
/// run's context. The sandbox lives as long as the rule: its functions are called later.
final class LoadedRule {
    let definition: RuleDefinition
    let sandbox: LuaSandbox
    let invoker: LuaFunctionRef
    /// The context the bindings were installed against; swapped per execution.
    let contextBox: ContextBox

    /// The bindings' closures for the current context, built once per execution
    /// rather than once per call (rules call `qc.image` per image).
    final class ContextBox {
        var context: RuleContext? {
            didSet { functions = context.map { ctx in QCBindings.all.map { $0.make(ctx) } } ?? [] }
        }
        var functions: [NativeFunction] = []
    }

    private init(definition: RuleDefinition, sandbox: LuaSandbox, invoker: LuaFunctionRef, contextBox: ContextBox) {
        self.definition = definition
        self.sandbox = sandbox
        self.invoker = invoker
        self.contextBox = contextBox
    }

    /// `run` is called through this tiny trusted chunk so the rule receives `qc.dataset()`
    /// and `qc.emit` exactly as DESIGN.md's `run(ds, p, emit)` says.
    static let invokerSource = "return function(run, p) return run(qc.dataset(), p, qc.emit) end"

    static func load(source: RuleSource, id: String, pack: RulePack, options: CheckEngine.Options) throws(EngineError) -> LoadedRule {
        let box = ContextBox()
        do {
            let sandbox = try LuaSandbox(limits: options.limits, libDirectory: pack.libDirectories.first,
                                         printSink: options.printSink.map { sink in { line in sink("[\(id)] \(line)") } })
            for (i, binding) in QCBindings.all.enumerated() {
                try sandbox.register(binding.name, { args in
                    guard i < box.functions.count else {
                        return .failure(NativeError(message: "\(binding.name): the dataset is only available inside run()"))
                    }
                    return PhaseTimer.measureSlow("rule \(id) \(binding.name)") { box.functions[i](args) }
                })
            }
            let returned = try sandbox.run(source: source.text, chunkName: source.displayName)
            guard case .table(let table)? = returned.first else {
                throw EngineError.rule(place: source.displayName, message: "must return the rule table (got \(returned.first?.typeName ?? "nothing"))")
            }
            let definition = try RuleDefinition(table: table, source: source, expectedId: id)
            guard case .function(let invoker)? = try sandbox.run(source: invokerSource, chunkName: "qcpass/invoke").first else {
                throw EngineError.rule(place: source.displayName, message: "internal: invoker did not load")
            }
            return LoadedRule(definition: definition, sandbox: sandbox, invoker: invoker, contextBox: box)
        } catch let e as EngineError {
            throw e
        } catch let e as LuaError {
            throw EngineError.rule(place: e.location.map { "\($0.file):\($0.line)" } ?? source.displayName,
                                   message: "does not load: \(e)")
        } catch {
            throw EngineError.rule(place: source.displayName, message: "does not load: \(error)")
        }
    }

    func execute(context: RuleContext, params: [(name: String, value: LuaValue)]) -> CheckResult {
        contextBox.context = context
        defer { contextBox.context = nil }
        let d = definition
        var result = CheckResult(id: d.id, title: d.title, status: .pass, message: "")
        result.ruleFile = d.source.displayName
        let p = LuaValue.table(LuaTable(array: [], fields: params.map { (LuaKey.string($0.name), $0.value) }))
        let returned: [LuaValue]
        do {
            returned = try sandbox.call(invoker, [.function(d.run), p])
        } catch {
            result.status = .error
            result.message = "rule \(d.id) failed: \(error)"
            if let loc = error.location { result.errorPlace = "\(loc.file):\(loc.line)" }
            result.traceback = error.traceback
            return result
        }
        var explicit: CheckResult.Status?
        if case .table(let t)? = returned.first {
            if let s = t["status"] {
                guard case .string(let name) = s, let st = CheckResult.Status(rawValue: name), st != .exception else {
                    result.status = .error
                    result.message = "rule \(d.id) returned status \(s) (expected pass|warn|fail|skipped|error)"
                    result.errorPlace = d.source.displayName
                    return result
                }
                explicit = st
            }
            if case .string(let m)? = t["message"] { result.message = m }
            if let m = t["metrics"] { result.metrics = JSONValue(lua: m) }
        } else if let first = returned.first, first != .nil {
            result.status = .error
            result.message = "rule \(d.id): run must return a table or nil (got \(first.typeName))"
            result.errorPlace = d.source.displayName
            return result
        }
        result.status = explicit ?? Self.status(for: context.worstSeverity)
        if result.message.isEmpty {
            result.message = context.findings.isEmpty ? "no findings" : "\(context.findings.count) findings"
        }
        return result
    }

    static func status(for severity: Finding.Severity?) -> CheckResult.Status {
        switch severity {
        case .error?: return .fail
        case .warning?: return .warn
        default: return .pass
        }
    }
}

extension LuaError {
    var traceback: String? {
        switch self {
        case let .runtime(_, tb), let .memoryLimit(_, tb), let .timeLimit(_, tb): return tb.isEmpty ? nil : tb
        default: return nil
        }
    }
}
