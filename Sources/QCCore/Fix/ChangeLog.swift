import Foundation

/// `NEW/.qcpass/changes.json` (schema `qcpass.changes/1`): one entry per change, with
/// the finding or audit row that caused it and the line, annotation or file before and
/// after. `check` on the new dataset reads its summary for the report.
public struct ChangeLog: Sendable {
    public static let relativePath = ".qcpass/changes.json"

    public struct Entry: Sendable {
        /// drop_image | drop_label | clip_box | set_class | remap_class | drop_label_file | move_image
        public var action: String
        public var image: String?
        public var ref: String?
        /// Files of the source dataset the entry concerns (an image and its label file).
        public var files: [String] = []
        public var before: JSONValue = .null
        public var after: JSONValue = .null
        public var cause: PlannedFix.Cause
        public var reason: String
        public init(action: String, image: String? = nil, ref: String? = nil, cause: PlannedFix.Cause, reason: String) {
            self.action = action; self.image = image; self.ref = ref; self.cause = cause; self.reason = reason
        }
    }

    public struct Summary: Sendable, Equatable {
        public var imagesDropped = 0
        /// Images dropped as a copy of another (exact/near duplicates, static frames).
        public var duplicatesRemoved = 0
        public var labelsDropped = 0
        public var boxesClipped = 0
        public var classesChanged = 0
        public var labelFilesDropped = 0
        public init() {}
    }

    public var command: String
    public var source: (root: String, format: String, fingerprint: String)
    public var entries: [Entry] = []
    public var placement: [FileCloner.Method: Int] = [:]
    public var params: [(String, JSONValue)] = []

    public init(command: String, source: (root: String, format: String, fingerprint: String)) {
        self.command = command; self.source = source
    }

    static let duplicateKinds: Set<String> = ["exact_duplicate", "near_duplicate", "static_frames", "cross_split_duplicate"]

    public var summary: Summary {
        var s = Summary()
        for e in entries {
            switch e.action {
            case "drop_image":
                s.imagesDropped += 1
                if let k = e.cause.kind, Self.duplicateKinds.contains(k) { s.duplicatesRemoved += 1 }
            case "drop_label": s.labelsDropped += 1
            case "clip_box": s.boxesClipped += 1
            case "set_class", "remap_class": s.classesChanged += 1
            case "drop_label_file": s.labelFilesDropped += 1
            default: break
            }
        }
        return s
    }

    public func json() -> [UInt8] {
        var w = JSONWriter(indent: 1)
        w.beginObject()
        w.key("schema"); w.string("qcpass.changes/1")
        w.key("command"); w.string(command)
        w.key("source"); w.beginObject()
        w.key("root"); w.string(source.root); w.key("format"); w.string(source.format)
        w.key("fingerprint"); w.string(source.fingerprint)
        w.endObject()
        if !params.isEmpty { w.key("policy"); w.value(.object(params)) }
        let s = summary
        w.key("summary"); w.value(.object([
            ("changes", .int(Int64(entries.count))),
            ("images_dropped", .int(Int64(s.imagesDropped))), ("duplicates_removed", .int(Int64(s.duplicatesRemoved))),
            ("labels_dropped", .int(Int64(s.labelsDropped))), ("boxes_clipped", .int(Int64(s.boxesClipped))),
            ("classes_changed", .int(Int64(s.classesChanged))), ("label_files_dropped", .int(Int64(s.labelFilesDropped))),
        ]))
        w.key("images_placed"); w.value(.object(placement.keys.map(\.rawValue).sorted().map { k in
            (k, .int(Int64(placement[FileCloner.Method(rawValue: k)!]!)))
        }))
        w.key("changes"); w.beginArray()
        for e in entries {
            var cause: [(String, JSONValue)] = []
            if let f = e.cause.findingId { cause.append(("finding", .string(f))) }
            if let c = e.cause.check { cause.append(("check", .string(c))) }
            if let k = e.cause.kind { cause.append(("kind", .string(k))) }
            if let p = e.cause.place { cause.append(("place", .string(p))) }
            var fields: [(String, JSONValue)] = [("action", .string(e.action))]
            if let i = e.image { fields.append(("image", .string(i))) }
            if let r = e.ref { fields.append(("ref", .string(r))) }
            if !e.files.isEmpty { fields.append(("files", .array(e.files.map { .string($0) }))) }
            fields += [("before", e.before), ("after", e.after), ("cause", .object(cause)), ("reason", .string(e.reason))]
            w.value(.object(fields))
        }
        w.endArray()
        w.endObject()
        return w.bytes + [0x0A]
    }

    /// The summary of `<root>/.qcpass/changes.json`, when a fix wrote the dataset at `root`.
    public static func readSummary(datasetRoot root: String) -> Summary? {
        guard let data = FileManager.default.contents(atPath: "\(root)/\(relativePath)"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              object["schema"] as? String == "qcpass.changes/1",
              let s = object["summary"] as? [String: Any] else { return nil }
        func n(_ k: String) -> Int { (s[k] as? NSNumber)?.intValue ?? 0 }
        var out = Summary()
        out.imagesDropped = n("images_dropped"); out.duplicatesRemoved = n("duplicates_removed")
        out.labelsDropped = n("labels_dropped"); out.boxesClipped = n("boxes_clipped")
        out.classesChanged = n("classes_changed"); out.labelFilesDropped = n("label_files_dropped")
        return out
    }
}
