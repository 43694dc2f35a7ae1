/// Reads a filled-in audit sheet. Columns are found by their header name (a spreadsheet
/// may reorder or add columns); `image` and `verdict` are required. Every problem is an
/// error naming the file and line, because a silently dropped verdict would bias the
/// audit's figures.
public enum AuditSheetReader {
    public struct Failure: Error, CustomStringConvertible {
        public var place: String
        public var message: String
        public var description: String { "\(place): \(message)" }
    }

    public static func read(path: String) throws(Failure) -> AuditSheet {
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(path: path) } catch {
            throw Failure(place: path, message: "cannot read the audit sheet: \(error.reason)")
        }
        return try parse(bytes, name: path)
    }

    public static func parse(_ bytes: [UInt8], name: String) throws(Failure) -> AuditSheet {
        let table = CSVTable(bytes)
        if let line = table.unterminatedQuoteLine {
            throw Failure(place: "\(name):\(line)", message: "a quoted field opened here never closes")
        }
        guard let header = table.records.first else {
            throw Failure(place: name, message: "the audit sheet is empty (expected the header \(AuditSheet.columns.joined(separator: ",")))")
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var index: [String: Int] = [:]
        for (i, n) in names.enumerated() where index[n] == nil { index[n] = i }
        for required in ["image", "verdict"] where index[required] == nil {
            throw Failure(place: "\(name):\(header.line)",
                          message: "the header has no '\(required)' column (expected \(AuditSheet.columns.joined(separator: ",")))")
        }
        var rows: [AuditSheet.Row] = []
        for record in table.records.dropFirst() {
            let place = "\(name):\(record.line)"
            if record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard record.fields.count <= names.count else {
                throw Failure(place: place, message: "\(record.fields.count) fields but the header has \(names.count) (an unquoted comma?)")
            }
            func field(_ column: String) -> String {
                guard let i = index[column], i < record.fields.count else { return "" }
                return record.fields[i].trimmingCharacters(in: .whitespaces)
            }
            let image = field("image")
            guard !image.isEmpty else { throw Failure(place: place, message: "the image column is empty") }
            let verdict = field("verdict").lowercased()
            guard verdict.isEmpty || AuditSheet.verdicts.contains(verdict) else {
                throw Failure(place: place, message: "unknown verdict '\(field("verdict"))' (known: \(AuditSheet.verdicts.joined(separator: ", ")), or empty for not reviewed)")
            }
            rows.append(AuditSheet.Row(image: image, bucket: field("bucket"), reason: field("reason"),
                                       findingId: field("finding_id"), boxRef: field("box_ref"), verdict: verdict,
                                       correctedClass: field("corrected_class"), note: field("note"), line: record.line))
        }
        return AuditSheet(rows: rows)
    }
}
