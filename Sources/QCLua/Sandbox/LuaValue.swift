/// A Lua value copied into Swift. Tables are copied (no identity, no metatables);
/// functions stay in Lua and are held by reference.
///
/// Not `indirect`: LuaTable's arrays already give the recursion its indirection, and an
/// indirect enum would heap-allocate a box for every `.int` crossing the bridge.
public enum LuaValue: Sendable, Equatable {
    case `nil`
    case bool(Bool)
    case int(Int64)
    case number(Double)
    case string(String)
    case table(LuaTable)
    case function(LuaFunctionRef)
    /// A table already written in the bridge's tape format by `LuaTapeBuilder`: only ever
    /// passed from Swift to Lua (values read back from Lua are always `.table`).
    case encoded(EncodedLua)
}

/// One value in the bridge's tape format (see `LuaTapeBuilder`).
public struct EncodedLua: Sendable, Equatable {
    let bytes: [UInt8]
}

/// A table split the way Lua code uses it: the sequence 1...n, then every other key.
public struct LuaTable: Sendable, Equatable {
    /// Values at keys 1...n, n being the longest run without a hole.
    public var array: [LuaValue]
    /// Every other key, in insertion order (from Swift) or Lua's `next` order (from Lua).
    public var fields: [(key: LuaKey, value: LuaValue)]

    public init(array: [LuaValue] = [], fields: [(LuaKey, LuaValue)] = []) {
        self.array = array
        self.fields = fields.map { (key: $0.0, value: $0.1) }
    }

    /// The value of string key `key` in `fields` (linear search: tables from rules are small).
    public subscript(_ key: String) -> LuaValue? {
        for field in fields { if case .string(key) = field.key { return field.value } }
        return nil
    }

    /// The value at integer key `index`, from `array` or `fields`.
    public subscript(index index: Int64) -> LuaValue? {
        if index >= 1, index <= Int64(array.count) { return array[Int(index - 1)] }
        for field in fields { if case .int(index) = field.key { return field.value } }
        return nil
    }

    public var isEmpty: Bool { array.isEmpty && fields.isEmpty }

    /// Fields compare as a map: Lua does not keep key order, so round trips may reorder them.
    public static func == (lhs: LuaTable, rhs: LuaTable) -> Bool {
        guard lhs.array == rhs.array, lhs.fields.count == rhs.fields.count else { return false }
        if lhs.fields.isEmpty { return true }
        var right: [LuaKey: LuaValue] = [:]
        for field in rhs.fields { right[field.key] = field.value }
        guard right.count == rhs.fields.count else { return false }
        for field in lhs.fields {
            guard let other = right[field.key], other == field.value else { return false }
        }
        return true
    }
}

/// A table key Swift can represent. A float key with an integral value arrives as `.int`
/// (Lua itself normalises those); other keys (booleans, tables, 1.5) are refused on decode.
public enum LuaKey: Sendable, Hashable {
    case string(String)
    case int(Int64)
}

/// A Lua function kept alive in its sandbox's registry. The same function always yields
/// the same reference, so equal references mean the same function.
public struct LuaFunctionRef: Sendable, Hashable, CustomStringConvertible {
    /// The sandbox that owns the function; calling it through another sandbox is refused.
    public let sandboxID: UInt64
    let ref: Int32

    init(sandboxID: UInt64, ref: Int32) {
        self.sandboxID = sandboxID
        self.ref = ref
    }

    public var description: String { "function #\(ref)" }
}

extension LuaValue {
    public var asString: String? { if case .string(let s) = self { return s } else { return nil } }
    /// Integers and floats.
    public var asDouble: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }
    /// Integers, and floats with an exact integer value (Lua's own conversion rule).
    public var asInt: Int64? {
        switch self {
        case .int(let i): return i
        case .number(let d): return Int64(exactly: d)
        default: return nil
        }
    }
    public var asBool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var asTable: LuaTable? { if case .table(let t) = self { return t } else { return nil } }
    public var asFunction: LuaFunctionRef? { if case .function(let f) = self { return f } else { return nil } }
    public var isNil: Bool { if case .nil = self { return true } else { return false } }
    /// Lua's truthiness: everything but nil and false.
    public var isTruthy: Bool {
        switch self {
        case .nil, .bool(false): return false
        default: return true
        }
    }

    /// Lua's `type()` name.
    public var typeName: String {
        switch self {
        case .nil: return "nil"
        case .bool: return "boolean"
        case .int, .number: return "number"
        case .string: return "string"
        case .table, .encoded: return "table"
        case .function: return "function"
        }
    }
}

extension LuaValue: CustomStringConvertible {
    /// Lua-literal-like, shortened: for messages, not for parsing.
    public var description: String { describe(depth: 0) }

    private func describe(depth: Int) -> String {
        switch self {
        case .nil: return "nil"
        case .bool(let b): return String(b)
        case .int(let i): return String(i)
        case .number(let d):
            if d.isNaN { return "nan" }
            if d.isInfinite { return d > 0 ? "inf" : "-inf" }
            if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + ".0" } // as Lua prints 2.0
            return String(d)
        case .string(let s):
            let short = s.count > 80 ? String(s.prefix(77)) + "..." : s
            return "\"" + short.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .function(let f): return f.description
        case .encoded(let e): return "{\(e.bytes.count) encoded bytes}"
        case .table(let t):
            if depth >= 2 { return "{...}" }
            var parts = t.array.prefix(8).map { $0.describe(depth: depth + 1) }
            for field in t.fields.prefix(max(0, 8 - parts.count)) {
                let key: String
                switch field.key {
                case .string(let s): key = s
                case .int(let i): key = "[\(i)]"
                }
                parts.append("\(key) = \(field.value.describe(depth: depth + 1))")
            }
            if t.array.count + t.fields.count > parts.count { parts.append("...") }
            return "{" + parts.joined(separator: ", ") + "}"
        }
    }
}

extension LuaValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: LuaValue...) { self = .table(LuaTable(array: elements)) }
    /// String keys, in the order written.
    public init(dictionaryLiteral elements: (String, LuaValue)...) {
        self = .table(LuaTable(fields: elements.map { (.string($0.0), $0.1) }))
    }
}
