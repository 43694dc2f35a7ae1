/// Per-class, per-split counts and box-size statistics in one pass over the dataset:
/// the numbers behind class_balance, background, distribution_shift and the report's
/// summary table. Results are plain rows so they map 1:1 onto report tables and Lua tables.
///
/// Definitions:
/// - An image is *background* when it has no boxes (a missing or empty label file).
/// - Instances include crowd annotations (`crowdInstances` says how many).
/// - A box's *size* is √area — a linear size comparable across aspect ratios.
///   `relativeSize` divides it by √(image area), so 0.1 means "10% of the image's side";
///   boxes on images whose size could not be read are left out of `relativeSize` only.
/// - Size buckets follow COCO on the absolute area: small < 32², medium < 96², large.
/// - Images whose split index is outside `Dataset.splits` count in the all-splits rows only.
public enum ClassHistogram {
    public struct ClassRow: Sendable, Equatable {
        public var classId: Int
        /// The name, or `"#7"` for an id outside `names`.
        public var className: String
        /// False for ids that appear in labels but not in `names` (unknown_class).
        public var isKnown: Bool
        /// Index into `Dataset.splits`; nil for the all-splits row.
        public var split: Int?
        public var splitName: String?
        public var instances: Int
        /// Images holding at least one instance.
        public var images: Int
        public var crowdInstances: Int
        public var small: Int
        public var medium: Int
        public var large: Int
        /// √(box area) / √(image area); empty summary when size statistics were not asked for.
        public var relativeSize: RobustStats.Summary
        /// √(box area) in pixels.
        public var absoluteSize: RobustStats.Summary
    }

    public struct SplitRow: Sendable, Equatable {
        /// Index into `Dataset.splits`; nil for the all-splits row.
        public var split: Int?
        public var splitName: String?
        public var images: Int
        public var backgroundImages: Int
        public var boxes: Int
        /// Box count per image over all images of the split, background included.
        public var boxesPerImage: RobustStats.Summary
        /// `boxCountHistogram[k]` = images with exactly k boxes (length = max count + 1; empty without images).
        public var boxCountHistogram: [Int]

        public var backgroundShare: Double {
            images > 0 ? Double(backgroundImages) / Double(images) : 0
        }
    }

    public struct Report: Sendable, Equatable {
        public var splits: [String]
        /// Row order of the class tables: `names` ids plus unknown ids seen in labels, ascending.
        public var classIds: [Int]
        /// One row per class and split (zeros included), class-major: row `c * splits.count + s`.
        public var perClassSplit: [ClassRow]
        /// One row per class over all splits.
        public var perClass: [ClassRow]
        public var perSplit: [SplitRow]
        public var total: SplitRow

        /// The row of a class in a split, or over all splits when `split` is nil.
        public func row(classId: Int, split: Int? = nil) -> ClassRow? {
            guard let c = BoxMatching.ConfusionMatrix.binarySearch(classIds, classId) else { return nil }
            guard let split else { return perClass[c] }
            guard split >= 0, split < splits.count else { return nil }
            return perClassSplit[c * splits.count + split]
        }
    }

    /// Builds all tables. `sizeStatistics: false` skips the size summaries (the only part
    /// that keeps per-box values), for callers that need counts only.
    public static func build(_ dataset: Dataset, sizeStatistics: Bool = true) -> Report {
        let splitNames = dataset.splits
        let s = splitNames.count
        let slotsPerClass = s + 1  // last slot: images with an out-of-range split
        let classIds = DenseClassIndex.sortedIds(dataset, includePredictions: false)
        let c = classIds.count
        let slot = DenseClassIndex(classIds)
        let cells = c * slotsPerClass

        var instances = [Int](repeating: 0, count: cells)
        var imagesWith = [Int](repeating: 0, count: cells)
        var crowd = [Int](repeating: 0, count: cells)
        var buckets = [Int](repeating: 0, count: cells * 3)
        var relSizes = [[Double]](repeating: [], count: sizeStatistics ? cells : 0)
        var absSizes = [[Double]](repeating: [], count: sizeStatistics ? cells : 0)
        var lastImage = [Int32](repeating: -1, count: c)

        var splitImages = [Int](repeating: 0, count: slotsPerClass)
        var splitBackground = [Int](repeating: 0, count: slotsPerClass)
        var splitBoxes = [Int](repeating: 0, count: slotsPerClass)
        var splitCounts = [[Double]](repeating: [], count: slotsPerClass)
        var splitHist = [[Int]](repeating: [], count: slotsPerClass)

        let boxes = dataset.boxes
        for i in dataset.images.indices {
            // Fields read in place: binding the record would retain and release its strings.
            let split = dataset.images[i].split, width = dataset.images[i].width, height = dataset.images[i].height
            let sp = split >= 0 && Int(split) < s ? Int(split) : s
            let b0 = Swift.max(0, Int(dataset.images[i].boxStart)), b1 = Swift.min(boxes.count, Int(dataset.images[i].boxEnd))
            let count = Swift.max(0, b1 - b0)
            splitImages[sp] += 1
            splitBoxes[sp] += count
            if count == 0 { splitBackground[sp] += 1 }
            splitCounts[sp].append(Double(count))
            if splitHist[sp].count <= count {
                splitHist[sp].append(contentsOf: repeatElement(0, count: count + 1 - splitHist[sp].count))
            }
            splitHist[sp][count] += 1
            guard count > 0 else { continue }

            let imageSide = width > 0 && height > 0
                ? (Double(width) * Double(height)).squareRoot() : Double.nan
            for j in b0..<b1 {
                let b = boxes[j]
                let k = slot[Int(b.classId)]
                let cell = k * slotsPerClass + sp
                instances[cell] += 1
                if b.isCrowd { crowd[cell] += 1 }
                if lastImage[k] != Int32(i) {
                    lastImage[k] = Int32(i)
                    imagesWith[cell] += 1
                }
                let area = BoxGeometry.area(BoxGeometry.Rect(b))
                buckets[cell * 3 + (area < 32 * 32 ? 0 : area < 96 * 96 ? 1 : 2)] += 1
                if sizeStatistics {
                    let side = area.squareRoot()
                    absSizes[cell].append(side)
                    if !imageSide.isNaN { relSizes[cell].append(side / imageSide) }
                }
            }
        }

        func classRow(_ k: Int, split: Int?, cellsOf: [Int], rel: inout [Double], abs: inout [Double]) -> ClassRow {
            let id = classIds[k]
            return ClassRow(
                classId: id, className: dataset.className(id), isKnown: dataset.classNames[id] != nil,
                split: split, splitName: split.map { splitNames[$0] },
                instances: cellsOf.reduce(0) { $0 + instances[$1] },
                images: cellsOf.reduce(0) { $0 + imagesWith[$1] },
                crowdInstances: cellsOf.reduce(0) { $0 + crowd[$1] },
                small: cellsOf.reduce(0) { $0 + buckets[$1 * 3] },
                medium: cellsOf.reduce(0) { $0 + buckets[$1 * 3 + 1] },
                large: cellsOf.reduce(0) { $0 + buckets[$1 * 3 + 2] },
                relativeSize: sizeStatistics ? RobustStats.summarize(&rel) : .empty,
                absoluteSize: sizeStatistics ? RobustStats.summarize(&abs) : .empty)
        }

        var perClassSplit: [ClassRow] = []
        perClassSplit.reserveCapacity(c * s)
        var perClass: [ClassRow] = []
        perClass.reserveCapacity(c)
        for k in 0..<c {
            var allRel: [Double] = [], allAbs: [Double] = []
            for sp in 0..<slotsPerClass {
                let cell = k * slotsPerClass + sp
                var rel: [Double] = [], abs: [Double] = []
                if sizeStatistics {
                    swap(&rel, &relSizes[cell]); swap(&abs, &absSizes[cell])  // take ownership, free as we go
                    allRel.append(contentsOf: rel); allAbs.append(contentsOf: abs)
                }
                if sp < s {
                    perClassSplit.append(classRow(k, split: sp, cellsOf: [cell], rel: &rel, abs: &abs))
                }
            }
            let all = (0..<slotsPerClass).map { k * slotsPerClass + $0 }
            perClass.append(classRow(k, split: nil, cellsOf: all, rel: &allRel, abs: &allAbs))
        }

        func splitRow(_ slots: [Int], split: Int?) -> SplitRow {
            var counts: [Double] = []
            var hist: [Int] = []
            for sp in slots {
                counts.append(contentsOf: splitCounts[sp])
                if hist.count < splitHist[sp].count {
                    hist.append(contentsOf: repeatElement(0, count: splitHist[sp].count - hist.count))
                }
                for (n, v) in splitHist[sp].enumerated() { hist[n] += v }
            }
            return SplitRow(split: split, splitName: split.map { splitNames[$0] },
                            images: slots.reduce(0) { $0 + splitImages[$1] },
                            backgroundImages: slots.reduce(0) { $0 + splitBackground[$1] },
                            boxes: slots.reduce(0) { $0 + splitBoxes[$1] },
                            boxesPerImage: RobustStats.summarize(&counts), boxCountHistogram: hist)
        }
        let perSplit = (0..<s).map { splitRow([$0], split: $0) }
        let total = splitRow(Array(0..<slotsPerClass), split: nil)

        return Report(splits: splitNames, classIds: classIds, perClassSplit: perClassSplit,
                      perClass: perClass, perSplit: perSplit, total: total)
    }
}
