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

    /// Stable identity (hash of check, kind, image and box ref/coordinates), used by
    /// `--baseline` and audit sheets; filled by `FindingIdentity.assign`.
    public var id: String = ""
    public var check: String
    public var kind: String
    public var severity: Severity
    /// Image path relative to the dataset root (absolute outside it); nil for dataset-level findings.
    public var image: String?
    public var split: String?
    public var box: Box?
    /// The class a dataset-level finding is about (`rare_class`), so exceptions scoped by
    /// class can match it; written to JSON only when there is no `box`.
    public var className: String?
    /// Place of a line or annotation that is not a usable box: `labels/train/x.txt:7`,
    /// `annotations/instances_val.json#id=5531`.
    public var ref: String?
    public var related: [String] = []
    public var relatedCount: Int = 0
    public var score: Double?
    public var message: String
    /// Free-form JSON-able suggestion (`action`, `xyxy`, …), encoded by the writer.
    public var suggestion: JSONValue?
    /// Set when a documented exception covers this finding.
    public var exception: String?
    /// Known from the `--baseline` findings.json: reported, but not counted for the status.
    public var inBaseline = false

    public init(check: String, kind: String, severity: Severity, image: String? = nil,
                split: String? = nil, box: Box? = nil, ref: String? = nil,
                message: String, score: Double? = nil) {
        self.check = check; self.kind = kind; self.severity = severity
        self.image = image; self.split = split; self.box = box; self.ref = ref
        self.message = message; self.score = score
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
