import QCCore

/// The `qc` module every rule sees. Each binding carries its own documentation, from
/// which docs/lua-api.md is rendered (a test keeps the two equal), so the reference
/// cannot drift from the code.
public struct Binding {
    public let name: String
    public let signature: String
    public let doc: String
    let make: (RuleContext) -> NativeFunction
}

public enum QCBindings {
    public static var all: [Binding] {
        DatasetBindings.all + AnalysisBindings.all + LabelCheckBindings.all + GeometryBindings.all + StatsBindings.all
            + HashBindings.all + AuditBindings.all + SplitBindings.all + FixBindings.all
    }

    public static func install(in sandbox: LuaSandbox, context: RuleContext) throws(LuaError) {
        for binding in all {
            try sandbox.register(binding.name, binding.make(context))
        }
    }

    /// docs/lua-api.md, generated from the bindings.
    public static func markdownReference() -> String {
        var out = """
        # The `qc` Lua API

        Every rule runs in its own sandboxed Lua 5.4 state (base, table, string, math and
        utf8 libraries; `require` loads only from the pack's `lib/`). A rule file returns
        `{ id, title, description, params, examples, run }`; qcpass calls
        `run(ds, p, emit)` where `ds` is `qc.dataset()`, `p` the params with the project's
        overrides applied, and `emit` is `qc.emit`. Bulk work is native: ask `qc` for
        histograms, geometry and statistics rather than looping over pixels.

        Boxes are `{ class_id, class, xyxy = {x1, y1, x2, y2}, ref, crowd }` in pixels of the
        displayed image; `ref` is the place of the label (`labels/train/x.txt:3`,
        `annotations/instances_val.json#id=5531`). Images are 1-based indexes or tables from
        `qc.image`.

        This file is generated from the bindings (`qcpass rules --lua-api`); a test checks it.

        """
        for b in all {
            out += "\n## `\(b.signature)`\n\n\(b.doc)\n"
        }
        return out
    }

    // MARK: - argument helpers shared by the binding files

    static func table(_ args: [LuaValue], _ i: Int, _ fn: String, optional: Bool = false) -> Result<LuaTable?, NativeError> {
        let v = i < args.count ? args[i] : .nil
        if case .table(let t) = v { return .success(t) }
        if optional, case .nil = v { return .success(nil) }
        return .failure(.badArgument(i + 1, function: fn, expected: "table", got: v))
    }

    static func number(_ args: [LuaValue], _ i: Int, _ fn: String) -> Result<Double, NativeError> {
        let v = i < args.count ? args[i] : .nil
        if let d = v.asDouble { return .success(d) }
        return .failure(.badArgument(i + 1, function: fn, expected: "number", got: v))
    }

    static func integer(_ args: [LuaValue], _ i: Int, _ fn: String) -> Result<Int, NativeError> {
        let v = i < args.count ? args[i] : .nil
        if let n = v.asInt { return .success(Int(n)) }
        return .failure(.badArgument(i + 1, function: fn, expected: "integer", got: v))
    }

    /// A box argument: a box table (`xyxy` field) or a plain `{x1, y1, x2, y2}` list.
    static func box(_ args: [LuaValue], _ i: Int, _ fn: String) -> Result<(Double, Double, Double, Double), NativeError> {
        let v = i < args.count ? args[i] : .nil
        var list: [LuaValue]?
        if case .table(let t) = v {
            if case .table(let inner)? = t["xyxy"] { list = inner.array } else { list = t.array }
        }
        if let l = list, l.count == 4, let a = l[0].asDouble, let b = l[1].asDouble,
           let c = l[2].asDouble, let d = l[3].asDouble {
            return .success((a, b, c, d))
        }
        return .failure(.badArgument(i + 1, function: fn, expected: "box ({x1,y1,x2,y2} or {xyxy=…})", got: v))
    }

    /// A list of numbers (statistics input); non-numbers are an error, not skipped.
    static func numbers(_ args: [LuaValue], _ i: Int, _ fn: String) -> Result<[Double], NativeError> {
        let v = i < args.count ? args[i] : .nil
        guard case .table(let t) = v else { return .failure(.badArgument(i + 1, function: fn, expected: "list of numbers", got: v)) }
        var out: [Double] = []
        out.reserveCapacity(t.array.count)
        for (j, item) in t.array.enumerated() {
            guard let d = item.asDouble else {
                return .failure(NativeError(message: "bad argument #\(i + 1) to '\(fn)' (item \(j + 1) is a \(item.typeName), not a number)"))
            }
            out.append(d)
        }
        return .success(out)
    }
}
