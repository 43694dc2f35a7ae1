import QCCore

/// `emit{…}` → Finding. Every mistake a rule author can make is a Lua error naming
/// the field, raised in the rule's own frame (file:line of the emit call).
enum FindingDecoding {
    static let knownFields: Set<String> = ["kind", "severity", "image", "box", "ref", "related",
                                           "related_count", "score", "message", "suggestion", "split", "class"]

    /// `knownFields.contains`, without hashing each key of each of 10⁴+ emits.
    static func isKnownField(_ name: String) -> Bool {
        switch name {
        case "kind", "severity", "image", "box", "ref", "related", "related_count", "score", "message", "suggestion",
             "split", "class":
            return true
        default:
            return false
        }
    }

    static func decode(_ args: [LuaValue], context: RuleContext) -> Result<Finding, NativeError> {
        func bad(_ text: String) -> Result<Finding, NativeError> {
            .failure(NativeError(message: "emit: \(text)"))
        }
        guard case .table(let t)? = args.first else {
            return .failure(.badArgument(1, function: "emit", expected: "table", got: args.first ?? .nil))
        }
        for (k, _) in t.fields {
            guard case .string(let name) = k, isKnownField(name) else {
                return bad("unknown field '\(k)' (known: \(knownFields.sorted().joined(separator: ", ")))")
            }
        }
        guard case .string(let kind)? = t["kind"], !kind.isEmpty else { return bad("field 'kind' must be a non-empty string") }
        guard case .string(let message)? = t["message"], !message.isEmpty else { return bad("field 'message' must be a non-empty string") }
        var severity = Finding.Severity.warning
        if let s = t["severity"] {
            guard case .string(let name) = s, let sev = Finding.Severity(rawValue: name) else {
                return bad("field 'severity' must be \"info\", \"warning\" or \"error\"")
            }
            severity = sev
        }
        let data = context.data
        var f = Finding(check: context.checkId, kind: kind, severity: severity, message: message)

        var imageIndex: Int?
        switch t["image"] {
        case nil: break
        case .int(let i)?:
            guard i >= 1, Int(i) <= data.dataset.images.count else { return bad("field 'image' index \(i) is out of range") }
            imageIndex = Int(i) - 1
        case .string(let path)?:
            if let i = data.imageIndexByPath[path] { imageIndex = i } else { f.image = path }
        case .table(let img)?:
            guard case .int(let i)? = img["index"], i >= 1, Int(i) <= data.dataset.images.count else {
                return bad("field 'image' must be an image table from qc.image, its index, or a path")
            }
            imageIndex = Int(i) - 1
        case let other?: return bad("field 'image' must be an image, an index or a path (got \(other.typeName))")
        }
        if let i = imageIndex {
            f.image = data.dataset.images[i].path
            f.split = data.splitName(data.dataset.images[i].split)
        }
        if case .string(let split)? = t["split"] { f.split = split }

        if let boxValue = t["box"] {
            guard case .table(let b) = boxValue else { return bad("field 'box' must be a table") }
            guard let classId = b["class_id"]?.asInt else { return bad("field 'box.class_id' must be an integer") }
            guard case .table(let coords)? = b["xyxy"], coords.array.count == 4,
                  let x1 = coords.array[0].asDouble, let y1 = coords.array[1].asDouble,
                  let x2 = coords.array[2].asDouble, let y2 = coords.array[3].asDouble else {
                return bad("field 'box.xyxy' must be a list of 4 numbers")
            }
            f.box = Finding.Box(className: data.dataset.className(Int(classId)), classId: Int(classId),
                                xyxy: [x1, y1, x2, y2], ref: b["ref"]?.asString)
        }
        if let c = t["class"] {
            guard case .string(let name) = c else { return bad("field 'class' must be a class name") }
            f.className = name
        } else if let b = f.box { f.className = b.className }
        if let ref = t["ref"] {
            guard case .string(let s) = ref else { return bad("field 'ref' must be a string") }
            f.ref = s
        }
        if let related = t["related"] {
            guard case .table(let r) = related else { return bad("field 'related' must be a list of image paths") }
            var paths: [String] = []
            for item in r.array {
                switch item {
                case .string(let s): paths.append(s)
                case .int(let i) where i >= 1 && Int(i) <= data.dataset.images.count:
                    paths.append(data.dataset.images[Int(i) - 1].path)
                case .table(let img):
                    if case .int(let i)? = img["index"], i >= 1, Int(i) <= data.dataset.images.count {
                        paths.append(data.dataset.images[Int(i) - 1].path)
                    } else { return bad("field 'related' holds a table that is not an image") }
                default: return bad("field 'related' must hold image paths, indexes or images")
                }
            }
            f.relatedCount = paths.count
            f.related = Array(paths.prefix(50))
        }
        if let count = t["related_count"]?.asInt { f.relatedCount = max(Int(count), f.related.count) }
        if let score = t["score"] {
            guard let s = score.asDouble, s.isFinite else { return bad("field 'score' must be a number in [0, 1]") }
            guard s >= 0, s <= 1 else { return bad("field 'score' is \(s), must be in [0, 1]") }
            f.score = s
        }
        if let suggestion = t["suggestion"] { f.suggestion = JSONValue(lua: suggestion) }
        return .success(f)
    }
}
