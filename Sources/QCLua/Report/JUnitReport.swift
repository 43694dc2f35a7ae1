import QCCore

/// `--junit FILE`: one test case per check, so CI systems show each check as a test —
/// fail/error as failures with the check's message, skipped as skipped.
public enum JUnitReport {
    public static func render(_ doc: FindingsDocument, strict: Bool) -> String {
        let failing: (CheckResult.Status) -> Bool = { $0 == .fail || (strict && $0 == .warn) }
        let failures = doc.checks.filter { failing($0.status) }.count
        let errors = doc.checks.filter { $0.status == .error }.count
        let skipped = doc.checks.filter { $0.status == .skipped }.count
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<testsuites name=\"qcpass\" tests=\"\(doc.checks.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\">\n"
        x += "  <testsuite name=\"qcpass \(escape(doc.datasetName))\" tests=\"\(doc.checks.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\">\n"
        for c in doc.checks {
            x += "    <testcase classname=\"qcpass.\(escape(doc.datasetName))\" name=\"\(escape(c.id))\">\n"
            let findings = doc.findings.filter { $0.check == c.id && $0.exception == nil && !$0.inBaseline }
            let body = findings.prefix(20).map { f in
                "\(f.box?.ref ?? f.ref ?? f.image ?? "dataset"): [\(f.kind)] \(f.message)"
            }.joined(separator: "\n") + (findings.count > 20 ? "\n… \(findings.count - 20) more in findings.json" : "")
            switch c.status {
            case .error:
                x += "      <error message=\"\(escape(c.message))\" type=\"rule_error\">\(escape([c.errorPlace, c.traceback].compactMap { $0 }.joined(separator: "\n")))</error>\n"
            case .skipped:
                x += "      <skipped message=\"\(escape(c.message))\"/>\n"
            case let s where failing(s):
                x += "      <failure message=\"\(escape(c.message))\" type=\"\(s.rawValue)\">\(escape(body))</failure>\n"
            default:
                let note = c.exception.map { "exception: \($0)" } ?? c.message
                x += "      <system-out>\(escape(c.status.rawValue + ": " + note))</system-out>\n"
            }
            x += "    </testcase>\n"
        }
        x += "  </testsuite>\n</testsuites>\n"
        return x
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t", "\r": out.unicodeScalars.append(ch)
            default:
                // XML 1.0 cannot carry other control characters, even escaped.
                if ch.value < 0x20 || (0xFFFE...0xFFFF).contains(ch.value) { out += "?" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }
}
