import Foundation

/// Candidates for the label checks that need no model: broken boxes (`bad_box`,
/// `duplicate_box`, `tiny_box`), images with far fewer labels than comparable ones
/// (`count_outlier`) and boxes whose size and aspect belong to another class
/// (`geometry_outlier`). As with `LabelCandidates`, the options are the rule's
/// thresholds; each candidate carries its evidence and the rule decides.
public enum LabelIssues {

    // MARK: - unknown_class

    /// (image, box) of every box whose class id is not in the dataset's names, in order.
    /// Ids are tested against a dense table of the known ones, not hashed per box.
    public static func unknownClassBoxes(_ ds: Dataset) -> [(image: Int, label: Int)] {
        let known = DenseClassIndex(ds.classNames.keys.sorted())
        var out: [(image: Int, label: Int)] = []
        for i in ds.images.indices {
            let b0 = max(0, Int(ds.images[i].boxStart)), b1 = min(ds.boxes.count, Int(ds.images[i].boxEnd))
            guard b0 < b1 else { continue }
            for l in b0..<b1 where known[Int(ds.boxes[l].classId)] < 0 { out.append((i, l)) }
        }
        return out
    }

    // MARK: - bad_box, duplicate_box, tiny_box

    public struct BoxOptions: Hashable, Sendable {
        /// Pixels a box may reach past an image edge before it counts as out of bounds
        /// (absorbs converter rounding, e.g. normalised values 1e-6 past 1).
        public var outOfBoundsTolerance: Double = 1.0
        /// Same-class boxes of one image overlapping at IoU ≥ this are duplicates.
        public var duplicateIoU: Double = 0.9
        /// Training image size: the longer side is resized to this (Ultralytics letterbox).
        public var imgsz: Double = 640
        /// A box whose shorter side is below this many pixels at `imgsz` is tiny.
        public var tinyPixels: Double = 3
        public init() {}
    }

    public enum BoxIssueKind: String, Sendable { case degenerate, outOfBounds = "out_of_bounds", duplicate, tiny }

    public struct BoxIssue: Sendable, Equatable {
        public var kind: BoxIssueKind
        public var image: Int
        /// Global index into `dataset.boxes`.
        public var label: Int
        /// duplicate: the earlier box it repeats (global), else −1.
        public var other: Int = -1
        /// out_of_bounds: the farthest distance past an edge (px) and the share of area outside.
        public var overhang: Double = 0
        public var outside: Double = 0
        /// duplicate: IoU with `other`.
        public var iou: Double = 0
        /// tiny: width and height in pixels at `imgsz`.
        public var scaledWidth: Double = 0
        public var scaledHeight: Double = 0
    }

    public struct BoxReport: Sendable {
        public var options: BoxOptions
        public var issues: [BoxIssue] = []
        public var checkedBoxes = 0
        /// Images with boxes whose size is unknown: bounds and tiny sizes were not checked there.
        public var unsizedImages = 0
    }

    public static func boxes(_ ds: Dataset, _ o: BoxOptions) -> BoxReport {
        var report = BoxReport(options: o)
        let boxes = ds.boxes
        var usable: [Int] = []
        for (i, image) in ds.images.enumerated() {
            let b0 = max(0, Int(image.boxStart)), b1 = min(boxes.count, Int(image.boxEnd))
            guard b1 > b0 else { continue }
            let W = Double(image.width), H = Double(image.height)
            let sized = W > 0 && H > 0 && !ds.normalizedBoxes
            if !sized { report.unsizedImages += 1 }
            let scale = sized ? o.imgsz / max(W, H) : 0
            usable.removeAll(keepingCapacity: true)
            for l in b0..<b1 {
                report.checkedBoxes += 1
                let b = boxes[l], r = BoxGeometry.Rect(b)
                if BoxGeometry.isDegenerate(r) {
                    report.issues.append(BoxIssue(kind: .degenerate, image: i, label: l))
                    continue
                }
                if sized {
                    let c = BoxGeometry.clip(r, width: W, height: H)
                    if c.overhang > o.outOfBoundsTolerance {
                        report.issues.append(BoxIssue(kind: .outOfBounds, image: i, label: l,
                                                      overhang: c.overhang, outside: c.outsideFraction))
                    }
                    // Size as trained: what is left inside the image, resized.
                    let w = c.rect.width * scale, h = c.rect.height * scale
                    if !b.isCrowd && min(w, h) < o.tinyPixels && c.outsideFraction < 1 {
                        report.issues.append(BoxIssue(kind: .tiny, image: i, label: l, scaledWidth: w, scaledHeight: h))
                    }
                }
                if b.isCrowd { continue }
                // Same class and overlapping: a repeat of an earlier line/annotation.
                for k in usable where boxes[k].classId == b.classId {
                    let v = BoxGeometry.iou(BoxGeometry.Rect(boxes[k]), r)
                    if v >= o.duplicateIoU {
                        report.issues.append(BoxIssue(kind: .duplicate, image: i, label: l, other: k, iou: v))
                        break
                    }
                }
                usable.append(l)
            }
        }
        return report
    }

    // MARK: - pairs of boxes (edge-case rules)

    public struct BoxPair: Sendable, Equatable {
        public var image: Int
        /// Global indexes into `dataset.boxes`.
        public var a: Int
        public var b: Int
        /// Share of `a`'s area covered by `b`, and their IoU.
        public var coverage: Double
        public var iou: Double
    }

    /// Every pair of boxes of one image where a box of class `classA` is covered by a box
    /// of class `classB` (a different box) to at least `minCoverage` of its area — the
    /// question edge-case rules ask ("a person box covering > 80% of a forklift box")
    /// without a per-box loop in Lua.
    public static func pairs(_ ds: Dataset, classA: Int32, classB: Int32, minCoverage: Double) -> [BoxPair] {
        var out: [BoxPair] = []
        let boxes = ds.boxes
        for (i, image) in ds.images.enumerated() {
            let b0 = max(0, Int(image.boxStart)), b1 = min(boxes.count, Int(image.boxEnd))
            guard b1 - b0 >= 2 else { continue }
            for ja in b0..<b1 where boxes[ja].classId == classA {
                let ra = BoxGeometry.Rect(boxes[ja])
                for jb in b0..<b1 where jb != ja && boxes[jb].classId == classB {
                    let rb = BoxGeometry.Rect(boxes[jb])
                    let c = BoxGeometry.coverage(of: ra, by: rb)
                    if c >= minCoverage && c > 0 {
                        out.append(BoxPair(image: i, a: ja, b: jb, coverage: c, iou: BoxGeometry.iou(ra, rb)))
                    }
                }
            }
        }
        return out
    }

    // MARK: - count_outlier

    public struct CountOptions: Hashable, Sendable {
        /// A group (or, for images without a group, a split) needs this many images for
        /// its median and spread to mean anything.
        public var minReferenceImages: Int = 5
        /// Robust z-score (count − median) / max(scaled MAD, `minScale`) at or below which
        /// an image is a candidate.
        public var maxZ: Double = -3.0
        /// …and it must have at least this many labels fewer than the median…
        public var minFewer: Double = 3
        /// …and at most this share of the median.
        public var maxShare: Double = 0.5
        /// Floor for the spread (in boxes), so a group of identical counts does not turn
        /// "one box fewer" into an infinite z-score.
        public var minScale: Double = 1.0
        public init() {}
    }

    public struct CountOutlier: Sendable, Equatable {
        public var image: Int
        public var count: Int
        /// The group key compared within, or nil when compared with the whole split.
        public var group: String?
        public var referenceImages: Int
        public var median: Double
        /// Scaled MAD of the reference's counts.
        public var mad: Double
        public var z: Double
    }

    public struct CountReport: Sendable {
        public var options: CountOptions
        public var candidates: [CountOutlier] = []
        /// Images compared within their group, within their split, and not at all.
        public var comparedInGroup = 0
        public var comparedInSplit = 0
        public var notCompared = 0
        public var groups = 0
    }

    /// `keys[i]` is image i's group key (nil: none). Images of a group smaller than
    /// `minReferenceImages`, and images without a key, are compared with their split.
    public static func countOutliers(_ ds: Dataset, keys: [String?], _ o: CountOptions) -> CountReport {
        var report = CountReport(options: o)
        let n = ds.images.count
        let grouping = ImageGrouping.build(keys: Array(keys.prefix(n)) + [String?](repeating: nil, count: max(0, n - keys.count)),
                                           splits: ds.images.map(\.split), splitCount: ds.splits.count)
        let counts = ds.images.map { Double(max(0, $0.boxCount)) }
        // Reference of each image: group index, or −(split + 2) for its split, −1 none.
        var reference = [Int](repeating: -1, count: n)
        var stats: [Int: (median: Double, mad: Double, size: Int, key: String?)] = [:]
        for (g, group) in grouping.groups.enumerated() where group.imageCount >= o.minReferenceImages {
            let members = grouping.images(of: g).map { counts[Int($0)] }
            stats[g] = (RobustStats.median(members), RobustStats.mad(members), members.count, group.key)
            for m in grouping.images(of: g) { reference[Int(m)] = g }
            report.groups += 1
        }
        var bySplit: [Int: [Int]] = [:]
        for i in 0..<n where reference[i] < 0 { bySplit[max(0, Int(ds.images[i].split)), default: []].append(i) }
        for (split, members) in bySplit where members.count >= o.minReferenceImages {
            let values = members.map { counts[$0] }
            let key = -(split + 2)
            stats[key] = (RobustStats.median(values), RobustStats.mad(values), values.count, nil)
            for m in members { reference[m] = key }
        }
        for i in 0..<n {
            let r = reference[i]
            guard r != -1, let s = stats[r] else { report.notCompared += 1; continue }
            if r >= 0 { report.comparedInGroup += 1 } else { report.comparedInSplit += 1 }
            let c = counts[i]
            let z = (c - s.median) / max(s.mad, o.minScale)
            if z <= o.maxZ && s.median - c >= o.minFewer && c <= o.maxShare * s.median {
                report.candidates.append(CountOutlier(image: i, count: Int(c), group: s.key, referenceImages: s.size,
                                                      median: s.median, mad: s.mad, z: z))
            }
        }
        return report
    }

    // MARK: - geometry_outlier

    public struct GeometryOptions: Hashable, Sendable {
        /// Classes with fewer usable boxes get no profile (neither judged nor suggested).
        public var minClassBoxes: Int = 30
        /// Distance from the box's own class profile (robust z, size and aspect combined)
        /// at or above which it is a candidate…
        public var ownZ: Double = 5
        /// …when another class's profile lies within this distance.
        public var otherZ: Double = 2
        /// Floor for the per-class spread of log size and log aspect.
        public var minScale: Double = 0.05
        public init() {}
    }

    /// A class's typical geometry: medians and scaled MADs of log relative size
    /// (√area / √image area) and log aspect (w / h).
    public struct ClassProfile: Sendable, Equatable {
        public var classId: Int
        public var boxes: Int
        public var logSizeMedian: Double
        public var logSizeScale: Double
        public var logAspectMedian: Double
        public var logAspectScale: Double

        @inlinable
        public func distance(logSize: Double, logAspect: Double) -> Double {
            let a = (logSize - logSizeMedian) / logSizeScale, b = (logAspect - logAspectMedian) / logAspectScale
            return (a * a + b * b).squareRoot()
        }
    }

    public struct GeometryOutlier: Sendable, Equatable {
        public var image: Int
        public var label: Int
        /// Distance from its own class profile. Boxes touching the image border are not
        /// judged (their objects are cut off), only counted in the profiles.
        public var ownZ: Double
        /// The closest other class and its distance.
        public var otherClass: Int
        public var otherZ: Double
        /// √area / √image area and w / h of the box.
        public var relativeSize: Double
        public var aspect: Double
    }

    public struct GeometryReport: Sendable {
        public var options: GeometryOptions
        public var profiles: [ClassProfile] = []
        public var candidates: [GeometryOutlier] = []
        public var checkedBoxes = 0
    }

    public static func geometryOutliers(_ ds: Dataset, _ o: GeometryOptions) -> GeometryReport {
        var report = GeometryReport(options: o)
        // Features of every usable box: known class, not crowd, not degenerate, sized image.
        var feats: [(label: Int, image: Int, logSize: Double, logAspect: Double, judged: Bool)] = []
        feats.reserveCapacity(ds.boxes.count)
        var byClass: [Int: [Int]] = [:]
        for (i, image) in ds.images.enumerated() {
            let W = Double(image.width), H = Double(image.height)
            guard W > 0, H > 0, !ds.normalizedBoxes else { continue }
            let side = (W * H).squareRoot()
            let b0 = max(0, Int(image.boxStart)), b1 = min(ds.boxes.count, Int(image.boxEnd))
            guard b1 > b0 else { continue }
            for l in b0..<b1 {
                let b = ds.boxes[l]
                guard !b.isCrowd, ds.classNames[Int(b.classId)] != nil else { continue }
                let r = BoxGeometry.clip(BoxGeometry.Rect(b), width: W, height: H).rect
                guard !BoxGeometry.isDegenerate(r, epsilon: 0.5) else { continue }
                // A box at the image border holds a cut-off object (or is out of bounds):
                // its shape is not the object's, so it informs the profile but is not judged.
                let inside = b.x1 > 1 && b.y1 > 1 && b.x2 < W - 1 && b.y2 < H - 1
                byClass[Int(b.classId), default: []].append(feats.count)
                feats.append((l, i, log(BoxGeometry.linearSize(r) / side), log(r.width / r.height), inside))
            }
        }
        for id in byClass.keys.sorted() {
            let members = byClass[id]!
            guard members.count >= o.minClassBoxes else { continue }
            let sizes = members.map { feats[$0].logSize }, aspects = members.map { feats[$0].logAspect }
            report.profiles.append(ClassProfile(classId: id, boxes: members.count,
                                                logSizeMedian: RobustStats.median(sizes),
                                                logSizeScale: max(o.minScale, RobustStats.mad(sizes)),
                                                logAspectMedian: RobustStats.median(aspects),
                                                logAspectScale: max(o.minScale, RobustStats.mad(aspects))))
        }
        guard report.profiles.count >= 2 else {
            report.checkedBoxes = report.profiles.reduce(0) { $0 + $1.boxes }
            return report
        }
        for (k, profile) in report.profiles.enumerated() {
            for f in byClass[profile.classId]! {
                let x = feats[f]
                guard x.judged else { continue }
                report.checkedBoxes += 1
                let own = profile.distance(logSize: x.logSize, logAspect: x.logAspect)
                guard own >= o.ownZ else { continue }
                var best = -1, bestZ = Double.infinity
                for (j, other) in report.profiles.enumerated() where j != k {
                    let d = other.distance(logSize: x.logSize, logAspect: x.logAspect)
                    if d < bestZ { bestZ = d; best = j }
                }
                guard best >= 0, bestZ <= o.otherZ else { continue }
                report.candidates.append(GeometryOutlier(image: x.image, label: x.label, ownZ: own,
                                                         otherClass: report.profiles[best].classId, otherZ: bestZ,
                                                         relativeSize: exp(x.logSize), aspect: exp(x.logAspect)))
            }
        }
        report.candidates.sort { $0.label < $1.label }
        return report
    }
}
