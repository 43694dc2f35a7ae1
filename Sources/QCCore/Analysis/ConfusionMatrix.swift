import Foundation

extension BoxMatching {
    /// Label class × predicted class counts, with a background row and column:
    /// a matched pair counts at (label class, prediction class), an unmatched label at
    /// (label class, background) — the model saw nothing there — and an unmatched eligible
    /// prediction at (background, prediction class) — nothing labelled where the model
    /// saw something.
    ///
    /// Build it from a **class-agnostic** match: with class-aware matching every pair
    /// has equal classes and the off-diagonal cells (the class_swap evidence) stay empty.
    /// Crowd regions are left out entirely (their labels and the predictions they
    /// absorbed), as COCO evaluation ignores them.
    public struct ConfusionMatrix: Sendable, Equatable {
        /// Class ids of rows and columns, ascending: the dataset's classes plus any id
        /// seen in labels or predictions. Index `classIds.count` is background.
        public var classIds: [Int]
        /// Row-major counts, `(classIds.count + 1)²` cells; rows = label class, columns = predicted class.
        public var counts: [Int]

        public var size: Int { classIds.count + 1 }
        public var backgroundIndex: Int { classIds.count }

        /// Row/column index of a class id; nil = background. Returns nil for unknown ids.
        public func index(of classId: Int?) -> Int? {
            guard let classId else { return backgroundIndex }
            return Self.binarySearch(classIds, classId)
        }

        /// Count for a label class and a predicted class; nil on either side = background.
        public func count(label: Int?, predicted: Int?) -> Int {
            guard let r = index(of: label), let c = index(of: predicted) else { return 0 }
            return counts[r * size + c]
        }

        /// One non-zero cell, class ids with nil = background.
        public struct Cell: Sendable, Equatable {
            public var labelClass: Int?
            public var predictedClass: Int?
            public var count: Int
            public init(labelClass: Int?, predictedClass: Int?, count: Int) {
                self.labelClass = labelClass; self.predictedClass = predictedClass; self.count = count
            }
        }

        /// Non-zero cells, highest count first (ties: row, then column order). With
        /// `confusionsOnly`, only pairs of two different real classes — the class_swap candidates.
        public func cells(confusionsOnly: Bool = false) -> [Cell] {
            var out: [Cell] = []
            for r in 0..<size {
                for c in 0..<size {
                    let v = counts[r * size + c]
                    guard v > 0 else { continue }
                    if confusionsOnly && (r == c || r == backgroundIndex || c == backgroundIndex) { continue }
                    out.append(Cell(labelClass: r == backgroundIndex ? nil : classIds[r],
                                    predictedClass: c == backgroundIndex ? nil : classIds[c], count: v))
                }
            }
            // Stable tie order comes from the row-major scan above.
            return out.enumerated().sorted { a, b in
                a.element.count != b.element.count ? a.element.count > b.element.count : a.offset < b.offset
            }.map(\.element)
        }

        /// Sum of a label class's row (all its non-crowd labels).
        public func rowTotal(label: Int?) -> Int {
            guard let r = index(of: label) else { return 0 }
            return counts[(r * size)..<(r * size + size)].reduce(0, +)
        }

        /// Sum of a predicted class's column (all its eligible, non-crowd predictions).
        public func columnTotal(predicted: Int?) -> Int {
            guard let c = index(of: predicted) else { return 0 }
            return stride(from: c, to: counts.count, by: size).reduce(0) { $0 + counts[$1] }
        }

        static func binarySearch(_ sorted: [Int], _ x: Int) -> Int? {
            var lo = 0, hi = sorted.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if sorted[mid] < x { lo = mid + 1 } else { hi = mid }
            }
            return lo < sorted.count && sorted[lo] == x ? lo : nil
        }
    }

    /// Builds the confusion matrix of a dataset-level match (see `ConfusionMatrix` for
    /// why it should be a class-agnostic one). Predictions below the match's
    /// `minConfidence` are not counted.
    public static func confusionMatrix(dataset: Dataset, match: MatchResult) -> ConfusionMatrix {
        confusionMatrix(dataset: dataset, minConfidence: match.parameters.minConfidence,
                        labelMatch: match.labels.map(\.prediction),
                        predictionMatched: match.predictions.map { $0.label >= 0 })
    }

    /// The confusion matrix of the class-agnostic greedy match at IoU ≥ `iouThreshold` of
    /// predictions with confidence ≥ `minConfidence` — the same result as
    /// `confusionMatrix(dataset:match:)` over `match(dataset:classAware: false)` — made from
    /// the overlap table: only the greedy assignment is computed, over overlapping pairs.
    public static func confusionMatrix(dataset ds: Dataset, overlaps table: OverlapTable,
                                       iouThreshold: Double, minConfidence: Double) -> ConfusionMatrix {
        let classIds = DenseClassIndex.sortedIds(ds)
        let size = classIds.count + 1, background = classIds.count
        let slot = DenseClassIndex(classIds)
        // Each worker counts its images' cells into a matrix of its own (summed below), so
        // no dataset-sized match arrays are filled and then counted again on one core.
        // Counting image by image covers every box and prediction: the images' ranges
        // partition both arrays (`Dataset`'s layout).
        let tallies = TallyList()
        LabelCandidates.inChunks(ds, table, makeState: { tallies.make(cells: size * size) }) { cursor, tally, images in
            let boxes = ds.boxes, preds = ds.predictions
            var order: [Int32] = [], runStart: [Int] = []
            var labelMatch: [Int32] = [], predictionMatched: [Bool] = []
            for i in images {
                let b0 = Int(ds.images[i].boxStart), b1 = Int(ds.images[i].boxEnd)
                let p0 = Int(ds.images[i].predictionStart), p1 = Int(ds.images[i].predictionEnd)
                let m = p1 - p0
                labelMatch.removeAll(keepingCapacity: true)
                labelMatch.append(contentsOf: repeatElement(-1, count: b1 - b0))
                predictionMatched.removeAll(keepingCapacity: true)
                predictionMatched.append(contentsOf: repeatElement(false, count: m))
                let image = cursor.image(i), pairs = cursor.pairs
                order.removeAll(keepingCapacity: true)
                // No overlaps: nothing can match; the image is only counted.
                if !image.isEmpty {
                    for p in p0..<p1 where preds[p].confidence >= minConfidence { order.append(Int32(p - p0)) }
                }
                if !order.isEmpty {
                    // Each prediction's run in byPrediction (positions relative to the image).
                    runStart.removeAll(keepingCapacity: true)
                    runStart.append(contentsOf: repeatElement(0, count: m + 1))
                    for k in image { runStart[Int(pairs[k].prediction) - p0 + 1] += 1 }
                    for j in 0..<m { runStart[j + 1] += runStart[j] }
                    preds.withUnsafeBufferPointer { all in
                        order.withUnsafeMutableBufferPointer { o in
                            sortByConfidence(o.baseAddress!, count: o.count, predictions: UnsafeBufferPointer(rebasing: all[p0..<p1]))
                        }
                    }
                }
                for local in order {
                    let j = Int(local), p = p0 + j
                    var chosen = -1, chosenIoU = 0.0
                    for r in runStart[j]..<runStart[j + 1] {
                        let pair = cursor.pairByPrediction(image.lowerBound + r, in: image)
                        let l = Int(pair.label)
                        if boxes[l].isCrowd || labelMatch[l - b0] >= 0 { continue }
                        if pair.iou >= iouThreshold && pair.iou > chosenIoU { chosen = l; chosenIoU = pair.iou }
                    }
                    if chosen >= 0 {
                        labelMatch[chosen - b0] = Int32(p)
                        predictionMatched[j] = true
                        continue
                    }
                    // A detection inside a crowd region is absorbed by it (COCO's rule).
                    let q = BoxGeometry.Rect(preds[p])
                    for r in runStart[j]..<runStart[j + 1] {
                        let l = Int(cursor.pairByPrediction(image.lowerBound + r, in: image).label)
                        guard boxes[l].isCrowd else { continue }
                        let c = BoxGeometry.coverage(of: q, by: BoxGeometry.Rect(boxes[l]))
                        if c >= iouThreshold && c > 0 { predictionMatched[j] = true; break }
                    }
                }
                // The cells, as `confusionMatrix(dataset:minConfidence:labelMatch:predictionMatched:)` counts them.
                for l in b0..<b1 where !boxes[l].isCrowd {
                    let p = Int(labelMatch[l - b0])
                    let col = p >= 0 ? slot[Int(preds[p].classId)] : background
                    tally.counts[slot[Int(boxes[l].classId)] * size + col] += 1
                }
                for j in 0..<m where !predictionMatched[j] && preds[p0 + j].confidence >= minConfidence {
                    tally.counts[background * size + slot[Int(preds[p0 + j].classId)]] += 1
                }
            }
        }
        return ConfusionMatrix(classIds: classIds, counts: tallies.sum(cells: size * size))
    }

    /// One count matrix per worker of a chunked pass; the list is appended to under a lock
    /// as workers start, and summed once they are done.
    private final class TallyList: @unchecked Sendable {
        final class Tally { var counts: [Int]; init(cells: Int) { counts = [Int](repeating: 0, count: cells) } }
        private let lock = NSLock()
        private var tallies: [Tally] = []

        func make(cells: Int) -> Tally {
            let tally = Tally(cells: cells)
            lock.lock(); tallies.append(tally); lock.unlock()
            return tally
        }

        func sum(cells: Int) -> [Int] {
            var total = [Int](repeating: 0, count: cells)
            lock.lock(); defer { lock.unlock() }
            for tally in tallies { for k in 0..<cells { total[k] += tally.counts[k] } }
            return total
        }
    }

    /// Counts the cells from a match: `labelMatch[j]` = the prediction label j took (−1:
    /// none), `predictionMatched[i]` = prediction i took a label or a crowd region absorbed it.
    static func confusionMatrix(dataset: Dataset, minConfidence: Double, labelMatch: [Int32],
                                predictionMatched: [Bool]) -> ConfusionMatrix {
        let classIds = DenseClassIndex.sortedIds(dataset)
        let size = classIds.count + 1
        let background = classIds.count
        // Class ids are usually small and dense: a lookup table beats hashing per box.
        let slot = DenseClassIndex(classIds)
        var counts = [Int](repeating: 0, count: size * size)

        let boxes = dataset.boxes, predictions = dataset.predictions
        for j in boxes.indices where j < labelMatch.count && !boxes[j].isCrowd {
            let row = slot[Int(boxes[j].classId)]
            let p = Int(labelMatch[j])
            let col = p >= 0 && p < predictions.count ? slot[Int(predictions[p].classId)] : background
            counts[row * size + col] += 1
        }
        for i in predictions.indices where i < predictionMatched.count {
            guard predictions[i].confidence >= minConfidence else { continue }
            if predictionMatched[i] { continue }  // counted from the label side, or absorbed by a crowd region
            counts[background * size + slot[Int(predictions[i].classId)]] += 1
        }
        return ConfusionMatrix(classIds: classIds, counts: counts)
    }
}

/// Class id → dense index, for counting loops over ~10⁶ boxes. A table when ids are
/// small and non-negative (YOLO, COCO's 1…90), a dictionary otherwise.
struct DenseClassIndex {
    private let table: [Int32]
    private let offset: Int
    private let map: [Int: Int]

    init(_ sortedIds: [Int]) {
        if let lo = sortedIds.first, let hi = sortedIds.last, hi - lo < 1 << 16 {
            var t = [Int32](repeating: -1, count: hi - lo + 1)
            for (i, id) in sortedIds.enumerated() { t[id - lo] = Int32(i) }
            table = t; offset = lo; map = [:]
        } else {
            table = []; offset = 0
            map = Dictionary(uniqueKeysWithValues: sortedIds.enumerated().map { ($1, $0) })
        }
    }

    /// Index of an id that was passed to `init` (callers only ask for those).
    subscript(id: Int) -> Int {
        if !table.isEmpty {
            let k = id - offset
            return k >= 0 && k < table.count ? Int(table[k]) : -1
        }
        return map[id] ?? -1
    }
}

extension DenseClassIndex {
    /// The dataset's class ids plus any other id its boxes or predictions use, ascending.
    /// Ids outside `names` are rare: each box is tested against a table of the known ids
    /// and only strays are hashed (a Set insert per box was a visible cost at 10⁶ boxes).
    static func sortedIds(_ ds: Dataset, includePredictions: Bool = true) -> [Int] {
        let known = ds.classNames.keys.sorted()
        let index = DenseClassIndex(known)
        var strays = Set<Int>()
        var last = Int32.min
        for b in ds.boxes where b.classId != last {
            last = b.classId
            if index[Int(last)] < 0 { strays.insert(Int(last)) }
        }
        if includePredictions {
            last = Int32.min
            for p in ds.predictions where p.classId != last {
                last = p.classId
                if index[Int(last)] < 0 { strays.insert(Int(last)) }
            }
        }
        return strays.isEmpty ? known : (known + strays).sorted()
    }
}
