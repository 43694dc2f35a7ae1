import Foundation

/// Escaping for text and attribute values in the generated HTML pages, and for JSON
/// embedded in a `<script>` element (where only `</` can end the element early).
enum HTMLText {
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
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
