import QCCore

/// Deterministic byte-level mutations: the same seed gives the same inputs, so a figure
/// or a failure can be reproduced exactly. No coverage feedback; instead every mutation
/// kind that real broken files show (bit rot, truncation, spliced exports, absurd
/// numbers, repeated structure) plus each target's own tokens.
struct Mutator {
    private var random: SeededRandom
    let maxLength: Int
    let dictionary: [[UInt8]]

    init(seed: UInt64, maxLength: Int, dictionary: [[UInt8]]) {
        random = SeededRandom(seed: seed)
        self.maxLength = maxLength
        self.dictionary = dictionary
    }

    mutating func next() -> UInt64 { random.next() }

    mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : random.below(bound) }

    private static let interestingBytes: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, 0x0A, 0x0D, 0x20, 0x09, 0x22, 0x2C,
                                                    0x2D, 0x2E, 0x30, 0x39, 0x65, 0x5B, 0x5D, 0x7B, 0x7D, 0x3A, 0xC0, 0xEF]
    private static let interestingWords: [UInt32] = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
                                                     0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF, 100_000, 100_001]
    private static let interestingNumbers: [String] = [
        "0", "-0", "-1", "1e400", "-1e400", "nan", "inf", "1e-400", "4294967296", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "99999999999999999999999", "0.0000000000000000000001",
        "1.7976931348623157e308", "4.9e-324", "2147483648", "100000", "1e22", "1e23", "123456789012345678",
    ]

    /// One to six stacked mutations of `input`; `other` is a second corpus entry for splicing.
    mutating func mutate(_ input: [UInt8], other: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0...below(6) { mutateOnce(&bytes, other: other) }
        if bytes.count > maxLength { bytes.removeLast(bytes.count - maxLength) }
        return bytes
    }

    private mutating func mutateOnce(_ bytes: inout [UInt8], other: [UInt8]) {
        let count = bytes.count
        switch below(14) {
        case 0 where count > 0:   // flip a bit
            bytes[below(count)] ^= UInt8(1) << UInt8(below(8))
        case 1 where count > 0:   // random byte
            bytes[below(count)] = UInt8(truncatingIfNeeded: next())
        case 2 where count > 0:   // interesting byte
            bytes[below(count)] = Self.interestingBytes[below(Self.interestingBytes.count)]
        case 3 where count >= 4:  // interesting 16- or 32-bit value, either byte order
            let value = Self.interestingWords[below(Self.interestingWords.count)]
            let width = below(2) == 0 ? 2 : 4
            let at = below(count - width + 1)
            let bigEndian = below(2) == 0
            for i in 0..<width {
                let shift = bigEndian ? (width - 1 - i) * 8 : i * 8
                bytes[at + i] = UInt8(truncatingIfNeeded: value >> UInt32(shift))
            }
        case 4:                   // insert random bytes
            let insert = (0...below(8)).map { _ in UInt8(truncatingIfNeeded: next()) }
            bytes.insert(contentsOf: insert, at: below(count + 1))
        case 5 where count > 0:   // delete a range
            let at = below(count)
            bytes.removeSubrange(at..<min(count, at + 1 + below(max(1, count / 8))))
        case 6 where count > 1:   // copy a chunk elsewhere
            let at = below(count)
            let chunk = Array(bytes[at..<min(count, at + 1 + below(64))])
            bytes.insert(contentsOf: chunk, at: below(count + 1))
        case 7 where !other.isEmpty:  // splice: head of this, tail of the other
            let head = below(count + 1)
            let tail = below(other.count)
            bytes = Array(bytes[0..<head]) + Array(other[tail...])
        case 8 where count > 0:   // truncate
            bytes.removeLast(count - below(count))
        case 9 where !dictionary.isEmpty:  // a token of the format
            bytes.insert(contentsOf: dictionary[below(dictionary.count)], at: below(count + 1))
        case 10 where count > 0:  // repeat a chunk many times (deep nesting, long lines, many rows)
            let at = below(count)
            let chunk = Array(bytes[at..<min(count, at + 1 + below(16))])
            let times = 1 + below(below(2) == 0 ? 16 : 2000)
            var repeated: [UInt8] = []
            repeated.reserveCapacity(chunk.count * times)
            for _ in 0..<times { repeated += chunk }
            bytes.insert(contentsOf: repeated, at: at)
        case 11 where count > 0:  // nudge a byte
            let at = below(count)
            bytes[at] = bytes[at] &+ UInt8(truncatingIfNeeded: below(35) - 17)
        case 12 where count > 0:  // replace a run of digits with an absurd number
            var at = below(count)
            while at < count && !(bytes[at] >= 0x30 && bytes[at] <= 0x39) { at += 1 }
            guard at < count else { return }
            var end = at
            while end < count && (bytes[end] >= 0x30 && bytes[end] <= 0x39 || bytes[end] == 0x2E) { end += 1 }
            bytes.replaceSubrange(at..<end, with: Array(Self.interestingNumbers[below(Self.interestingNumbers.count)].utf8))
        case 13 where count > 0:  // drop the line or field holding a position
            let at = below(count)
            var start = at, end = at
            while start > 0 && bytes[start - 1] != 0x0A && bytes[start - 1] != 0x2C { start -= 1 }
            while end < count && bytes[end] != 0x0A && bytes[end] != 0x2C { end += 1 }
            bytes.removeSubrange(start..<end)
        default:
            bytes.insert(UInt8(truncatingIfNeeded: next()), at: below(count + 1))
        }
    }
}
