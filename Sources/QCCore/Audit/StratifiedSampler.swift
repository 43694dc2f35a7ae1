/// The stratified visual audit (DESIGN.md "Audit sheet"): a few images per class, some
/// background images, the rule pack's edge cases, the model's least confident
/// predictions, the images the checks flag most strongly, and optionally plain random
/// ones. An image appears once: a later bucket skips images an earlier one took and
/// takes its next candidate instead. So the ranked buckets fill first (`AuditSheet.buckets`
/// order) — flagged, whose verdicts measure the checks' precision, then low_confidence,
/// then edge_cases — and the random ones after, which lose nothing by skipping an image.
public enum StratifiedSampler {
    public struct Quotas: Sendable, Equatable {
        public var perClass = 10
        public var background = 10
        public var edgeCases = 10
        public var lowConfidence = 10
        public var flagged = 10
        public var random = 0
        public init() {}
    }

    /// An image the pack's audit rule proposes as an edge case, best first.
    public struct EdgeCase: Sendable {
        public var image: Int
        public var reason: String
        public init(image: Int, reason: String) { self.image = image; self.reason = reason }
    }

    public struct Pick: Sendable, Equatable {
        public var image: Int
        public var bucket: String
        public var reason: String
        public var findingId: String
    }

    public static func sample(_ ds: Dataset, findings: [Finding], edgeCases: [EdgeCase],
                              quotas: Quotas, seed: UInt64) -> [Pick] {
        var random = SeededRandom(seed: seed)
        var taken = Set<Int>()
        var picks: [Pick] = []
        func take(_ image: Int, _ bucket: String, _ reason: String, _ findingId: String = "") {
            taken.insert(image)
            picks.append(Pick(image: image, bucket: bucket, reason: reason, findingId: findingId))
        }

        // flagged: images by their strongest finding; the row names that finding.
        let indexByPath = Dictionary(ds.images.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { a, _ in a })
        var count = 0
        for flagged in rankFlagged(findings) where count < quotas.flagged {
            guard let i = indexByPath[flagged.image], !taken.contains(i) else { continue }
            let f = flagged.top
            take(i, "flagged", "\(f.check)/\(f.kind): \(shortened(f.message))", f.id)
            count += 1
        }

        // low_confidence: images by their least confident prediction.
        if ds.hasPredictions && quotas.lowConfidence > 0 {
            var lowest: [(conf: Double, image: Int, cls: Int32)] = []
            for (i, img) in ds.images.enumerated() {
                guard let p = ds.predictions(of: img).min(by: { $0.confidence < $1.confidence }) else { continue }
                lowest.append((p.confidence, i, p.classId))
            }
            lowest.sort { $0.conf != $1.conf ? $0.conf < $1.conf : $0.image < $1.image }
            count = 0
            for p in lowest where count < quotas.lowConfidence && !taken.contains(p.image) {
                take(p.image, "low_confidence", "prediction \(ds.className(Int(p.cls))) at confidence \(format(p.conf))")
                count += 1
            }
        }

        // edge_cases: the audit rule's candidates, in the order it emitted them.
        count = 0
        for e in edgeCases where count < quotas.edgeCases && e.image >= 0 && e.image < ds.images.count && !taken.contains(e.image) {
            take(e.image, "edge_cases", e.reason)
            count += 1
        }

        // per_class: rarest class first, so an image holding a rare and a common class
        // counts for the rare one, whose few images would otherwise run out.
        var imagesByClass: [Int: [Int]] = [:]
        for (i, img) in ds.images.enumerated() {
            var seen = Set<Int32>()
            for b in ds.boxes(of: img) where ds.classNames[Int(b.classId)] != nil && seen.insert(b.classId).inserted {
                imagesByClass[Int(b.classId), default: []].append(i)
            }
        }
        let classOrder = ds.classIds.sorted {
            let a = imagesByClass[$0]?.count ?? 0, b = imagesByClass[$1]?.count ?? 0
            return a != b ? a < b : $0 < $1
        }
        for id in classOrder {
            let candidates = imagesByClass[id] ?? []
            var classCount = 0
            for i in random.shuffled(candidates) where classCount < quotas.perClass && !taken.contains(i) {
                take(i, "per_class", "class \(ds.className(id)); \(candidates.count) image\(candidates.count == 1 ? " holds" : "s hold") it")
                classCount += 1
            }
        }

        let background = ds.images.indices.filter { ds.images[$0].boxCount == 0 }
        count = 0
        for i in random.shuffled(background) where count < quotas.background && !taken.contains(i) {
            take(i, "background", "no labels")
            count += 1
        }

        count = 0
        for i in random.shuffled(Array(ds.images.indices)) where count < quotas.random && !taken.contains(i) {
            take(i, "random", "random pick")
            count += 1
        }
        return picks
    }

    public struct Flagged: Sendable {
        public var image: String
        public var score: Double
        public var count: Int
        /// The image's highest-scored finding: it names the row's finding_id.
        public var top: Finding
    }

    /// Images by their strongest finding (a finding without a score ranks by severity),
    /// ties broken by how many findings they have, then by path. Findings covered by a
    /// documented exception are not flags.
    public static func rankFlagged(_ findings: [Finding]) -> [Flagged] {
        // Per image: a slot with the score, the count and the index of the top finding.
        // Findings are only copied once, into the result (tens of thousands of them made
        // this a visible share of a large run's report when they were copied per update).
        var slotOfImage: [String: Int] = [:]
        var images: [String] = [], scores: [Double] = [], counts: [Int] = [], tops: [Int] = []
        for index in findings.indices where findings[index].exception == nil {
            guard let image = findings[index].image else { continue }
            let severity = findings[index].severity
            let score = findings[index].score ?? (severity == .error ? 0.5 : severity == .warning ? 0.25 : 0.1)
            if let slot = slotOfImage[image] {
                counts[slot] += 1
                if score > scores[slot] { scores[slot] = score; tops[slot] = index }
            } else {
                slotOfImage[image] = images.count
                images.append(image); scores.append(score); counts.append(1); tops.append(index)
            }
        }
        let order = images.indices.sorted { a, b in
            scores[a] != scores[b] ? scores[a] > scores[b] : (counts[a] != counts[b] ? counts[a] > counts[b] : images[a] < images[b])
        }
        return order.map { Flagged(image: images[$0], score: scores[$0], count: counts[$0], top: findings[tops[$0]]) }
    }

    static func format(_ x: Double) -> String {
        let hundredths = Int((x * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }

    static func shortened(_ text: String, limit: Int = 140) -> String {
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        return line.count <= limit ? line : String(line.prefix(limit - 1)) + "…"
    }
}
