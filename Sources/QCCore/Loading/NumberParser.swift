#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decimal text → Double without allocating: label files hold ~10 numbers a line and a
/// COCO-sized set has a million lines, so `Double(String)` per token would dominate.
///
/// Fast path (Clinger): up to 19 significant digits with a power of ten ≤ 22 is exact in
/// double arithmetic. Anything else (long mantissas, big exponents) goes to strtod on a
/// stack copy, so results are always correctly rounded.
enum NumberParser {
    enum Outcome: Equatable {
        case value(Double)
        /// Not decimal number syntax ("abc", "1,5", "0x10", "").
        case notNumber
        /// nan/inf spelled out, or a literal too large for a double ("1e400").
        case nonFinite
    }

    /// 10^exponent for 0...22, all exact doubles. A switch (compiled to a constant table)
    /// rather than a global array: no lazy-initialisation check per number.
    @inline(__always)
    private static func powerOfTen(_ exponent: Int) -> Double {
        switch exponent {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    /// The shape nearly every number in a label or predictions file has, read straight from
    /// the line: an optional sign, at most 19 digits around an optional point, then a field
    /// delimiter (space, tab, \v, \f, \n, \r) or the end of the text. Returns the value and
    /// the delimiter's offset, or nil for anything else (exponents, long mantissas, words,
    /// bad syntax), which the caller tokenises and hands to `parse`. A value returned here is
    /// bit for bit what `parse` gives the same token: with ≤ 19 digits no digit is dropped, and
    /// the same exact division by a power of ten ≤ 10^19 is done. It saves the line parser a
    /// second pass over each token and the general path's per-digit bookkeeping.
    @inline(__always)
    static func scanPlainDecimal(_ text: UnsafeRawBufferPointer, from start: Int) -> (value: Double, next: Int)? {
        let end = text.count
        var index = start
        var negative = false
        let first = text[index]
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: UInt64 = 0
        var digitCount = appendDigits(text, at: &index, to: &mantissa)
        var fractionDigits = 0
        if index < end && text[index] == UInt8(ascii: ".") {
            index += 1
            fractionDigits = appendDigits(text, at: &index, to: &mantissa)
            digitCount += fractionDigits
        }
        // 19 digits cannot overflow UInt64; more go to the general path, which rounds them.
        guard digitCount > 0, digitCount <= 19 else { return nil }
        if index < end {
            let byte = text[index]
            guard byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C else { return nil }
        }
        if mantissa == 0 { return (negative ? -0.0 : 0.0, index) }
        guard mantissa < (1 << 53) else { return nil }
        let value = Double(mantissa) / powerOfTen(fractionDigits)
        return (negative ? -value : value, index)
    }

    /// Appends the run of digits at `index` to `mantissa` (wrapping: the caller bounds the
    /// count) and moves `index` past it; returns how many digits there were.
    @inline(__always)
    private static func appendDigits(_ text: UnsafeRawBufferPointer, at index: inout Int, to mantissa: inout UInt64) -> Int {
        let start = index
        while index < text.count {
            let digit = text[index] &- 0x30
            if digit >= 10 { break }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            index += 1
        }
        return index - start
    }

    static func parse(_ text: UnsafeRawBufferPointer) -> Outcome {
        let end = text.count
        var index = 0
        guard end > 0 else { return .notNumber }
        var negative = false
        if text[0] == UInt8(ascii: "-") || text[0] == UInt8(ascii: "+") {
            negative = text[0] == UInt8(ascii: "-")
            index = 1
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var sawDigit = false
        var inexact = false
        while index < end, isDigit(text[index]) {
            let digit = UInt64(text[index] &- 0x30)
            sawDigit = true
            if mantissa == 0 && digit == 0 {
                // leading zero
            } else if significant < 19 {
                mantissa = mantissa &* 10 &+ digit
                significant += 1
            } else {
                exponent += 1
                if digit != 0 { inexact = true }
            }
            index += 1
        }
        if index < end && text[index] == UInt8(ascii: ".") {
            index += 1
            while index < end, isDigit(text[index]) {
                let digit = UInt64(text[index] &- 0x30)
                sawDigit = true
                if mantissa == 0 && digit == 0 {
                    exponent -= 1
                } else if significant < 19 {
                    mantissa = mantissa &* 10 &+ digit
                    significant += 1
                    exponent -= 1
                } else if digit != 0 {
                    inexact = true
                }
                index += 1
            }
        }
        guard sawDigit else { return spelledNonFinite(text, from: negative || text[0] == UInt8(ascii: "+") ? 1 : 0) }
        if index < end && (text[index] | 0x20) == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < end && (text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+")) {
                exponentNegative = text[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < end, isDigit(text[index]) else { return .notNumber }
            var written = 0
            while index < end, isDigit(text[index]) {
                if written < 100_000 { written = written * 10 + Int(text[index] &- 0x30) }
                index += 1
            }
            exponent += exponentNegative ? -written : written
        }
        guard index == end else { return .notNumber }
        if mantissa == 0 { return .value(negative ? -0.0 : 0.0) }
        if !inexact && mantissa < (1 << 53) && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / powerOfTen(-exponent) : value * powerOfTen(exponent)
            return .value(negative ? -value : value)
        }
        return slowPath(text)
    }

    private static func slowPath(_ text: UnsafeRawBufferPointer) -> Outcome {
        let value: Double = withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buffer in
            for (offset, byte) in text.enumerated() { buffer[offset] = CChar(bitPattern: byte) }
            buffer[text.count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
        return value.isFinite ? .value(value) : .nonFinite
    }

    /// "nan", "inf", "infinity" in any case (after the sign) are non-finite; other letters are not numbers.
    private static func spelledNonFinite(_ text: UnsafeRawBufferPointer, from start: Int) -> Outcome {
        let word = text[start...].map { $0 | 0x20 }
        if word.elementsEqual("nan".utf8) || word.elementsEqual("inf".utf8) || word.elementsEqual("infinity".utf8) {
            return .nonFinite
        }
        return .notNumber
    }

    static func parse(_ string: String) -> Outcome {
        var copy = string
        return copy.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }
}
