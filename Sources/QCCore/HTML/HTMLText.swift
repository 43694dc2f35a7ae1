import Foundation

/// Escaping for text and attribute values in the generated HTML pages, and for JSON
/// embedded in a `<script>` element (where only `</` can end the element early).
enum HTMLText {
    static func escape(_ s: String) -> String {
        // Byte-wise: the five characters are ASCII, so they never occur inside a multi-byte
        // UTF-8 sequence, and most strings (paths, class names) contain none of them.
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 16)
        for b in s.utf8 {
            switch b {
            case 0x26: out += Array("&amp;".utf8)
            case 0x3C: out += Array("&lt;".utf8)
            case 0x3E: out += Array("&gt;".utf8)
            case 0x22: out += Array("&quot;".utf8)
            case 0x27: out += Array("&#39;".utf8)
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func scriptJSON(_ json: String) -> String {
        json.replacingOccurrences(of: "</", with: "<\\/")
    }

    /// A percentage with three decimals, locale-independent (CSS needs a dot).
    static func percent(_ fraction: Double) -> String {
        let thousandths = Int((min(1, max(0, fraction)) * 100_000).rounded())
        let whole = thousandths / 1000, rest = thousandths % 1000
        return "\(whole).\(rest < 100 ? "0" : "")\(rest < 10 ? "0" : "")\(rest)%"
    }

    /// A number with at most `digits` decimals for SVG attributes.
    static func number(_ x: Double, digits: Int = 1) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let v = (x * scale).rounded() / scale
        return v == v.rounded() ? String(Int(v)) : String(v)
    }
}
