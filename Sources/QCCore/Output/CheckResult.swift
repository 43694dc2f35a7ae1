/// A check's outcome in findings.json's `checks` array.
public struct CheckResult: Sendable {
    public enum Status: String, Sendable, CaseIterable, Comparable {
        case pass, warn, fail, exception, skipped, error

        /// How much a status weighs when several sources (rule, findings) disagree.
        var weight: Int {
            switch self {
            case .skipped: return 0
            case .pass: return 1
            case .exception: return 2
            case .warn: return 3
            case .fail: return 4
            case .error: return 5
            }
        }
        public static func < (a: Status, b: Status) -> Bool { a.weight < b.weight }
    }

    public var id: String
    public var title: String
    public var status: Status
    public var message: String
    /// The documented exception's reason when status is `exception` (or an expired one's, with a warning).
    public var exception: String?
    public var metrics: JSONValue
    /// For status `error`: where the rule failed ("rules/box_fit.lua:42") and the Lua traceback.
    public var errorPlace: String?
    public var traceback: String?
    /// The rule file the check came from, relative to its pack.
    public var ruleFile: String?

    public init(id: String, title: String, status: Status, message: String,
                exception: String? = nil, metrics: JSONValue = .object([])) {
        self.id = id; self.title = title; self.status = status; self.message = message
        self.exception = exception; self.metrics = metrics
    }
}
