import QCCore

/// What the fix policy decides from: the findings (of this run, or `--from`), the
/// reviewer's box corrections (`--audit`) and a class remap (`--remap`, by class name).
public struct FixInputs {
    public var findings: [Finding]
    public var audit: AuditSheet?
    /// The sheet's name as given, for the cause places (`audit.csv:14`).
    public var auditName: String
    public var remap: [(from: String, to: String)]?

    public init(findings: [Finding], audit: AuditSheet? = nil, auditName: String = "audit.csv",
                remap: [(from: String, to: String)]? = nil) {
        self.findings = findings; self.audit = audit; self.auditName = auditName; self.remap = remap
    }

    /// `--remap A=B,C=D`: class names (or ids) in pairs; a name twice on the left is an error.
    public static func parseRemap(_ text: String) throws(EngineError) -> [(from: String, to: String)] {
        var out: [(from: String, to: String)] = []
        for part in text.split(separator: ",") {
            let sides = part.split(separator: "=", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard sides.count == 2, !sides[0].isEmpty, !sides[1].isEmpty else {
                throw EngineError.config(place: "--remap", message: "'\(part)' is not A=B (expected e.g. --remap forklift=pallet,pallet=forklift)")
            }
            if out.contains(where: { $0.from == sides[0] }) {
                throw EngineError.config(place: "--remap", message: "'\(sides[0])' is remapped twice")
            }
            out.append((sides[0], sides[1]))
        }
        return out
    }
}
