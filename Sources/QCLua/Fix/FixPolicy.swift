import Foundation
import QCCore

/// Runs the pack's fix policy (`fix/policy.lua`) and turns what it emits into planned
/// fixes. Its params are set as `params.fix` in qcpass.lua and listed by `qcpass rules`.
public enum FixPolicy {
    public static let ruleId = "fix"
    public static let relativePath = "fix/policy.lua"
    static let actions: Set<String> = ["drop_image", "drop_label", "clip_box", "set_class", "drop_label_file", "remap_classes"]

    public struct Outcome {
        public var fixes: [PlannedFix]
        public var params: [(String, JSONValue)]
        public var message: String
    }

    public static func decide(dataset: Dataset, groupKeys: [String?], pack: RulePack, config: ProjectConfig,
                              inputs: FixInputs, options: CheckEngine.Options) throws(EngineError) -> Outcome {
        guard let source = pack.fixPolicy else {
            throw EngineError.config(place: "rules", message: "the rule pack has no \(relativePath) to choose the fixes")
        }
        let rule = try LoadedRule.load(source: source, id: ruleId, pack: pack, options: options)
        let params = try ParamResolver.resolve(rules: [rule], config: config, knownIds: pack.configurableIds)[ruleId] ?? []
        let data = RunData(dataset: dataset, groupKeys: groupKeys, today: options.today)
        let context = RuleContext(data: data, checkId: ruleId, severityOverrides: [:], disabledKinds: [], cap: Int.max)
        context.fixInputs = inputs
        let result = rule.execute(context: context, params: params)
        if result.status == .error {
            throw EngineError.rule(place: result.errorPlace ?? source.displayName, message: result.message)
        }
        let byId = Dictionary(inputs.findings.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var fixes: [PlannedFix] = []
        for f in context.findings {
            guard actions.contains(f.kind) else {
                throw EngineError.rule(place: source.displayName, message: "emitted '\(f.kind)', not a fix action (known: \(actions.sorted().joined(separator: ", ")))")
            }
            var cause = PlannedFix.Cause()
            if case .string(let id)? = f.suggestion?["finding"] {
                cause.findingId = id
                cause.check = byId[id]?.check
                cause.kind = byId[id]?.kind
            }
            if case .string(let place)? = f.suggestion?["audit"] { cause.place = place }
            if case .string(let option)? = f.suggestion?["option"] { cause.place = option }
            let ref = f.ref ?? f.box?.ref
            func need(_ value: String?, _ what: String) throws(EngineError) -> String {
                guard let value else { throw EngineError.rule(place: source.displayName, message: "\(f.kind) needs \(what)") }
                return value
            }
            let action: PlannedFix.Action
            switch f.kind {
            case "drop_image": action = .dropImage(try need(f.image, "an image"))
            case "drop_label": action = .dropLabel(try need(ref, "a ref"))
            case "clip_box": action = .clipBox(try need(ref, "a ref"))
            case "drop_label_file": action = .dropLabelFile(try need(ref, "a ref"))
            case "set_class":
                guard case .string(let name)? = f.suggestion?["class"], let id = classId(name, in: dataset) else {
                    throw EngineError.config(place: cause.place ?? source.displayName,
                                             message: "set_class: '\(f.suggestion?["class"].map { "\($0)" } ?? "nil")' is not a class of the dataset (known: \(dataset.classIds.map { dataset.className($0) }.joined(separator: ", ")))")
                }
                action = .setClass(try need(ref, "a ref"), classId: id)
            default:
                guard case .object(let pairs)? = f.suggestion?["map"] else {
                    throw EngineError.rule(place: source.displayName, message: "remap_classes needs suggestion.map = { A = \"B\" }")
                }
                var map: [Int: Int] = [:]
                for (from, to) in pairs {
                    guard case .string(let target) = to, let a = classId(from, in: dataset), let b = classId(target, in: dataset) else {
                        throw EngineError.config(place: cause.place ?? source.displayName,
                                                 message: "remap \(from)=\(to): both sides must be classes of the dataset (known: \(dataset.classIds.map { dataset.className($0) }.joined(separator: ", ")))")
                    }
                    map[a] = b
                }
                action = .remapClasses(map)
            }
            fixes.append(PlannedFix(action: action, cause: cause, reason: f.message))
        }
        return Outcome(fixes: fixes, params: params.map { ($0.name, JSONValue(lua: $0.value)) }, message: result.message)
    }

    /// A class name, or a numeric id the dataset knows.
    static func classId(_ text: String, in ds: Dataset) -> Int? {
        if let id = ds.classNames.first(where: { $0.value == text })?.key { return id }
        if let n = Int(text), ds.classNames[n] != nil { return n }
        return nil
    }
}
