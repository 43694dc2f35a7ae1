/// A small streaming JSON writer: findings.json can hold hundreds of thousands of
/// findings, and Foundation's JSONEncoder neither keeps key order (the contract's
/// readability) nor runs fast enough for that.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]
    private let indentStep: Int
    private var depth = 0

    /// indent 0 writes compact JSON; >0 pretty-prints with that many spaces.
    public init(indent: Int = 0, reserve: Int = 1 << 16) {
        indentStep = indent
        bytes.reserveCapacity(reserve)
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func beginObject() { valuePrefix(); bytes.append(UInt8(ascii: "{")); push() }
    public mutating func endObject() { pop(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { valuePrefix(); bytes.append(UInt8(ascii: "[")); push() }
    public mutating func endArray() { pop(); bytes.append(UInt8(ascii: "]")) }

    /// Writes `"key":` inside an object; the next value call completes the member.
    public mutating func key(_ k: String) {
        separator()
        writeEscaped(k)
        bytes.append(UInt8(ascii: ":"))
        if indentStep > 0 { bytes.append(UInt8(ascii: " ")) }
        pendingMember = true
    }

    public mutating func string(_ s: String) { valuePrefix(); writeEscaped(s) }
    public mutating func bool(_ b: Bool) { valuePrefix(); bytes.append(contentsOf: (b ? "true" : "false").utf8) }
    public mutating func null() { valuePrefix(); bytes.append(contentsOf: "null".utf8) }
    public mutating func int(_ i: Int64) { valuePrefix(); bytes.append(contentsOf: String(i).utf8) }
    public mutating func int(_ i: Int) { int(Int64(i)) }

    /// Non-finite numbers have no JSON form; they are written as null rather than producing invalid JSON.
    public mutating func number(_ d: Double) {
        valuePrefix()
        guard d.isFinite else { bytes.append(contentsOf: "null".utf8); return }
        if d == d.rounded(), abs(d) < 1e15 {
            bytes.append(contentsOf: String(Int64(d)).utf8)
            bytes.append(contentsOf: ".0".utf8)
        } else {
            bytes.append(contentsOf: d.description.utf8)
        }
    }

    /// Writes a number rounded to `digits` decimals (pixel coordinates, scores) so outputs stay readable.
    public mutating func number(_ d: Double, digits: Int) {
        guard d.isFinite else { number(d); return }
        let scale = Self.powersOfTen[min(max(digits, 0), Self.powersOfTen.count - 1)]
        number((d * scale).rounded() / scale)
    }

    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: null()
        case .bool(let b): bool(b)
        case .int(let i): int(i)
        case .number(let d): number(d)
        case .string(let s): string(s)
        case .array(let items):
            beginArray(); for item in items { value(item) }; endArray()
        case .object(let pairs):
            beginObject(); for (k, item) in pairs { key(k); value(item) }; endObject()
        }
    }

    // MARK: - layout

    private static let powersOfTen: [Double] = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]
    private var pendingMember = false

    private mutating func push() { needsComma.append(false); depth += 1 }

    private mutating func pop() {
        let hadItems = needsComma.removeLast()
        depth -= 1
        if hadItems { newline() }
    }

    private mutating func separator() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
        newline()
    }

    private mutating func valuePrefix() {
        if pendingMember { pendingMember = false; return }
        if depth > 0 { separator() }
    }

    private mutating func newline() {
        guard indentStep > 0 else { return }
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * indentStep))
    }

    /// True when one of the eight bytes may be a control character, `"` or `\` (exact
    /// for those, with rare false positives that the byte-wise test then clears).
    @inline(__always)
    static func mayNeedEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
        let control = (word &- 0x2020_2020_2020_2020) & ~word & highs  // a byte < 0x20
        return control != 0 || hasZeroByte(word ^ (0x22 &* ones)) || hasZeroByte(word ^ (0x5C &* ones))
    }

    private mutating func writeEscaped(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            // Runs of bytes that need no escape (nearly all of them) are copied in one go;
            // eight bytes at a time are tested for any that needs one.
            var run = 0
            var i = 0
            while i < utf8.count {
                if i + 8 <= utf8.count {
                    let word = UnsafeRawPointer(utf8.baseAddress! + i).loadUnaligned(as: UInt64.self)
                    if !Self.mayNeedEscape(word) { i += 8; continue }
                }
                let b = utf8[i]
                i += 1
                guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
                let at = i - 1
                if run < at { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<at])) }
                run = at + 1
                switch b {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
                case 0x0A: bytes.append(contentsOf: [92, UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [92, UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [92, UInt8(ascii: "t")])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]])
                }
            }
            if run < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
