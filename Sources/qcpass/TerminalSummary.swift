import Foundation
import QCCore
import QCLua

/// The terminal summary: one line per check, the class histogram as bars, the images
/// most worth a look, and the verdict with where the outputs went.
enum TerminalSummary {
    static func render(_ r: CheckPipeline.Result, outDir: String, color: Bool) -> String {
        let doc = r.document
        func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
        func statusColor(_ s: CheckResult.Status) -> String {
            switch s {
            case .pass: return "32"
            case .warn, .exception: return "33"
            case .fail, .error: return "31"
            case .skipped: return "90"
            }
        }
        var lines: [String] = []
        let bgShare = doc.images > 0 ? Double(doc.backgroundImages) / Double(doc.images) * 100 : 0
        lines.append("qcpass \(CheckPipeline.version) · \(doc.datasetName) (\(doc.datasetFormat)): \(doc.images) images, \(doc.labels) labels, \(doc.backgroundImages) background (\(String(format: "%.1f", bgShare))%)")
        lines.append("")
        let idWidth = max(14, doc.checks.map(\.id.count).max() ?? 0)
        for c in doc.checks {
            let count = doc.findings.lazy.filter { $0.check == c.id }.count
            let status = paint(c.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0), statusColor(c.status))
            var msg = c.message
            if let e = c.exception { msg += " (exception: \(e))" }
            if let place = c.errorPlace, c.status == .error { msg += " [\(place)]" }
            let findings = count > 0 ? "\(count) finding\(count == 1 ? "" : "s") · " : ""
            lines.append("  \(c.id.padding(toLength: idWidth, withPad: " ", startingAt: 0))  \(status) \(findings)\(msg)")
        }
        if !doc.perClass.isEmpty {
            lines.append("")
            lines.append("Class instances")
            let maxCount = max(1, doc.perClass.map(\.instances).max() ?? 1)
            let nameWidth = min(24, doc.perClass.map(\.name.count).max() ?? 0)
            let shown = doc.perClass.count > 30
                ? Array(doc.perClass.sorted { $0.instances > $1.instances }.prefix(30)) : doc.perClass
            for c in shown {
                let width = c.instances == 0 ? 0 : max(1, Int((Double(c.instances) / Double(maxCount) * 30).rounded()))
                let bar = String(repeating: "█", count: width)
                lines.append("  \(c.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)) \(bar) \(c.instances)")
            }
            if shown.count < doc.perClass.count { lines.append("  … \(doc.perClass.count - shown.count) more classes") }
        }
        let top = TopImages.rank(doc.findings, limit: 5)
        if !top.isEmpty {
            lines.append("")
            lines.append("Images to look at first")
            for t in top {
                lines.append("  \(String(format: "%.2f", t.score))  \(t.image)  \(t.kinds.joined(separator: ", "))")
            }
        }
        lines.append("")
        let blocking = doc.checks.filter { $0.status == .fail || $0.status == .error }.map(\.id)
        if r.outcome.hadRuleErrors {
            lines.append(paint("Rule errors: \(doc.checks.filter { $0.status == .error }.map(\.id).joined(separator: ", ")) (see findings.json for the traceback)", "31"))
        }
        if doc.ready {
            lines.append(paint("Ready to train: yes", "32"))
        } else {
            let why = blocking.isEmpty ? "warnings block readiness (--strict)" : blocking.joined(separator: ", ")
            lines.append(paint("Ready to train: no — \(why)", "31"))
        }
        lines.append("Report: \(outDir)/report.md, report.html · findings: \(outDir)/findings.json")
        return lines.joined(separator: "\n")
    }
}
