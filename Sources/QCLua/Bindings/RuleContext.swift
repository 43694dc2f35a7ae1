import QCCore

/// The per-rule side of a run: the findings a rule emits, with the project's severity
/// overrides and disabled kinds applied as they arrive. One per rule, one thread.
public final class RuleContext {
    public let data: RunData
    public let checkId: String
    public var findings: [Finding] = []
    /// Findings past `cap` are counted, not kept: a broken dataset must not produce a
    /// findings.json larger than the dataset.
    public let cap: Int
    public private(set) var droppedOverCap = 0
    public private(set) var droppedDisabled = 0
    let severityOverrides: [String: Finding.Severity]
    /// What `qc.fix.*` reads: set only while the fix policy runs.
    public var fixInputs: FixInputs?
    let disabledKinds: Set<String>

    public init(data: RunData, checkId: String, severityOverrides: [String: Finding.Severity],
                disabledKinds: Set<String>, cap: Int = 50_000) {
        self.data = data
        self.checkId = checkId
        self.severityOverrides = severityOverrides
        self.disabledKinds = disabledKinds
        self.cap = cap
    }

    func add(_ finding: Finding) {
        var f = finding
        if disabledKinds.contains(f.kind) { droppedDisabled += 1; return }
        if let s = severityOverrides[f.kind] { f.severity = s }
        guard findings.count < cap else { droppedOverCap += 1; return }
        findings.append(f)
    }

    /// The findings, leaving the context empty (the engine collects them once, at the end).
    func takeFindings() -> [Finding] {
        defer { findings = [] }
        return findings
    }

    /// The worst severity among kept findings, for the default status.
    var worstSeverity: Finding.Severity? {
        var worst: Finding.Severity?
        for f in findings where f.exception == nil {
            switch (worst, f.severity) {
            case (_, .error): return .error
            case (.none, let s), (.info?, let s): worst = s
            default: break
            }
        }
        return worst
    }
}
