/// Writes one Lua value straight into the bridge's tape format (ValueTape.swift), for
/// bindings that return 10⁴+ records: a tree of `LuaValue`s costs an allocation per table
/// and per field list, then a second walk to encode it — most of the time a rule spent
/// receiving its candidates. The result travels as `LuaValue.encoded` and is copied into
/// the tape as is; the bridge's C reader still checks its structure and depth.
///
/// Usage: `table(array:fields:)`, then for each array element `item()` and a value, for
/// each field `key(_:)` and a value, then `end()`. The counts only size the new table.
struct LuaTapeBuilder {
    private(set) var bytes: [UInt8] = []

    init(reserve: Int = 0) { bytes.reserveCapacity(reserve) }

    mutating func table(array: Int, fields: Int) {
        op(.table)
        raw(UInt32(truncatingIfNeeded: array))
        raw(UInt32(truncatingIfNeeded: fields))
    }

    mutating func end() { op(.end) }
    mutating func item() { op(.item) }

    mutating func key(_ name: StaticString) {
        op(.keyString)
        raw(UInt32(name.utf8CodeUnitCount))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }

    mutating func int(_ value: Int) {
        op(.int)
        raw(Int64(value))
    }

    mutating func number(_ value: Double) {
        op(.number)
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }

    mutating func bool(_ value: Bool) { op(value ? .true : .false) }

    mutating func string(_ value: String) {
        op(.string)
        var text = value
        text.withUTF8 { utf8 in
            raw(UInt32(truncatingIfNeeded: utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// `{x1, y1, x2, y2}`.
    mutating func xyxy(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) {
        table(array: 4, fields: 0)
        item(); number(x1)
        item(); number(y1)
        item(); number(x2)
        item(); number(y2)
        end()
    }

    var value: LuaValue { .encoded(EncodedLua(bytes: bytes)) }

    private mutating func op(_ code: TapeOp) { bytes.append(code.rawValue) }

    private mutating func raw<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v) { bytes.append(contentsOf: $0) }
    }
}
