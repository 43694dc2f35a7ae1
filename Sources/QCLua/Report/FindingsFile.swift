import Foundation

/// A findings.json read back (for `--baseline` and `qcpass diff`): only what those need.
public struct FindingsFile {
    public struct Entry: Equatable {
        public var id: String
        public var check: String
        public var kind: String
        public var severity: String
        public var image: String?
        public var place: String?
        public var message: String
        public var score: Double?
    }

    public var path: String
    public var findings: [Entry]
    public var checkStatus: [(id: String, status: String)]

    public struct ReadError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func read(_ path: String) throws(ReadError) -> FindingsFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadError(description: "\(path): cannot read")
        }
        guard let top = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ReadError(description: "\(path): not a JSON object")
        }
        guard top["schema"] as? String == "qcpass.findings/1" else {
            throw ReadError(description: "\(path): not a qcpass findings.json (schema is \(top["schema"] ?? "missing"), expected qcpass.findings/1)")
        }
        let list = top["findings"] as? [[String: Any]] ?? []
        var entries: [Entry] = []
        for (i, f) in list.enumerated() {
            guard let id = f["id"] as? String, let check = f["check"] as? String, let kind = f["kind"] as? String else {
                throw ReadError(description: "\(path): findings[\(i)] lacks id, check or kind")
            }
            let box = f["box"] as? [String: Any]
            entries.append(Entry(id: id, check: check, kind: kind, severity: f["severity"] as? String ?? "",
                                 image: f["image"] as? String, place: (box?["ref"] as? String) ?? (f["ref"] as? String),
                                 message: f["message"] as? String ?? "", score: (f["score"] as? NSNumber)?.doubleValue))
        }
        let checks = (top["checks"] as? [[String: Any]] ?? []).compactMap { c -> (String, String)? in
            guard let id = c["id"] as? String, let s = c["status"] as? String else { return nil }
            return (id, s)
        }
        return FindingsFile(path: path, findings: entries, checkStatus: checks)
    }
}

/// New, resolved and changed findings between two runs, keyed by the stable finding id.
public struct FindingsDiff {
    public var added: [FindingsFile.Entry] = []
    public var resolved: [FindingsFile.Entry] = []
    public var changed: [(old: FindingsFile.Entry, new: FindingsFile.Entry)] = []
    public var statusChanges: [(check: String, old: String, new: String)] = []

    public init(old: FindingsFile, new: FindingsFile) {
        let oldById = Dictionary(old.findings.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let newIds = Set(new.findings.map(\.id))
        for f in new.findings {
            if let o = oldById[f.id] {
                if o.severity != f.severity || o.message != f.message { changed.append((o, f)) }
            } else {
                added.append(f)
            }
        }
        resolved = old.findings.filter { !newIds.contains($0.id) }
        let oldStatus = Dictionary(old.checkStatus.map { ($0.id, $0.status) }, uniquingKeysWith: { a, _ in a })
        for (id, status) in new.checkStatus where oldStatus[id] != nil && oldStatus[id] != status {
            statusChanges.append((id, oldStatus[id]!, status))
        }
    }

    public func render(oldName: String, newName: String, limit: Int = 50) -> String {
        var lines = ["\(oldName) → \(newName): \(added.count) new, \(resolved.count) resolved, \(changed.count) changed"]
        for s in statusChanges { lines.append("  check \(s.check): \(s.old) → \(s.new)") }
        func line(_ mark: String, _ f: FindingsFile.Entry) -> String {
            "  \(mark) [\(f.check)/\(f.kind)] \(f.place ?? f.image ?? "dataset"): \(f.message)"
        }
        for f in added.prefix(limit) { lines.append(line("+", f)) }
        if added.count > limit { lines.append("  … \(added.count - limit) more new") }
        for f in resolved.prefix(limit) { lines.append(line("-", f)) }
        if resolved.count > limit { lines.append("  … \(resolved.count - limit) more resolved") }
        for c in changed.prefix(limit) { lines.append("  ~ [\(c.new.check)/\(c.new.kind)] \(c.new.place ?? c.new.image ?? "dataset"): \(c.old.severity) → \(c.new.severity): \(c.new.message)") }
        return lines.joined(separator: "\n")
    }
}
