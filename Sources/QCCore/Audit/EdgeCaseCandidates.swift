/// The default audit rule's edge cases, computed natively in one pass over the boxes:
/// the most crowded images and the images whose smallest box is smallest relative to
/// the image. (Walking 100k+ image tables in Lua to find them took seconds.)
public enum EdgeCaseCandidates {
    public struct Crowded: Sendable { public var image: Int; public var boxes: Int }
    public struct Small: Sendable {
        public var image: Int
        /// Index of the smallest box in `Dataset.boxes`.
        public var box: Int
        /// sqrt(box area / image area): the box's side as a share of the image's.
        public var side: Double
    }

    public struct Result: Sendable {
        public var crowded: [Crowded]
        public var smallest: [Small]
        /// Median box count of the images with at least one box.
        public var medianBoxes: Int
    }

    /// Up to `limit` of each, best first (ties: lower image index first). Degenerate
    /// boxes are box_fit's business and do not count as small; images of unknown size
    /// have no relative box size.
    public static func find(_ ds: Dataset, limit: Int) -> Result {
        var crowded: [Crowded] = []
        var smallest: [Small] = []
        for (i, img) in ds.images.enumerated() where img.boxCount > 0 {
            crowded.append(Crowded(image: i, boxes: img.boxCount))
            let area = ds.normalizedBoxes ? 1 : Double(img.width) * Double(img.height)
            guard area > 0 else { continue }
            var best: Small?
            for k in Int(img.boxStart)..<Int(img.boxEnd) {
                let b = ds.boxes[k]
                let w = b.x2 - b.x1, h = b.y2 - b.y1
                guard w > 0, h > 0, w.isFinite, h.isFinite else { continue }
                let side = (w * h / area).squareRoot()
                if best == nil || side < best!.side { best = Small(image: i, box: k, side: side) }
            }
            if let best { smallest.append(best) }
        }
        var counts = crowded.map(\.boxes)
        counts.sort()
        let median = counts.isEmpty ? 0 : counts[(counts.count - 1) / 2]
        crowded.sort { $0.boxes != $1.boxes ? $0.boxes > $1.boxes : $0.image < $1.image }
        smallest.sort { $0.side != $1.side ? $0.side < $1.side : $0.image < $1.image }
        return Result(crowded: Array(crowded.prefix(limit)), smallest: Array(smallest.prefix(limit)), medianBoxes: median)
    }
}
