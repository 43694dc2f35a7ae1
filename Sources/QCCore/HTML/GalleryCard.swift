/// One image of a gallery page: where its thumbnail is, its labels and predictions in
/// fractions of the displayed image, the group it is shown under (an audit bucket or a
/// check), and the audit-sheet row its verdict buttons fill in.
public struct GalleryCard: Sendable {
    public struct Box: Sendable {
        public var className: String
        /// Position of the class in the dataset's class list, for its colour; -1 for unknown ids.
        public var colorIndex: Int
        /// Fractions of the displayed image's width and height, unclamped.
        public var x1: Double, y1: Double, x2: Double, y2: Double
        /// Predictions only.
        public var confidence: Double?
    }

    public struct Note: Sendable {
        public var check: String
        public var kind: String
        public var message: String
    }

    public var image: String
    /// Displayed size; 0 when unknown (the frame then uses 4:3 and draws no boxes).
    public var width: Int
    public var height: Int
    public var thumbnail: String?
    /// Why there is no thumbnail, when one was wanted.
    public var thumbnailProblem: String?
    public var group: String
    public var labels: [Box]
    public var predictions: [Box]
    public var findings: [Note]
    public var row: AuditSheet.Row

    public var checks: [String] {
        var seen = Set<String>()
        return findings.map(\.check).filter { seen.insert($0).inserted }
    }

    public var classes: [String] {
        var seen = Set<String>()
        return (labels + predictions).map(\.className).filter { seen.insert($0).inserted }
    }

    /// Cards for `rows` (one per image-level row), with every finding of the image listed
    /// on its card so the reviewer sees why the checks care about it.
    public static func build(rows: [AuditSheet.Row], group: (AuditSheet.Row) -> String, dataset ds: Dataset,
                             findings: [Finding], thumbnails: [String: ThumbnailStore.Outcome],
                             imageIndex: [String: Int]? = nil) -> [GalleryCard] {
        let indexByPath = imageIndex ?? ds.imageIndexes(of: rows.filter(\.isImageRow).map(\.image))
        var notesByImage: [String: [Note]] = [:]
        for i in findings.indices where findings[i].exception == nil {
            guard let image = findings[i].image, indexByPath[image] != nil else { continue }
            let f = findings[i]
            notesByImage[image, default: []].append(Note(check: f.check, kind: f.kind, message: f.message))
        }
        let colorIndex = Dictionary(uniqueKeysWithValues: ds.classIds.enumerated().map { ($1, $0) })
        return rows.compactMap { row -> GalleryCard? in
            guard row.isImageRow, let i = indexByPath[row.image] else { return nil }
            let img = ds.images[i]
            // Boxes are in pixels, or already in 0–1 when the set was loaded without image sizes.
            let sx = ds.normalizedBoxes ? 1 : Double(img.width), sy = ds.normalizedBoxes ? 1 : Double(img.height)
            let drawable = sx > 0 && sy > 0
            let labels: [Box] = drawable ? ds.boxes(of: img).map { b in
                Box(className: ds.className(Int(b.classId)), colorIndex: colorIndex[Int(b.classId)] ?? -1,
                    x1: b.x1 / sx, y1: b.y1 / sy, x2: b.x2 / sx, y2: b.y2 / sy)
            } : []
            let predictions: [Box] = drawable ? ds.predictions(of: img).map { p in
                Box(className: ds.className(Int(p.classId)), colorIndex: colorIndex[Int(p.classId)] ?? -1,
                    x1: p.x1 / sx, y1: p.y1 / sy, x2: p.x2 / sx, y2: p.y2 / sy, confidence: p.confidence)
            } : []
            var thumbnail: String?, problem: String?
            switch thumbnails[row.image] {
            case .thumbnail(let path)?: thumbnail = path
            case .failed(let why)?: problem = why
            case nil: break
            }
            return GalleryCard(image: row.image, width: Int(img.width), height: Int(img.height), thumbnail: thumbnail,
                               thumbnailProblem: problem, group: group(row), labels: labels, predictions: predictions,
                               findings: notesByImage[row.image] ?? [], row: row)
        }
    }
}
