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
        var ids = Set(dataset.classNames.keys)
        for b in dataset.boxes { ids.insert(Int(b.classId)) }
        for p in dataset.predictions { ids.insert(Int(p.classId)) }
        let classIds = ids.sorted()
        let size = classIds.count + 1
        let background = classIds.count
        // Class ids are usually small and dense: a lookup table beats hashing per box.
        let slot = DenseClassIndex(classIds)
        var counts = [Int](repeating: 0, count: size * size)

        let boxes = dataset.boxes, predictions = dataset.predictions
        let minConfidence = match.parameters.minConfidence
        for (j, b) in boxes.enumerated() where j < match.labels.count && !b.isCrowd {
            let row = slot[Int(b.classId)]
            let p = Int(match.labels[j].prediction)
            let col = p >= 0 && p < predictions.count ? slot[Int(predictions[p].classId)] : background
            counts[row * size + col] += 1
        }
        for (i, p) in predictions.enumerated() where i < match.predictions.count {
            guard p.confidence >= minConfidence else { continue }
            let l = Int(match.predictions[i].label)
            if l >= 0 { continue }  // counted from the label side, or absorbed by a crowd region
            counts[background * size + slot[Int(p.classId)]] += 1
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
