/// The audit sheet `audit.csv` (DESIGN.md "Audit sheet"): one row per sampled image,
/// plus rows a reviewer adds with a `box_ref` to correct one box.
public struct AuditSheet: Sendable {
    public static let columns = ["image", "bucket", "reason", "finding_id", "box_ref", "verdict", "corrected_class", "note"]
    public static let verdicts = ["ok", "mislabeled", "missing_labels", "bad_box", "duplicate", "other"]
    /// Buckets in the order `qcpass sample` fills them: the ranked ones (best candidates
    /// first) before the random ones.
    public static let buckets = ["flagged", "low_confidence", "edge_cases", "per_class", "background", "random"]

    public struct Row: Sendable, Equatable {
        public var image: String
        public var bucket: String
        public var reason: String
        public var findingId: String
        public var boxRef: String
        public var verdict: String
        public var correctedClass: String
        public var note: String
        /// Line of the sheet the row starts on (0 for rows not read from a file).
        public var line: Int

        public init(image: String, bucket: String, reason: String, findingId: String = "", boxRef: String = "",
                    verdict: String = "", correctedClass: String = "", note: String = "", line: Int = 0) {
            self.image = image; self.bucket = bucket; self.reason = reason; self.findingId = findingId
            self.boxRef = boxRef; self.verdict = verdict; self.correctedClass = correctedClass; self.note = note
            self.line = line
        }

        var fields: [String] { [image, bucket, reason, findingId, boxRef, verdict, correctedClass, note] }
        /// An image-level row (the sample); rows with a box_ref correct a single box.
        public var isImageRow: Bool { boxRef.isEmpty }
    }

    public var rows: [Row]

    public init(rows: [Row]) { self.rows = rows }

    /// RFC 4180 text: a header line, CRLF-free, fields quoted only when they must be.
    public func csv() -> String {
        var out = Self.columns.joined(separator: ",") + "\n"
        for row in rows {
            out += row.fields.map(Self.quoted).joined(separator: ",") + "\n"
        }
        return out
    }

    /// Spreadsheets would read a leading = + - @ as a formula; a quote-free field starting
    /// with one is still written as-is (reasons never do), so only CSV syntax is escaped here.
    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || field.hasPrefix(" ") || field.hasSuffix(" ") else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
