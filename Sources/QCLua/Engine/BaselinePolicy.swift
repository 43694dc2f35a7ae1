import QCCore

/// `--baseline FINDINGS`: findings whose id the earlier run already had are accepted —
/// still listed, marked `baseline`, but a check fails or warns only for new ones. This is
/// how a team adopts qcpass on a dataset with known debt without turning CI red forever.
enum BaselinePolicy {
    static func apply(_ known: Set<String>, to result: inout CheckResult, findings: inout [Finding]) {
        FindingIdentity.assign(&findings)
        var accepted = 0
        for i in findings.indices where known.contains(findings[i].id) {
            findings[i].inBaseline = true
            accepted += 1
        }
        guard accepted > 0 else { return }
        result.message += " (\(accepted) known finding\(accepted == 1 ? "" : "s") accepted by the baseline)"
        guard result.status == .fail || result.status == .warn else { return }
        let open = findings.filter { !$0.inBaseline && $0.exception == nil }
        if open.contains(where: { $0.severity == .error }) { return }
        result.status = open.contains(where: { $0.severity == .warning }) ? .warn : .pass
    }
}
