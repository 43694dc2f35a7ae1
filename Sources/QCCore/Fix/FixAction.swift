/// One safe change the fix policy chose, with what caused it: a finding (by id), an
/// audit-sheet row, or a command-line option.
public struct PlannedFix: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Leave the image (and its labels) out of the new dataset.
        case dropImage(String)
        /// Leave out one label line or annotation, by its place (`labels/train/x.txt:3`).
        case dropLabel(String)
        /// Clip a box to the image.
        case clipBox(String)
        /// Give one box another class id.
        case setClass(String, classId: Int)
        /// A label file with no image: not carried over.
        case dropLabelFile(String)
        /// Every box of class `from` becomes `to` (a class swap, or a merge).
        case remapClasses([Int: Int])
    }

    public struct Cause: Sendable, Equatable {
        public var findingId: String?
        public var check: String?
        public var kind: String?
        /// `audit.csv:14`, or `--remap`.
        public var place: String?
        public init(findingId: String? = nil, check: String? = nil, kind: String? = nil, place: String? = nil) {
            self.findingId = findingId; self.check = check; self.kind = kind; self.place = place
        }
    }

    public var action: Action
    public var cause: Cause
    /// The policy's one-sentence reason.
    public var reason: String

    public init(action: Action, cause: Cause, reason: String) {
        self.action = action; self.cause = cause; self.reason = reason
    }
}

/// A label place split into its file and the line or annotation in it:
/// `labels/train/x.txt:3` → (labels/train/x.txt, "3"); `…/instances_val.json#id=5` →
/// (…/instances_val.json, "id=5"); `#index=4` likewise.
public struct LabelPlace: Hashable, Sendable {
    public var file: String
    public var key: String

    public init(file: String, key: String) { self.file = file; self.key = key }

    public init?(_ ref: String) {
        if let hash = ref.lastIndex(of: "#") {
            let key = String(ref[ref.index(after: hash)...])
            guard key.hasPrefix("id=") || key.hasPrefix("index=") else { return nil }
            self.init(file: String(ref[..<hash]), key: key)
        } else if let colon = ref.lastIndex(of: ":"), let n = Int(ref[ref.index(after: colon)...]), n > 0 {
            self.init(file: String(ref[..<colon]), key: String(n))
        } else {
            return nil
        }
    }

    public var ref: String { key.contains("=") ? "\(file)#\(key)" : "\(file):\(key)" }
}
