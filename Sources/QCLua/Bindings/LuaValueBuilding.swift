import QCCore

/// Small constructors that keep the bindings readable.
extension LuaValue {
    static func str(_ s: String) -> LuaValue { .string(s) }
    static func num(_ d: Double) -> LuaValue { .number(d) }
    static func integer(_ i: Int) -> LuaValue { .int(Int64(i)) }
    static func list(_ items: [LuaValue]) -> LuaValue { .table(LuaTable(array: items)) }
    static func record(_ pairs: [(String, LuaValue)]) -> LuaValue {
        .table(LuaTable(array: [], fields: pairs.map { (LuaKey.string($0.0), $0.1) }))
    }
    static func xyxy(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> LuaValue {
        .list([.number(a), .number(b), .number(c), .number(d)])
    }
    static func numbers(_ values: [Double]) -> LuaValue { .list(values.map { .number($0) }) }
}

extension JSONValue {
    /// Lua → JSON for metrics and suggestions: integer keys become strings, a list stays a list.
    init(lua value: LuaValue, depth: Int = 0) {
        guard depth < 32 else { self = .null; return }
        switch value {
        case .nil, .function: self = .null
        // Never read back from Lua (decoding yields `.table`); nothing to convert.
        case .encoded: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .number(let d): self = .number(d)
        case .string(let s): self = .string(s)
        case .table(let t):
            if t.fields.isEmpty && !t.array.isEmpty {
                self = .array(t.array.map { JSONValue(lua: $0, depth: depth + 1) })
            } else {
                let pairs: [(String, JSONValue)] = t.array.enumerated().map { ("\($0.offset + 1)", JSONValue(lua: $0.element, depth: depth + 1)) }
                // Lua's hash order changes from run to run (its string hashes are seeded
                // per state), so keys are sorted: the same dataset gives the same bytes.
                var named: [(String, JSONValue)] = []
                for (k, v) in t.fields {
                    let key: String
                    switch k { case .string(let s): key = s; case .int(let i): key = String(i) }
                    named.append((key, JSONValue(lua: v, depth: depth + 1)))
                }
                named.sort { $0.0 < $1.0 }
                self = .object(pairs + named)
            }
        }
    }
}
