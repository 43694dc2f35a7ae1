import Foundation

/// Candidates for the prediction-based label checks — `missing_box`, `wrong_class`,
/// `loose_box`/`tight_box` — found in one native pass over every image's labels and
/// predictions. Each candidate carries its evidence (IoU, confidence, coverage, area
/// ratio); whether it becomes a finding, with which score and severity, is the rule's
/// decision in Lua. The options below are the rule's thresholds, passed in so that only
/// candidates, not all 10⁶ boxes, cross into Lua.
///
/// ## Why nesting, not IoU, pairs badly sized boxes
/// A label drawn ×s per side around its object has IoU 1/s² with a tight prediction:
/// ×1.3 → 0.59, ×1.7 → 0.35, and ×0.55 → 0.30 the other way. An IoU ≥ 0.5 rule leaves
/// most such labels unpaired, and their predictions then look like missing labels. The
/// shape a sloppy box leaves is *nesting*: the prediction lies inside a loose label, a
/// tight label lies inside its prediction. So a same-class pair counts as nested when
/// ≥ `nestCoverage` of the smaller box is covered by the larger one.
///
/// ## Explained predictions
/// A prediction that another label of its own class already fits (IoU ≥ `explainedIoU`)
/// is that label's detection, not evidence against a neighbour: a person on a bicycle
/// must not turn the bicycle's prediction into a `wrong_class` on the person, and a
/// child's prediction inside a parent's box must not make the parent's box "loose".
public enum LabelCandidates {

    // MARK: - missing_box

    public struct MissingOptions: Hashable, Sendable {
        /// Predictions below this confidence are not considered at all.
        public var minConfidence: Double = 0.5
        /// A label of any class at IoU ≥ this covers the prediction (class-agnostic, so a
        /// wrongly classed label is reported once, as wrong_class, not also as missing).
        public var coverIoU: Double = 0.3
        /// A same-class label nested with the prediction (≥ this share of the smaller box
        /// covered) covers it too: a loose or tight label, not a missing one.
        public var nestCoverage: Double = 0.85
        /// A crowd region covering ≥ this share of the prediction covers it.
        public var crowdCoverage: Double = 0.5
        /// Uncovered predictions overlapping a more confident uncovered one at IoU ≥ this
        /// (any class) are the same object found twice; only the most confident is kept.
        public var duplicateIoU: Double = 0.5
        public init() {}
    }

    public struct Missing: Sendable, Equatable {
        public var image: Int
        /// Global index into `dataset.predictions`.
        public var prediction: Int
        /// The label of any class overlapping the prediction most (global), −1 when none.
        public var bestLabel: Int
        public var bestLabelIoU: Double
        /// Uncovered predictions of lower confidence folded into this one.
        public var duplicates: Int
    }

    public struct MissingReport: Sendable {
        public var options: MissingOptions
        public var candidates: [Missing] = []
        /// Predictions at or above the confidence floor.
        public var eligible = 0
        public var coveredByIoU = 0
        public var coveredByNesting = 0
        public var coveredByCrowd = 0
        /// Uncovered predictions dropped as duplicates of a more confident one.
        public var suppressed = 0
    }

    public static func missing(_ ds: Dataset, _ o: MissingOptions, overlaps: OverlapTable? = nil) -> MissingReport {
        let table = overlaps ?? OverlapTable.build(ds)
        let parts = inChunks(ds, table) { cursor, images -> MissingReport in
            var report = MissingReport(options: o)
            let boxes = ds.boxes, preds = ds.predictions
            // Uncovered predictions of the current image with their best label and its IoU.
            var local: [(prediction: Int, best: Int, iou: Double)] = []
            var kept: [Int] = []  // indexes into report.candidates
            for i in images {
                guard let (_, _, p0, p1) = ranges(ds.images, i, boxes.count, preds.count), p1 > p0 else { continue }
                local.removeAll(keepingCapacity: true)
                let image = cursor.image(i)
                @inline(__always) func pair(_ k: Int) -> OverlapTable.Pair { cursor.pairByPrediction(k, in: image) }
                // The image's pairs by prediction: `next` walks along p.
                var next = image.lowerBound
                for p in p0..<p1 {
                    while next < image.upperBound && Int(pair(next).prediction) < p { next += 1 }
                    let q = preds[p]
                    guard q.confidence >= o.minConfidence else { continue }
                    let qr = BoxGeometry.Rect(q)
                    guard !BoxGeometry.isDegenerate(qr) else { continue }
                    report.eligible += 1
                    var best = -1, bestIoU = 0.0, nested = false, crowd = false
                    var k = next
                    while k < image.upperBound && Int(pair(k).prediction) == p {
                        let overlap = pair(k)
                        k += 1
                        let l = Int(overlap.label), b = boxes[l], br = BoxGeometry.Rect(b)
                        if b.isCrowd {
                            if BoxGeometry.coverage(of: qr, by: br) >= o.crowdCoverage { crowd = true }
                            continue
                        }
                        if overlap.iou > bestIoU { bestIoU = overlap.iou; best = l }
                        if !nested && b.classId == q.classId && nestedShare(qr, br) >= o.nestCoverage { nested = true }
                    }
                    if bestIoU >= o.coverIoU { report.coveredByIoU += 1 }
                    else if nested { report.coveredByNesting += 1 }
                    else if crowd { report.coveredByCrowd += 1 }
                    else { local.append((p, best, bestIoU)) }
                }
                guard !local.isEmpty else { continue }
                // Most confident first; a later one overlapping a kept one is the same object again.
                local.sort { a, b in
                    let ca = preds[a.prediction].confidence, cb = preds[b.prediction].confidence
                    return ca != cb ? ca > cb : a.prediction < b.prediction
                }
                kept.removeAll(keepingCapacity: true)
                for u in local {
                    let r = BoxGeometry.Rect(preds[u.prediction])
                    if let k = kept.first(where: {
                        BoxGeometry.iou(BoxGeometry.Rect(preds[report.candidates[$0].prediction]), r) >= o.duplicateIoU
                    }) {
                        report.candidates[k].duplicates += 1
                        report.suppressed += 1
                        continue
                    }
                    kept.append(report.candidates.count)
                    report.candidates.append(Missing(image: i, prediction: u.prediction, bestLabel: u.best,
                                                     bestLabelIoU: u.iou, duplicates: 0))
                }
            }
            return report
        }
        var report = MissingReport(options: o)
        for part in parts {
            report.candidates += part.candidates
            report.eligible += part.eligible
            report.coveredByIoU += part.coveredByIoU
            report.coveredByNesting += part.coveredByNesting
            report.coveredByCrowd += part.coveredByCrowd
            report.suppressed += part.suppressed
        }
        return report
    }

    // MARK: - wrong_class

    public struct ClassOptions: Hashable, Sendable {
        /// Confidence the other-class prediction needs.
        public var minConfidence: Double = 0.6
        /// IoU the other-class prediction needs with the label.
        public var minIoU: Double = 0.5
        /// Same-class predictions at IoU ≥ this are reported as agreement (`agree*`).
        public var agreeIoU: Double = 0.3
        /// An other-class prediction that a label of its own class fits at IoU ≥ this is
        /// that label's detection and not considered.
        public var explainedIoU: Double = 0.5
        public init() {}
    }

    public struct ClassCandidate: Sendable, Equatable {
        public var image: Int
        /// Global index into `dataset.boxes`.
        public var label: Int
        /// The most confident other-class prediction meeting the options (global).
        public var prediction: Int
        public var iou: Double
        /// The most confident same-class prediction at IoU ≥ `agreeIoU` (global), −1 when none.
        public var agree: Int
        public var agreeConfidence: Double
        public var agreeIoU: Double
    }

    public static func wrongClass(_ ds: Dataset, _ o: ClassOptions, overlaps: OverlapTable? = nil) -> [ClassCandidate] {
        let boxes = ds.boxes, preds = ds.predictions
        return labelRuns(ds, overlaps ?? OverlapTable.build(ds)) { (cursor, i, image, l, run, out: inout [ClassCandidate]) in
            let b = boxes[l], pairs = cursor.pairs
            guard !b.isCrowd, !BoxGeometry.isDegenerate(BoxGeometry.Rect(b)) else { return }
            var other = -1, otherConf = -1.0, otherIoU = 0.0
            var agree = -1, agreeConf = -1.0, agreeIoU = 0.0
            for k in run {
                let p = Int(pairs[k].prediction), v = pairs[k].iou
                let q = preds[p]
                if q.classId == b.classId {
                    if q.confidence > agreeConf && v >= o.agreeIoU { agree = p; agreeConf = q.confidence; agreeIoU = v }
                } else {
                    guard q.confidence >= o.minConfidence, q.confidence >= otherConf, q.confidence.isFinite else { continue }
                    if v >= o.minIoU && (q.confidence > otherConf || v > otherIoU)
                        && !explained(prediction: p, classId: q.classId, boxes: boxes, cursor, image, except: l, o.explainedIoU) {
                        other = p; otherConf = q.confidence; otherIoU = v
                    }
                }
            }
            if other >= 0 {
                out.append(ClassCandidate(image: i, label: l, prediction: other, iou: otherIoU, agree: agree,
                                          agreeConfidence: max(0, agreeConf), agreeIoU: agreeIoU))
            }
        }
    }

    // MARK: - loose_box / tight_box

    public struct FitOptions: Hashable, Sendable {
        /// Same-class predictions below this confidence are ignored.
        public var minConfidence: Double = 0.5
        /// Share of the smaller box the larger must cover for the pair to count as nested.
        public var nestCoverage: Double = 0.85
        /// A label with a same-class prediction at IoU ≥ this fits; no candidate.
        public var fitIoU: Double = 0.7
        /// Label area / prediction area ≥ this → loose; ≤ 1/this → tight.
        public var minAreaRatio: Double = 1.35
        /// A prediction another same-class label fits at IoU ≥ this belongs to that label.
        public var explainedIoU: Double = 0.5
        public init() {}
    }

    public struct FitCandidate: Sendable, Equatable {
        public var image: Int
        public var label: Int
        public var prediction: Int
        /// IoU of label and prediction.
        public var iou: Double
        /// Label area / prediction area: > 1 loose, < 1 tight.
        public var areaRatio: Double
        /// Share of the smaller box covered by the larger.
        public var coverage: Double
        /// The label's best same-class IoU among eligible predictions (below `fitIoU`).
        public var bestIoU: Double
        /// Eligible same-class predictions nested in the label the same way (≥ 1).
        public var nestedCount: Int
        public var isLoose: Bool { areaRatio > 1 }
    }

    public static func fit(_ ds: Dataset, _ o: FitOptions, overlaps: OverlapTable? = nil) -> [FitCandidate] {
        let boxes = ds.boxes, preds = ds.predictions
        return labelRuns(ds, overlaps ?? OverlapTable.build(ds)) { (cursor, i, image, l, run, out: inout [FitCandidate]) in
            let b = boxes[l], pairs = cursor.pairs
            guard !b.isCrowd else { return }
            let br = BoxGeometry.Rect(b)
            guard !BoxGeometry.isDegenerate(br) else { return }
            let la = BoxGeometry.area(br)
            var chosen = -1, chosenConf = -1.0, chosenIoU = 0.0, chosenRatio = 0.0, chosenCover = 0.0
            var bestIoU = 0.0, nestedCount = 0
            for k in run {
                let p = Int(pairs[k].prediction), v = pairs[k].iou
                let q = preds[p]
                guard q.classId == b.classId, q.confidence >= o.minConfidence else { continue }
                if v >= o.fitIoU { return }  // a prediction fits this label
                bestIoU = max(bestIoU, v)
                let qr = BoxGeometry.Rect(q)
                let qa = BoxGeometry.area(qr)
                guard qa > 0 else { continue }
                let ratio = la / qa
                guard ratio >= o.minAreaRatio || ratio <= 1 / o.minAreaRatio else { continue }
                let cover = BoxGeometry.intersection(br, qr) / min(la, qa)
                guard cover >= o.nestCoverage else { continue }
                guard !explained(prediction: p, classId: q.classId, boxes: boxes, cursor, image, except: l, o.explainedIoU) else { continue }
                if chosen >= 0 && (ratio > 1) != (chosenRatio > 1) { continue }  // keep one direction
                nestedCount += 1
                if q.confidence > chosenConf || (q.confidence == chosenConf && v > chosenIoU) {
                    chosen = p; chosenConf = q.confidence; chosenIoU = v; chosenRatio = ratio; chosenCover = cover
                }
            }
            if chosen >= 0 {
                out.append(FitCandidate(image: i, label: l, prediction: chosen, iou: chosenIoU, areaRatio: chosenRatio,
                                        coverage: min(1, chosenCover), bestIoU: bestIoU, nestedCount: nestedCount))
            }
        }
    }

    // MARK: - calibration

    public struct Calibration: Sendable, Equatable {
        /// Non-crowd labels, and those a same-class prediction confirms.
        public var labels = 0
        public var confirmed = 0
        /// Percentiles 0…100 of the confirming predictions' confidences; empty when none.
        public var percentiles: [Double] = []
    }

    /// How this model scores real objects: for each label, the most confident same-class
    /// prediction at IoU ≥ `iou` confirms it; the percentiles of those confidences let
    /// rules express confidence floors in the model's own scale.
    public static func calibration(_ ds: Dataset, iou: Double, overlaps: OverlapTable? = nil) -> Calibration {
        let boxes = ds.boxes, preds = ds.predictions
        var c = Calibration()
        for i in ds.images.indices {
            guard let (b0, b1, _, _) = ranges(ds.images, i, boxes.count, preds.count) else { continue }
            for l in b0..<b1 where !boxes[l].isCrowd { c.labels += 1 }
        }
        let confidences = labelRuns(ds, overlaps ?? OverlapTable.build(ds)) { (cursor, _, _, l, run, out: inout [Double]) in
            let b = boxes[l], pairs = cursor.pairs
            guard !b.isCrowd else { return }
            var best = -1.0
            for k in run {
                let q = preds[Int(pairs[k].prediction)]
                guard q.classId == b.classId, q.confidence > best, q.confidence.isFinite else { continue }
                if pairs[k].iou >= iou { best = q.confidence }
            }
            if best >= 0 { out.append(best) }
        }
        c.confirmed = confidences.count
        if !confidences.isEmpty {
            c.percentiles = RobustStats.percentiles(confidences, (0...100).map(Double.init))
        }
        return c
    }

    // MARK: - shared

    /// Every label that overlaps at least one prediction, image by image on all cores:
    /// `visit(cursor, image, imagePairs, label, run, &out)` with `cursor.pairs[run]` the
    /// label's pairs in prediction order. The outputs come back in image order.
    static func labelRuns<T>(_ ds: Dataset, _ table: OverlapTable,
                             _ visit: (OverlapTable.Cursor, Int, Range<Int>, Int, Range<Int>, inout [T]) -> Void) -> [T] {
        inChunks(ds, table) { cursor, images -> [T] in
            var out: [T] = []
            for i in images {
                let image = cursor.image(i), pairs = cursor.pairs
                var next = image.lowerBound
                while next < image.upperBound {
                    let l = Int(pairs[next].label), start = next
                    while next < image.upperBound && Int(pairs[next].label) == l { next += 1 }
                    visit(cursor, i, image, l, start..<next, &out)
                }
            }
            return out
        }.flatMap { $0 }
    }

    /// Runs `body` over consecutive runs of images on all cores, results in image order
    /// (so every pass returns exactly what one thread walking the images would).
    static func inChunks<T>(_ ds: Dataset, _ table: OverlapTable,
                            _ body: (inout OverlapTable.Cursor, Range<Int>) -> T) -> [T] {
        let (jobs, chunkSize) = chunking(ds)
        return Parallel.mapChunks(count: ds.images.count, chunkSize: chunkSize, jobs: jobs,
                                  makeState: { OverlapTable.Cursor(table) }, body: body)
    }

    /// `inChunks` with a second value per worker beside its cursor (made once per worker by
    /// `makeState`, e.g. a tally the worker adds to), for passes that accumulate rather
    /// than return per-chunk results.
    static func inChunks<State>(_ ds: Dataset, _ table: OverlapTable, makeState: @escaping () -> State,
                                _ body: (inout OverlapTable.Cursor, State, Range<Int>) -> Void) {
        let (jobs, chunkSize) = chunking(ds)
        _ = Parallel.mapChunks(count: ds.images.count, chunkSize: chunkSize, jobs: jobs,
                               makeState: { (cursor: OverlapTable.Cursor(table), state: makeState()) }) { worker, images in
            body(&worker.cursor, worker.state, images)
        }
    }

    /// All cores, eight chunks each (at least 512 images) so a slow chunk leaves no core idle.
    private static func chunking(_ ds: Dataset) -> (jobs: Int, chunkSize: Int) {
        let jobs = ProcessInfo.processInfo.activeProcessorCount
        return (jobs, Swift.max(512, (ds.images.count + jobs * 8 - 1) / (jobs * 8)))
    }

    /// Share of the smaller of two boxes covered by the larger (0 when either has no area).
    @inlinable
    public static func nestedShare(_ a: BoxGeometry.Rect, _ b: BoxGeometry.Rect) -> Double {
        let aa = BoxGeometry.area(a), ba = BoxGeometry.area(b)
        let smaller = min(aa, ba)
        guard smaller > 0 else { return 0 }
        return min(1, BoxGeometry.intersection(a, b) / smaller)
    }

    /// True when a label of `classId` other than `except` fits prediction `p` at IoU ≥
    /// `threshold` (the prediction is that label's detection).
    static func explained(prediction p: Int, classId: Int32, boxes: [BoxLabel], _ cursor: OverlapTable.Cursor,
                          _ image: Range<Int>, except: Int, _ threshold: Double) -> Bool {
        // The image's pairs by prediction: binary search for p's run.
        var lo = image.lowerBound, hi = image.upperBound
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(cursor.pairByPrediction(mid, in: image).prediction) < p { lo = mid + 1 } else { hi = mid }
        }
        while lo < image.upperBound {
            let pair = cursor.pairByPrediction(lo, in: image)
            guard Int(pair.prediction) == p else { break }
            let k = Int(pair.label)
            if k != except && boxes[k].classId == classId && !boxes[k].isCrowd && pair.iou >= threshold { return true }
            lo += 1
        }
        return false
    }

    /// Image i's box and prediction ranges, or nil when they fall outside the flat arrays.
    /// Reads the fields in place: binding the record would retain and release its strings.
    static func ranges(_ images: [ImageRecord], _ i: Int, _ boxCount: Int, _ predCount: Int) -> (Int, Int, Int, Int)? {
        let b0 = Int(images[i].boxStart), b1 = Int(images[i].boxEnd)
        let p0 = Int(images[i].predictionStart), p1 = Int(images[i].predictionEnd)
        guard 0 <= b0, b0 <= b1, b1 <= boxCount, 0 <= p0, p0 <= p1, p1 <= predCount else { return nil }
        return (b0, b1, p0, p1)
    }
}
