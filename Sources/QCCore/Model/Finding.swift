/// One finding in the findings.json contract (schema `qcpass.findings/1`).
/// Loaders produce them for malformed input; rules produce them through `emit`.
public struct Finding: Sendable, Equatable {
    public enum Severity: String, Sendable, CaseIterable { case info, warning, error }

    public struct Box: Sendable, Equatable {
        public var className: String
        public var classId: Int
        public var xyxy: [Double]
        public var ref: String?
        public init(className: String, classId: Int, xyxy: [Double], ref: String?) {
            self.className = className; self.classId = classId; self.xyxy = xyxy; self.ref = ref
        }
    }

    /// The fields live in one shared, copy-on-write object: a run handles tens of
    /// thousands of findings, and each copy of a plain struct with this many strings and
    /// arrays retained and released every one of them (sorting, collecting per check and
    /// writing the outputs made copying findings a visible share of a check).
    private final class Storage: @unchecked Sendable {
        // Mutated only through `Finding.fields`' `_modify`, which copies a shared object
        // first: no two findings ever see one object change.
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    struct Fields: Sendable, Equatable {
        var id = ""
        var check: String
        var kind: String
        var severity: Severity
        var image: String?
        var split: String?
        var box: Box?
        var className: String?
        var ref: String?
        var related: [String] = []
        var relatedCount = 0
        var score: Double?
        var message: String
        var suggestion: JSONValue?
        var exception: String?
        var inBaseline = false
    }

    private var storage: Storage

    private var fields: Fields {
        get { storage.fields }
        _modify {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
            yield &storage.fields
        }
    }

    /// Stable identity (hash of check, kind, image and box ref/coordinates), used by
    /// `--baseline` and audit sheets; filled by `FindingIdentity.assign`.
    public var id: String { get { storage.fields.id } set { fields.id = newValue } }
    public var check: String { get { storage.fields.check } set { fields.check = newValue } }
    public var kind: String { get { storage.fields.kind } set { fields.kind = newValue } }
    public var severity: Severity { get { storage.fields.severity } set { fields.severity = newValue } }
    /// Image path relative to the dataset root (absolute outside it); nil for dataset-level findings.
    public var image: String? { get { storage.fields.image } set { fields.image = newValue } }
    public var split: String? { get { storage.fields.split } set { fields.split = newValue } }
    public var box: Box? { get { storage.fields.box } set { fields.box = newValue } }
    /// The class a dataset-level finding is about (`rare_class`), so exceptions scoped by
    /// class can match it; written to JSON only when there is no `box`.
    public var className: String? { get { storage.fields.className } set { fields.className = newValue } }
    /// Place of a line or annotation that is not a usable box: `labels/train/x.txt:7`,
    /// `annotations/instances_val.json#id=5531`.
    public var ref: String? { get { storage.fields.ref } set { fields.ref = newValue } }
    public var related: [String] { get { storage.fields.related } set { fields.related = newValue } }
    public var relatedCount: Int { get { storage.fields.relatedCount } set { fields.relatedCount = newValue } }
    public var score: Double? { get { storage.fields.score } set { fields.score = newValue } }
    public var message: String { get { storage.fields.message } set { fields.message = newValue } }
    /// Free-form JSON-able suggestion (`action`, `xyxy`, …), encoded by the writer.
    public var suggestion: JSONValue? { get { storage.fields.suggestion } set { fields.suggestion = newValue } }
    /// Set when a documented exception covers this finding.
    public var exception: String? { get { storage.fields.exception } set { fields.exception = newValue } }
    /// Known from the `--baseline` findings.json: reported, but not counted for the status.
    public var inBaseline: Bool { get { storage.fields.inBaseline } set { fields.inBaseline = newValue } }

    public init(check: String, kind: String, severity: Severity, image: String? = nil,
                split: String? = nil, box: Box? = nil, ref: String? = nil,
                message: String, score: Double? = nil) {
        storage = Storage(Fields(check: check, kind: kind, severity: severity, image: image, split: split,
                                 box: box, ref: ref, score: score, message: message))
    }

    public static func == (a: Finding, b: Finding) -> Bool {
        a.storage === b.storage || a.storage.fields == b.storage.fields
    }
}

/// A JSON value for the open-ended parts of the contract (metrics, suggestions).
/// Objects keep insertion order so outputs are stable and diffable.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case let .object(pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }
}
