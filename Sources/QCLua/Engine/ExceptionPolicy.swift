import QCCore

/// Documented exceptions (DESIGN.md): scoped by check, and optionally by kind and class,
/// with an optional expiry. A covered finding keeps its place in every output with the
/// exception's reason; a check whose blocking findings are all covered reads `exception`.
/// An expired exception no longer applies and is itself reported as a warning.
enum ExceptionPolicy {
    static func apply(_ exceptions: [ProjectConfig.Exception], to result: inout CheckResult,
                      findings: inout [Finding], today: String) {
        guard !exceptions.isEmpty else { return }
        var active: [ProjectConfig.Exception] = []
        for e in exceptions {
            if let expires = e.expires, expires < today {
                var f = Finding(check: result.id, kind: "expired_exception", severity: .warning,
                                message: "The exception \"\(e.reason)\" expired on \(expires); renew it or fix the findings it covered.")
                f.className = e.classes?.joined(separator: ",")
                findings.append(f)
                if result.status < .warn { result.status = .warn }
            } else {
                active.append(e)
            }
        }
        var used: [String] = []
        for i in findings.indices where findings[i].exception == nil && findings[i].kind != "expired_exception" {
            if let e = active.first(where: { covers($0, findings[i]) }) {
                findings[i].exception = e.reason
                if !used.contains(e.reason) { used.append(e.reason) }
            }
        }
        let wholeCheck = active.first { $0.kinds == nil && $0.classes == nil }
        let uncoveredBlocking = findings.contains {
            $0.exception == nil && ($0.severity == .error || ($0.severity == .warning && $0.kind != "expired_exception"))
        }
        if result.status == .fail || result.status == .warn {
            if let w = wholeCheck {
                result.status = .exception
                result.exception = w.reason
            } else if !used.isEmpty && !uncoveredBlocking {
                result.status = .exception
                result.exception = used.joined(separator: "; ")
            }
        }
        if result.status == .exception, !findings.allSatisfy({ $0.kind != "expired_exception" }) {
            result.status = .warn
        }
    }

    static func covers(_ e: ProjectConfig.Exception, _ f: Finding) -> Bool {
        if let kinds = e.kinds, !kinds.contains(f.kind) { return false }
        if let classes = e.classes {
            guard let c = f.box?.className ?? f.className, classes.contains(c) else { return false }
        }
        return true
    }
}
