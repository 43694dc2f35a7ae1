/// A filled-in audit sheet folded into figures for the report and findings.json: how
/// many images were sampled and what the reviewer found, and for each check the share
/// of its flagged images (among those sampled and reviewed) that the reviewer confirmed
/// as a problem — an estimate of the check's precision on this dataset.
public struct AuditSummary: Sendable {
    public struct CheckPrecision: Sendable {
        public var check: String
        /// Reviewed images of the sample that this check flagged.
        public var flaggedReviewed: Int
        /// Of those, images whose verdict is not `ok`.
        public var confirmed: Int
        public var precision: Double? { flaggedReviewed > 0 ? Double(confirmed) / Double(flaggedReviewed) : nil }
    }

    public var sheet: String
    /// Distinct images with an image-level row.
    public var sampled: Int
    /// Of those, images with a verdict.
    public var reviewed: Int
    /// Verdict → images, in `AuditSheet.verdicts` order, zero counts included.
    public var verdicts: [(verdict: String, images: Int)]
    /// Rows that correct a single box (box_ref set), for `fix`.
    public var boxCorrections: Int
    public var perCheck: [CheckPrecision]
    /// Rows naming an image the dataset does not have (an older sample, a typo).
    public var unknownImages: [(line: Int, image: String)]

    public func images(with verdict: String) -> Int { verdicts.first { $0.verdict == verdict }?.images ?? 0 }

    public static func fold(_ sheet: AuditSheet, sheetPath: String, imagePaths: Set<String>,
                            findings: [Finding], checkOrder: [String]) -> AuditSummary {
        var verdictByImage: [String: String] = [:]
        var sampledImages: [String] = []
        var unknown: [(line: Int, image: String)] = []
        var boxRows = 0
        for row in sheet.rows {
            guard imagePaths.contains(row.image) else { unknown.append((row.line, row.image)); continue }
            guard row.isImageRow else { boxRows += 1; continue }
            if verdictByImage[row.image] == nil { sampledImages.append(row.image); verdictByImage[row.image] = "" }
            // A repeated image row: a verdict wins over an empty one, the last verdict over earlier ones.
            if !row.verdict.isEmpty { verdictByImage[row.image] = row.verdict }
        }
        let reviewed = verdictByImage.values.filter { !$0.isEmpty }.count
        let verdicts: [(verdict: String, images: Int)] = AuditSheet.verdicts.map { v in (v, verdictByImage.values.filter { $0 == v }.count) }

        var flaggedBy: [String: Set<String>] = [:]
        for f in findings where f.exception == nil {
            guard let image = f.image, let v = verdictByImage[image], !v.isEmpty else { continue }
            flaggedBy[f.check, default: []].insert(image)
        }
        let checks = flaggedBy.keys.sorted {
            let a = checkOrder.firstIndex(of: $0) ?? Int.max, b = checkOrder.firstIndex(of: $1) ?? Int.max
            return a != b ? a < b : $0 < $1
        }
        let perCheck = checks.map { check -> CheckPrecision in
            let images = flaggedBy[check] ?? []
            return CheckPrecision(check: check, flaggedReviewed: images.count,
                                  confirmed: images.filter { verdictByImage[$0] != "ok" }.count)
        }
        return AuditSummary(sheet: sheetPath, sampled: sampledImages.count, reviewed: reviewed, verdicts: verdicts,
                            boxCorrections: boxRows, perCheck: perCheck, unknownImages: unknown)
    }

    /// The `audit` object of findings.json.
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("sheet"); w.string(sheet)
        w.key("sampled"); w.int(sampled)
        w.key("reviewed"); w.int(reviewed)
        w.key("verdicts"); w.beginObject()
        for v in verdicts { w.key(v.verdict); w.int(v.images) }
        w.endObject()
        w.key("box_corrections"); w.int(boxCorrections)
        w.key("checks"); w.beginObject()
        for c in perCheck {
            w.key(c.check); w.beginObject()
            w.key("flagged_reviewed"); w.int(c.flaggedReviewed)
            w.key("confirmed"); w.int(c.confirmed)
            w.key("precision")
            if let p = c.precision { w.number(p, digits: 4) } else { w.null() }
            w.endObject()
        }
        w.endObject()
        w.endObject()
    }
}
