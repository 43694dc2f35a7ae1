/// A 128-bit content hash (xxh3-128 of a file's bytes), kept as two integers so caches
/// and duplicate grouping compare it without building strings.
public struct ContentDigest: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// 32 lowercase hex digits, the canonical form `xxh128sum` prints.
    public var hex: String { ContentHash.hex(high) + ContentHash.hex(low) }

    /// Parses `hex`; nil unless exactly 32 hex digits.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 32 else { return nil }
        func value(_ slice: ArraySlice<UInt8>) -> UInt64? {
            var out: UInt64 = 0
            for digit in slice {
                let nibble: UInt8
                switch digit {
                case 48...57: nibble = digit - 48
                case 97...102: nibble = digit - 87
                case 65...70: nibble = digit - 55
                default: return nil
                }
                out = out << 4 | UInt64(nibble)
            }
            return out
        }
        guard let high = value(digits[0..<16]), let low = value(digits[16..<32]) else { return nil }
        self.init(high: high, low: low)
    }

    public var description: String { hex }

    public static func < (a: ContentDigest, b: ContentDigest) -> Bool {
        (a.high, a.low) < (b.high, b.low)
    }
}
