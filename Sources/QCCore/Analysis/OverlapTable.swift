import Foundation

/// Every label × prediction pair of an image whose boxes overlap (IoU > 0), for the whole
/// dataset, computed once and in parallel.
///
/// The prediction-based label checks — calibration, missing_box, wrong_class, loose/tight
/// boxes, the confusion matrix — only ever act on boxes that overlap. Each of them used to
/// recompute its image's full labels × predictions IoU matrix; in a crowded image most of
/// those pairs do not touch at all. With this table each pass walks the few overlapping
/// pairs instead, and the matrix is computed once.
///
/// A consequence every pass shares: boxes that do not overlap are never paired, so a
/// threshold of 0 means "any overlap", not "any box of the image" — the rule BoxMatching
/// follows too.
public struct OverlapTable: Sendable {
    public struct Pair: Sendable, Equatable {
        /// Global indices into `dataset.boxes` and `dataset.predictions`.
        public var label: Int32
        public var prediction: Int32
        /// `BoxGeometry.iou` of the two boxes, > 0.
        public var iou: Double
    }

    /// The pairs of a run of consecutive images, as one worker built them. Kept apart
    /// rather than concatenated: a copy of ~20 bytes × 3·10⁶ pairs cost as much as
    /// finding them.
    public struct Chunk: Sendable {
        /// Image `first + j`'s pairs are `pairs[imageStart[j]..<imageStart[j + 1]]`, ordered
        /// by label, then by prediction.
        public var pairs: [Pair] = []
        /// The same pairs ordered by prediction, then by label: for k in an image's range,
        /// `byPrediction[k]` is the position of a pair relative to the image's first pair.
        public var byPrediction: [Int32] = []
        public var imageStart: [Int] = [0]
    }

    public let chunks: [Chunk]
    /// Images per chunk (the last chunk may hold fewer).
    public let chunkSize: Int

    public var count: Int { chunks.reduce(0) { $0 + $1.pairs.count } }

    /// The chunk holding image i and the range of its pairs in that chunk.
    @inlinable
    public func locate(_ i: Int) -> (chunk: Int, range: Range<Int>) {
        let c = i / chunkSize, j = i - c * chunkSize
        return (c, chunks[c].imageStart[j]..<chunks[c].imageStart[j + 1])
    }

    /// Walks images in order, holding the current chunk's arrays (one retain per chunk,
    /// not per image).
    public struct Cursor {
        public let table: OverlapTable
        public private(set) var pairs: [Pair] = []
        public private(set) var byPrediction: [Int32] = []
        private var chunk = -1

        public init(_ table: OverlapTable) { self.table = table }

        /// Makes image i's chunk current and returns the range of its pairs in `pairs`.
        public mutating func image(_ i: Int) -> Range<Int> {
            let (c, range) = table.locate(i)
            if c != chunk {
                chunk = c
                pairs = table.chunks[c].pairs
                byPrediction = table.chunks[c].byPrediction
            }
            return range
        }

        /// The k-th pair of the image in prediction order (k absolute, within `range`).
        @inline(__always)
        public func pairByPrediction(_ k: Int, in range: Range<Int>) -> Pair {
            pairs[range.lowerBound + Int(byPrediction[k])]
        }
    }

    // MARK: - Building

    /// `jobs` ≤ 0 means all active cores. Images whose box or prediction ranges fall
    /// outside the flat arrays get no pairs.
    public static func build(_ ds: Dataset, jobs: Int = 0) -> OverlapTable {
        let imageCount = ds.images.count
        guard imageCount > 0 else { return OverlapTable(chunks: [], chunkSize: 1) }
        let workers = jobs > 0 ? jobs : ProcessInfo.processInfo.activeProcessorCount
        // Several chunks per worker so an image-heavy chunk does not leave a core idle.
        let chunkSize = (imageCount + workers * 8 - 1) / (workers * 8)
        let chunks = Parallel.mapChunks(count: imageCount, chunkSize: chunkSize, jobs: workers, makeState: { () }) { _, images in
            buildChunk(ds, images)
        }
        return OverlapTable(chunks: chunks, chunkSize: chunkSize)
    }

    static func buildChunk(_ ds: Dataset, _ images: Range<Int>) -> Chunk {
        var out = Chunk()
        out.imageStart.reserveCapacity(images.count + 1)
        let boxes = ds.boxes, predictions = ds.predictions
        // At most labels × predictions pairs per image: reserving that bound costs address
        // space only (untouched pages are never mapped) and spares every regrowth copy.
        var bound = 0
        for i in images {
            let n = Int(ds.images[i].boxEnd) - Int(ds.images[i].boxStart)
            let m = Int(ds.images[i].predictionEnd) - Int(ds.images[i].predictionStart)
            if n > 0 && m > 0 { bound += n * m }
        }
        // Capped so that one absurd image (10⁵ boxes × 10⁵ predictions) cannot ask for
        // terabytes; past the cap the arrays grow as usual.
        bound = Swift.min(bound, 1 << 23)
        out.pairs.reserveCapacity(bound)
        out.byPrediction.reserveCapacity(bound)
        var predictionCounts: [Int32] = []
        for i in images {
            let b0 = Int(ds.images[i].boxStart), b1 = Int(ds.images[i].boxEnd)
            let p0 = Int(ds.images[i].predictionStart), p1 = Int(ds.images[i].predictionEnd)
            guard 0 <= b0, b0 < b1, b1 <= boxes.count, 0 <= p0, p0 < p1, p1 <= predictions.count else {
                out.imageStart.append(out.pairs.count)
                continue
            }
            let first = out.pairs.count
            for l in b0..<b1 {
                let br = BoxGeometry.Rect(boxes[l])
                for p in p0..<p1 {
                    let v = BoxGeometry.iou(br, BoxGeometry.Rect(predictions[p]))
                    if v > 0 { out.pairs.append(Pair(label: Int32(l), prediction: Int32(p), iou: v)) }
                }
            }
            let n = out.pairs.count - first
            out.imageStart.append(out.pairs.count)
            guard n > 0 else { continue }
            // Counting sort by prediction; stable, so each prediction's pairs stay in label order.
            let m = p1 - p0
            predictionCounts.removeAll(keepingCapacity: true)
            predictionCounts.append(contentsOf: repeatElement(0, count: m + 1))
            for k in first..<first + n { predictionCounts[Int(out.pairs[k].prediction) - p0 + 1] += 1 }
            for j in 0..<m { predictionCounts[j + 1] += predictionCounts[j] }
            let base = out.byPrediction.count
            out.byPrediction.append(contentsOf: repeatElement(0, count: n))
            for k in first..<first + n {
                let j = Int(out.pairs[k].prediction) - p0
                out.byPrediction[base + Int(predictionCounts[j])] = Int32(k - first)
                predictionCounts[j] += 1
            }
        }
        return out
    }
}
