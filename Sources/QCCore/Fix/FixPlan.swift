/// The policy's fixes resolved against the dataset: which images stay out, and per label
/// file which lines or annotations change. A place that names nothing in this dataset
/// (a findings.json from another version of it) is kept in `unresolved`, not guessed at.
public struct FixPlan: Sendable {
    public enum Edit: Sendable, Equatable {
        case drop
        case clip
        case setClass(Int)
    }

    public var droppedImages: [String: PlannedFix] = [:]
    /// label file (relative to the root) → line or annotation key → edit.
    public var edits: [String: [String: (edit: Edit, fix: PlannedFix)]] = [:]
    public var droppedLabelFiles: [String: PlannedFix] = [:]
    public var remap: [Int: Int] = [:]
    public var remapFix: PlannedFix?
    public var unresolved: [PlannedFix] = []

    public init() {}

    public static func resolve(_ fixes: [PlannedFix], in ds: Dataset) -> FixPlan {
        var plan = FixPlan()
        let imagePaths = Set(ds.images.map(\.path))
        var labelFiles = Set(ds.images.compactMap(\.labelPath))
        for issue in ds.issues where issue.kind == "orphan_label" { if let r = issue.ref { labelFiles.insert(r) } }
        func edit(_ ref: String, _ e: Edit, _ fix: PlannedFix) {
            guard let place = LabelPlace(ref), labelFiles.contains(place.file) else { plan.unresolved.append(fix); return }
            // A drop wins over any other edit of the same line; the first of two others stays.
            if let existing = plan.edits[place.file]?[place.key], existing.edit == .drop || e != .drop { return }
            plan.edits[place.file, default: [:]][place.key] = (e, fix)
        }
        for fix in fixes {
            switch fix.action {
            case .dropImage(let path):
                if imagePaths.contains(path) { if plan.droppedImages[path] == nil { plan.droppedImages[path] = fix } }
                else { plan.unresolved.append(fix) }
            case .dropLabel(let ref): edit(ref, .drop, fix)
            case .clipBox(let ref): edit(ref, .clip, fix)
            case .setClass(let ref, let id): edit(ref, .setClass(id), fix)
            case .dropLabelFile(let file):
                if labelFiles.contains(file) { plan.droppedLabelFiles[file] = fix } else { plan.unresolved.append(fix) }
            case .remapClasses(let map):
                for (from, to) in map { plan.remap[from] = to }
                plan.remapFix = fix
            }
        }
        return plan
    }

    public var isEmpty: Bool {
        droppedImages.isEmpty && edits.isEmpty && droppedLabelFiles.isEmpty && remap.allSatisfy { $0.key == $0.value }
    }
}
