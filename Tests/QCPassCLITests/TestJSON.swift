import Foundation

/// A strict little JSON reader for the tests, returning plain Swift values (NSNull,
/// Bool, Int, Double, String, [Any], [String: Any]) so type checks are exact on every
/// platform (Foundation's JSONSerialization folds booleans into numbers on some).
enum TestJSON {
    struct ParseError: Error, CustomStringConvertible { var description: String }

    static func parse(_ data: Data) throws -> Any {
        var p = Parser(bytes: [UInt8](data))
        p.skipSpace()
        let v = try p.value()
        p.skipSpace()
        guard p.i == p.bytes.count else { throw ParseError(description: "trailing bytes at \(p.i)") }
        return v
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
        }

        mutating func expect(_ s: String) throws {
            for b in s.utf8 {
                guard i < bytes.count, bytes[i] == b else { throw ParseError(description: "expected \(s) at \(i)") }
                i += 1
            }
        }

        mutating func value() throws -> Any {
            guard i < bytes.count else { throw ParseError(description: "unexpected end") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1; var obj: [String: Any] = [:]
                skipSpace()
                if bytes[i] == UInt8(ascii: "}") { i += 1; return obj }
                while true {
                    skipSpace(); let k = try string(); skipSpace(); try expect(":"); skipSpace()
                    guard obj[k] == nil else { throw ParseError(description: "duplicate key \(k)") }
                    obj[k] = try value(); skipSpace()
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    try expect("}"); return obj
                }
            case UInt8(ascii: "["):
                i += 1; var arr: [Any] = []
                skipSpace()
                if bytes[i] == UInt8(ascii: "]") { i += 1; return arr }
                while true {
                    skipSpace(); arr.append(try value()); skipSpace()
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    try expect("]"); return arr
                }
            case UInt8(ascii: "\""): return try string()
            case UInt8(ascii: "t"): try expect("true"); return true
            case UInt8(ascii: "f"): try expect("false"); return false
            case UInt8(ascii: "n"): try expect("null"); return NSNull()
            default:
                let start = i
                var isDouble = false
                while i < bytes.count, "-+0123456789.eE".utf8.contains(bytes[i]) {
                    if "eE.".utf8.contains(bytes[i]) { isDouble = true }
                    i += 1
                }
                let text = String(decoding: bytes[start..<i], as: UTF8.self)
                if !isDouble, let n = Int(text) { return n }
                guard let d = Double(text) else { throw ParseError(description: "bad number \(text) at \(start)") }
                return d
            }
        }

        mutating func string() throws -> String {
            try expect("\"")
            var out: [UInt8] = []
            while i < bytes.count {
                let b = bytes[i]; i += 1
                if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                guard b >= 0x20 else { throw ParseError(description: "control byte in string at \(i)") }
                if b != UInt8(ascii: "\\") { out.append(b); continue }
                let e = bytes[i]; i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    let hex = String(decoding: bytes[i..<i + 4], as: UTF8.self); i += 4
                    guard let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                        throw ParseError(description: "bad escape \\u\(hex)")
                    }
                    out += Array(String(Character(scalar)).utf8)
                default: out.append(e)
                }
            }
            throw ParseError(description: "unterminated string")
        }
    }
}
