import Dispatch
import Foundation

/// Matches model predictions to labels, image by image: the evidence behind
/// `missing_box` (a confident prediction no label takes), `wrong_class`/`class_swap`
/// (a label whose best prediction has another class) and `loose_box`/`tight_box`
/// (a label whose best same-class prediction overlaps it only partly).
///
/// ## The greedy rule
/// Predictions of one image are visited by confidence, highest first (ties: lower index
/// first). Each takes the not-yet-taken label with the highest IoU among those with
/// IoU ≥ `iouThreshold` **and** IoU > 0 (so a threshold of 0 never pairs disjoint boxes);
/// with `classAware` the label must have the prediction's class. Each label is taken at
/// most once. This is the COCO/Ultralytics evaluation rule, so counts agree with what
/// users see from `val`.
///
/// ## Low thresholds (loose-box detection)
/// A label drawn ×s per side around the true object (same center) has IoU 1/s² with a
/// tight prediction: ×1.3 → 0.59, ×1.5 → 0.44, ×1.7 → 0.35. At the usual 0.5 such labels
/// go unmatched and look like "missing label + false positive", so box_fit matches at a
/// low threshold (≈ 0.3). Greedy matching stays sensible there because each prediction
/// takes its *highest*-IoU free label, not the first one above the threshold: a
/// prediction's own object almost always overlaps it most. The failure mode is a crowd of
/// touching objects where a confident prediction's best free label is its neighbour's;
/// the neighbour's prediction then falls to its second choice or stays unmatched. To let
/// rules see through that, every label also reports its best same-class and best
/// any-class prediction *independently of the assignment*, including IoUs below the
/// threshold — "best IoU 0.41 with an unassigned prediction" is still a loose-box signal.
///
/// ## Crowd labels (COCO `iscrowd`)
/// Crowd regions are matched last, by intersection over the *prediction's* area
/// (COCO's rule), and may absorb any number of predictions: a detection inside a crowd
/// region is covered, not a missing label. For such a prediction `iou` holds that
/// intersection-over-prediction value. A crowd label's `prediction` is the most confident
/// prediction it absorbed.
///
/// ## Confidence filter
/// Predictions with confidence < `minConfidence` (or NaN) take no part: they match
/// nothing and are not anyone's best prediction. Their own `bestLabel` is still filled in.
public enum BoxMatching {
    /// Per prediction. Indices are image-local in `ImageMatch`, global (into
    /// `dataset.boxes`) in `MatchResult`; −1 means none (the `Int?` accessors wrap that).
    public struct PredictionMatch: Sendable, Equatable {
        // Int32 fields first: 24-byte stride instead of 32 (1.2M predictions → 29 MB, not 38).
        /// The label this prediction took, −1 when unmatched.
        public var label: Int32
        /// The label of any class overlapping this prediction most, −1 when none overlaps.
        /// Independent of the assignment; useful for "no label covers this box".
        public var bestLabel: Int32
        /// IoU with `label` (intersection over prediction area for crowd labels); 0 when unmatched.
        public var iou: Double
        public var bestLabelIoU: Double

        @inlinable public var matchedLabel: Int? { label >= 0 ? Int(label) : nil }
        @inlinable public var bestAnyLabel: Int? { bestLabel >= 0 ? Int(bestLabel) : nil }
        @inlinable public var isMatched: Bool { label >= 0 }

        public static let unmatched = PredictionMatch(label: -1, iou: 0, bestLabel: -1, bestLabelIoU: 0)

        @inlinable
        public init(label: Int32, iou: Double, bestLabel: Int32, bestLabelIoU: Double) {
            self.label = label; self.iou = iou; self.bestLabel = bestLabel; self.bestLabelIoU = bestLabelIoU
        }
    }

    /// Per label. Indices are image-local in `ImageMatch`, global (into
    /// `dataset.predictions`) in `MatchResult`; −1 means none.
    public struct LabelMatch: Sendable, Equatable {
        // Int32 fields first: 40-byte stride instead of 48.
        /// The prediction that took this label, −1 when unmatched.
        public var prediction: Int32
        /// The same-class eligible prediction overlapping this label most (any IoU > 0,
        /// also below the threshold and also when it was assigned elsewhere); −1 when none.
        public var bestPrediction: Int32
        /// The eligible prediction of any class overlapping this label most; −1 when none.
        /// Its class differing from the label's is the wrong_class / class_swap signal.
        public var bestAnyPrediction: Int32
        /// IoU of the matched pair; 0 when unmatched.
        public var iou: Double
        public var bestPredictionIoU: Double
        public var bestAnyPredictionIoU: Double

        @inlinable public var matchedPrediction: Int? { prediction >= 0 ? Int(prediction) : nil }
        @inlinable public var bestSameClassPrediction: Int? { bestPrediction >= 0 ? Int(bestPrediction) : nil }
        @inlinable public var bestAnyClassPrediction: Int? { bestAnyPrediction >= 0 ? Int(bestAnyPrediction) : nil }
        @inlinable public var isMatched: Bool { prediction >= 0 }

        public static let unmatched = LabelMatch(prediction: -1, iou: 0, bestPrediction: -1, bestPredictionIoU: 0,
                                                 bestAnyPrediction: -1, bestAnyPredictionIoU: 0)

        @inlinable
        public init(prediction: Int32, iou: Double, bestPrediction: Int32, bestPredictionIoU: Double,
                    bestAnyPrediction: Int32, bestAnyPredictionIoU: Double) {
            self.prediction = prediction; self.iou = iou
            self.bestPrediction = bestPrediction; self.bestPredictionIoU = bestPredictionIoU
            self.bestAnyPrediction = bestAnyPrediction; self.bestAnyPredictionIoU = bestAnyPredictionIoU
        }
    }

    /// Matching parameters, kept with results so reports can state what was used.
    public struct Parameters: Sendable, Equatable {
        public var iouThreshold: Double
        public var classAware: Bool
        public var minConfidence: Double
        public init(iouThreshold: Double = 0.5, classAware: Bool = true, minConfidence: Double = 0) {
            self.iouThreshold = iouThreshold; self.classAware = classAware; self.minConfidence = minConfidence
        }
    }

    /// One image's result, indices local to the slices passed in (0 = first label/prediction).
    public struct ImageMatch: Sendable, Equatable {
        public var predictions: [PredictionMatch]
        public var labels: [LabelMatch]
    }

    /// Whole-dataset result: `predictions[i]` belongs to `dataset.predictions[i]`,
    /// `labels[j]` to `dataset.boxes[j]`; all indices inside are global.
    public struct MatchResult: Sendable, Equatable {
        public var parameters: Parameters
        public var predictions: [PredictionMatch]
        public var labels: [LabelMatch]

        public var matchedLabelCount: Int { labels.reduce(0) { $0 + ($1.prediction >= 0 ? 1 : 0) } }
        public var matchedPredictionCount: Int { predictions.reduce(0) { $0 + ($1.label >= 0 ? 1 : 0) } }
    }

    // MARK: - Per image

    /// Matches one image's predictions to its labels. Indices in the result are local to
    /// the given slices.
    public static func match(labels: ArraySlice<BoxLabel>, predictions: ArraySlice<PredictionBox>,
                             iouThreshold: Double = 0.5, classAware: Bool = true,
                             minConfidence: Double = 0) -> ImageMatch {
        let params = Parameters(iouThreshold: iouThreshold, classAware: classAware, minConfidence: minConfidence)
        var predOut = [PredictionMatch](repeating: .unmatched, count: predictions.count)
        var labelOut = [LabelMatch](repeating: .unmatched, count: labels.count)
        let scratch = MatchScratch(labels: labels.count, predictions: predictions.count)
        labels.withUnsafeBufferPointer { lb in
            predictions.withUnsafeBufferPointer { pb in
                predOut.withUnsafeMutableBufferPointer { po in
                    labelOut.withUnsafeMutableBufferPointer { lo in
                        matchImage(labels: lb, predictions: pb, predOut: po, labelOut: lo,
                                   labelBase: 0, predictionBase: 0, params: params, scratch: scratch)
                    }
                }
            }
        }
        return ImageMatch(predictions: predOut, labels: labelOut)
    }

    /// Array convenience for `match(labels:predictions:…)`.
    public static func match(labels: [BoxLabel], predictions: [PredictionBox],
                             iouThreshold: Double = 0.5, classAware: Bool = true,
                             minConfidence: Double = 0) -> ImageMatch {
        match(labels: labels[...], predictions: predictions[...], iouThreshold: iouThreshold,
              classAware: classAware, minConfidence: minConfidence)
    }

    // MARK: - Whole dataset

    /// Matches every image of the dataset. `jobs` ≤ 0 means all active cores. Images are
    /// split into chunks run with `DispatchQueue.concurrentPerform`; each chunk writes a
    /// disjoint part of the output arrays. Images with box/prediction ranges outside the
    /// flat arrays are skipped (their entries stay unmatched); if ranges are not disjoint
    /// and ascending, the work runs on one thread so no entry is written twice at once.
    public static func match(dataset: Dataset, iouThreshold: Double = 0.5, classAware: Bool = true,
                             minConfidence: Double = 0, jobs: Int = 0) -> MatchResult {
        let params = Parameters(iouThreshold: iouThreshold, classAware: classAware, minConfidence: minConfidence)
        var predOut = [PredictionMatch](repeating: .unmatched, count: dataset.predictions.count)
        var labelOut = [LabelMatch](repeating: .unmatched, count: dataset.boxes.count)
        let images = dataset.images
        guard !images.isEmpty else {
            return MatchResult(parameters: params, predictions: predOut, labels: labelOut)
        }
        let disjoint = rangesAreAscendingAndDisjoint(images)
        let workers = disjoint ? (jobs > 0 ? jobs : ProcessInfo.processInfo.activeProcessorCount) : 1
        // Several chunks per worker so an image-heavy chunk does not leave a core idle.
        let chunkCount = Swift.min(images.count, Swift.max(1, workers * 8))
        let chunkSize = (images.count + chunkCount - 1) / chunkCount

        dataset.boxes.withUnsafeBufferPointer { allLabels in
            dataset.predictions.withUnsafeBufferPointer { allPredictions in
                predOut.withUnsafeMutableBufferPointer { po in
                    labelOut.withUnsafeMutableBufferPointer { lo in
                        let shared = SharedBuffers(labels: allLabels, predictions: allPredictions,
                                                   predOut: po, labelOut: lo)
                        let runChunk: @Sendable (Int) -> Void = { chunk in
                            let scratch = MatchScratch()
                            let start = chunk * chunkSize
                            let end = Swift.min(images.count, start + chunkSize)
                            guard start < end else { return }
                            for i in start..<end {
                                let image = images[i]
                                let b0 = Int(image.boxStart), b1 = Int(image.boxEnd)
                                let p0 = Int(image.predictionStart), p1 = Int(image.predictionEnd)
                                guard 0 <= b0, b0 <= b1, b1 <= shared.labels.count,
                                      0 <= p0, p0 <= p1, p1 <= shared.predictions.count else { continue }
                                if b0 == b1 && p0 == p1 { continue }
                                matchImage(labels: UnsafeBufferPointer(rebasing: shared.labels[b0..<b1]),
                                           predictions: UnsafeBufferPointer(rebasing: shared.predictions[p0..<p1]),
                                           predOut: UnsafeMutableBufferPointer(rebasing: shared.predOut[p0..<p1]),
                                           labelOut: UnsafeMutableBufferPointer(rebasing: shared.labelOut[b0..<b1]),
                                           labelBase: Int32(b0), predictionBase: Int32(p0),
                                           params: params, scratch: scratch)
                            }
                        }
                        if workers <= 1 || chunkCount == 1 {
                            for c in 0..<chunkCount { runChunk(c) }
                        } else {
                            DispatchQueue.concurrentPerform(iterations: chunkCount, execute: runChunk)
                        }
                    }
                }
            }
        }
        return MatchResult(parameters: params, predictions: predOut, labels: labelOut)
    }

    /// True when every image's ranges are valid or empty and non-empty ranges follow each
    /// other without overlap in image order — what the loaders produce. Only then may
    /// chunks write the outputs concurrently.
    static func rangesAreAscendingAndDisjoint(_ images: [ImageRecord]) -> Bool {
        var boxEnd: Int32 = 0, predEnd: Int32 = 0
        for image in images {
            if image.boxEnd > image.boxStart {
                if image.boxStart < boxEnd { return false }
                boxEnd = image.boxEnd
            }
            if image.predictionEnd > image.predictionStart {
                if image.predictionStart < predEnd { return false }
                predEnd = image.predictionEnd
            }
        }
        return true
    }

    // MARK: - Core

    /// Matches one image, writing into the output buffers (which start as `.unmatched`
    /// or are reset here). Output indices are local + base.
    static func matchImage(labels: UnsafeBufferPointer<BoxLabel>,
                           predictions: UnsafeBufferPointer<PredictionBox>,
                           predOut: UnsafeMutableBufferPointer<PredictionMatch>,
                           labelOut: UnsafeMutableBufferPointer<LabelMatch>,
                           labelBase: Int32, predictionBase: Int32,
                           params: Parameters, scratch: MatchScratch) {
        let n = labels.count, m = predictions.count
        for p in 0..<m { predOut[p] = .unmatched }
        for l in 0..<n { labelOut[l] = .unmatched }
        guard n > 0, m > 0 else { return }
        scratch.reserve(labels: n, predictions: m)
        let order = scratch.order, ious = scratch.ious
        let labelArea = scratch.labelArea, taken = scratch.taken

        var hasCrowd = false
        for l in 0..<n {
            let b = labels[l]
            labelArea[l] = BoxGeometry.area(BoxGeometry.Rect(b))
            taken[l] = false
            if b.isCrowd { hasCrowd = true }
        }

        // IoU matrix for all predictions (row p), and each prediction's best label.
        for p in 0..<m {
            let q = predictions[p]
            let qArea = BoxGeometry.area(BoxGeometry.Rect(q))
            let row = ious + p * n
            var best: Int32 = -1, bestIoU = 0.0
            for l in 0..<n {
                let b = labels[l]
                let w = Swift.min(q.x2, b.x2) - Swift.max(q.x1, b.x1)
                let h = Swift.min(q.y2, b.y2) - Swift.max(q.y1, b.y1)
                var v = 0.0
                if w > 0 && h > 0 {
                    let inter = w * h
                    let union = qArea + labelArea[l] - inter
                    if union > 0 && inter.isFinite { v = Swift.min(1, inter / union) }
                }
                row[l] = v
                if v > bestIoU { bestIoU = v; best = Int32(l) }
            }
            if best >= 0 {
                predOut[p].bestLabel = best + labelBase
                predOut[p].bestLabelIoU = bestIoU
            }
        }

        // Eligible predictions by confidence, highest first, ties by index.
        var k = 0
        for p in 0..<m where predictions[p].confidence >= params.minConfidence {
            order[k] = Int32(p); k += 1
        }
        guard k > 0 else { return }
        sortByConfidence(order, count: k, predictions: predictions)

        let threshold = params.iouThreshold
        for r in 0..<k {
            let p = Int(order[r])
            let q = predictions[p]
            let row = ious + p * n
            var chosen = -1, chosenIoU = 0.0
            for l in 0..<n {
                let v = row[l]
                guard v > 0 else { continue }
                let b = labels[l]
                // Best prediction per label in confidence order, so ties favour confidence.
                if v > labelOut[l].bestAnyPredictionIoU {
                    labelOut[l].bestAnyPredictionIoU = v
                    labelOut[l].bestAnyPrediction = Int32(p) + predictionBase
                }
                let sameClass = b.classId == q.classId
                if sameClass && v > labelOut[l].bestPredictionIoU {
                    labelOut[l].bestPredictionIoU = v
                    labelOut[l].bestPrediction = Int32(p) + predictionBase
                }
                if taken[l] || b.isCrowd || (params.classAware && !sameClass) { continue }
                if v >= threshold && v > chosenIoU { chosen = l; chosenIoU = v }
            }
            if chosen >= 0 {
                taken[chosen] = true
                predOut[p].label = Int32(chosen) + labelBase
                predOut[p].iou = chosenIoU
                labelOut[chosen].prediction = Int32(p) + predictionBase
                labelOut[chosen].iou = chosenIoU
            } else if hasCrowd {
                let qRect = BoxGeometry.Rect(q)
                var crowd = -1, crowdCover = 0.0
                for l in 0..<n where labels[l].isCrowd {
                    if params.classAware && labels[l].classId != q.classId { continue }
                    let c = BoxGeometry.coverage(of: qRect, by: BoxGeometry.Rect(labels[l]))
                    if c >= threshold && c > crowdCover { crowd = l; crowdCover = c }
                }
                if crowd >= 0 {
                    predOut[p].label = Int32(crowd) + labelBase
                    predOut[p].iou = crowdCover
                    if labelOut[crowd].prediction < 0 {
                        labelOut[crowd].prediction = Int32(p) + predictionBase
                        labelOut[crowd].iou = row[crowd]
                    }
                }
            }
        }
    }

    /// Sorts `order[0..<count]` by confidence descending, index ascending. Insertion sort
    /// for the usual handful of predictions (no allocation, no closure), stdlib sort beyond.
    static func sortByConfidence(_ order: UnsafeMutablePointer<Int32>, count: Int,
                                 predictions: UnsafeBufferPointer<PredictionBox>) {
        @inline(__always) func before(_ a: Int32, _ b: Int32) -> Bool {
            let ca = predictions[Int(a)].confidence, cb = predictions[Int(b)].confidence
            return ca > cb || (ca == cb && a < b)
        }
        if count <= 24 {
            var i = 1
            while i < count {
                let x = order[i]
                var j = i - 1
                while j >= 0 && before(x, order[j]) {
                    order[j + 1] = order[j]; j -= 1
                }
                order[j + 1] = x
                i += 1
            }
        } else {
            var all = UnsafeMutableBufferPointer(start: order, count: count)
            all.sort(by: before)
        }
    }

    /// Per-worker buffers reused across images, so matching allocates only when an
    /// image is larger than any seen before in its chunk.
    final class MatchScratch {
        private(set) var order: UnsafeMutablePointer<Int32>
        private(set) var ious: UnsafeMutablePointer<Double>
        private(set) var labelArea: UnsafeMutablePointer<Double>
        private(set) var taken: UnsafeMutablePointer<Bool>
        private var labelCapacity: Int, predictionCapacity: Int, matrixCapacity: Int

        /// Starts sized for a typical image; `reserve` grows it for larger ones.
        init(labels: Int = 16, predictions: Int = 32) {
            labelCapacity = Swift.max(1, labels)
            predictionCapacity = Swift.max(1, predictions)
            matrixCapacity = labelCapacity * predictionCapacity
            order = .allocate(capacity: predictionCapacity)
            ious = .allocate(capacity: matrixCapacity)
            labelArea = .allocate(capacity: labelCapacity)
            taken = .allocate(capacity: labelCapacity)
        }

        func reserve(labels n: Int, predictions m: Int) {
            if n > labelCapacity {
                labelCapacity = Swift.max(n, labelCapacity * 2)
                labelArea.deallocate(); taken.deallocate()
                labelArea = .allocate(capacity: labelCapacity)
                taken = .allocate(capacity: labelCapacity)
            }
            if m > predictionCapacity {
                predictionCapacity = Swift.max(m, predictionCapacity * 2)
                order.deallocate()
                order = .allocate(capacity: predictionCapacity)
            }
            if n * m > matrixCapacity {
                matrixCapacity = Swift.max(n * m, matrixCapacity * 2)
                ious.deallocate()
                ious = .allocate(capacity: matrixCapacity)
            }
        }

        deinit {
            order.deallocate(); ious.deallocate(); labelArea.deallocate(); taken.deallocate()
        }
    }

    /// The flat input and output buffers handed to concurrent chunks. Safe because chunks
    /// read shared inputs and write disjoint output ranges (checked before going parallel).
    struct SharedBuffers: @unchecked Sendable {
        let labels: UnsafeBufferPointer<BoxLabel>
        let predictions: UnsafeBufferPointer<PredictionBox>
        let predOut: UnsafeMutableBufferPointer<PredictionMatch>
        let labelOut: UnsafeMutableBufferPointer<LabelMatch>
    }
}
