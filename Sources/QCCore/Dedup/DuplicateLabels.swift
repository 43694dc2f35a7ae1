/// Duplicates made by labelling rather than by copying files: visually distinct images
/// that carry the same labels, and runs of video frames in which nothing moved.
extension DuplicateFinder {
    struct NormalizedBox {
        var classId: Int32
        var x1, y1, x2, y2: Double
    }

    /// An image's non-crowd boxes in 0–1 coordinates (nil when its size is unknown), so
    /// that two resolutions of one frame compare equal.
    static func normalizedBoxes(_ ds: Dataset, _ i: Int) -> [NormalizedBox]? {
        let image = ds.images[i]
        let sx = ds.normalizedBoxes ? 1.0 : Double(image.width)
        let sy = ds.normalizedBoxes ? 1.0 : Double(image.height)
        guard sx > 0, sy > 0 else { return nil }
        return ds.boxes[Int(image.boxStart)..<Int(image.boxEnd)].filter { !$0.isCrowd }.map {
            NormalizedBox(classId: $0.classId, x1: $0.x1 / sx, y1: $0.y1 / sy, x2: $0.x2 / sx, y2: $0.y2 / sy)
        }
    }

    /// Mean IoU of a one-to-one same-class pairing of every box of `a` with a box of `b`
    /// at IoU ≥ `iou`; nil when the label sets differ (count, classes, or any box).
    static func labelsMatch(_ a: [NormalizedBox], _ b: [NormalizedBox], iou: Double) -> Double? {
        guard a.count == b.count else { return nil }
        if a.isEmpty { return 1 }
        var taken = [Bool](repeating: false, count: b.count)
        var total = 0.0
        for box in a {
            var best = -1, bestIoU = iou
            for (j, other) in b.enumerated() where !taken[j] && other.classId == box.classId {
                let v = BoxGeometry.iou(BoxGeometry.Rect(x1: box.x1, y1: box.y1, x2: box.x2, y2: box.y2),
                                        BoxGeometry.Rect(x1: other.x1, y1: other.y1, x2: other.x2, y2: other.y2))
                if v >= bestIoU { best = j; bestIoU = v }
            }
            guard best >= 0 else { return nil }
            taken[best] = true
            total += bestIoU
        }
        return total / Double(a.count)
    }

    /// True when the label sets pair one-to-one by class with no box corner moving more
    /// than `shift` (a fraction of the image side). Frame-to-frame motion is absolute: a
    /// 2-px step is no change for a person 12 px wide, though their IoU is only 0.7.
    static func labelsStill(_ a: [NormalizedBox], _ b: [NormalizedBox], shift: Double) -> Bool {
        guard a.count == b.count else { return false }
        var taken = [Bool](repeating: false, count: b.count)
        for box in a {
            var found = -1, bestMove = Double.infinity
            for (j, other) in b.enumerated() where !taken[j] && other.classId == box.classId {
                let move = max(abs(box.x1 - other.x1), abs(box.y1 - other.y1), abs(box.x2 - other.x2), abs(box.y2 - other.y2))
                if move <= shift && move < bestMove { found = j; bestMove = move }
            }
            guard found >= 0 else { return false }
            taken[found] = true
        }
        return true
    }

    /// Groups of images with ≥ `minBoxes` labels whose label sets match (`labelsMatch` at
    /// `iou`) while their pixels differ (pHash distance > `visualRadius`, so not near
    /// copies) — two angles of one event, or labels pasted onto the wrong image. Frames
    /// of one sequence are left to `staticRuns`.
    public static func sameLabels(_ ds: Dataset, _ hashes: DatasetHashes, iou: Double, minBoxes: Int,
                                  visualRadius: Int) -> [Group] {
        let sequence = sequenceIds(ds)
        // Candidates bucketed by their sorted class list, then swept along the x of the
        // boxes' mean centre: matching boxes move that centre by a few % at most.
        var buckets: [[Int32]: [(x: Double, image: Int, boxes: [NormalizedBox])]] = [:]
        for i in ds.images.indices where ds.images[i].boxCount >= max(1, minBoxes) {
            guard case .success = hashes.outcomes[i], let boxes = normalizedBoxes(ds, i), boxes.count >= max(1, minBoxes) else { continue }
            let x = boxes.reduce(0) { $0 + ($1.x1 + $1.x2) / 2 } / Double(boxes.count)
            buckets[boxes.map(\.classId).sorted(), default: []].append((x, i, boxes))
        }
        let window = 0.06
        var sets = UnionFind(count: ds.images.count)
        var linked: Set<Int> = []
        for var bucket in buckets.values where bucket.count > 1 {
            bucket.sort { $0.x < $1.x }
            for a in 0..<bucket.count {
                var b = a + 1
                while b < bucket.count && bucket[b].x - bucket[a].x <= window {
                    defer { b += 1 }
                    let i = bucket[a].image, j = bucket[b].image
                    if let s = sequence[i], s == sequence[j] { continue }
                    guard case .success(let hi) = hashes.outcomes[i], case .success(let hj) = hashes.outcomes[j],
                          hi.content != hj.content, PerceptualHash.distance(hi.phash, hj.phash) > visualRadius,
                          labelsMatch(bucket[a].boxes, bucket[b].boxes, iou: iou) != nil else { continue }
                    sets.union(i, j)
                    linked.insert(i); linked.insert(j)
                }
            }
        }
        var byRoot: [Int: [Int]] = [:]
        for i in linked.sorted() { byRoot[sets.find(i), default: []].append(i) }
        return byRoot.values.map { members in
            let keep = keeper(of: members, in: ds, hashes: hashes)
            let keepHash = (try? hashes.outcomes[keep].get())?.phash ?? 0
            return Group(images: members, keep: keep, distances: members.map {
                PerceptualHash.distance((try? hashes.outcomes[$0].get())?.phash ?? keepHash, keepHash)
            })
        }.sorted { $0.images[0] < $1.images[0] }
    }

    /// Runs of ≥ `minRun` consecutive frames of one sequence (file names ending in a frame
    /// number, DESIGN.md's frame rule) in which each frame's pHash is within `radius` bits
    /// of the previous one's and no box moved more than `shift` of the image side
    /// (`labelsStill`). `images` are in frame order;
    /// `keep` is the first frame; `distances` are to the previous frame (0 for the first).
    public static func staticRuns(_ ds: Dataset, _ hashes: DatasetHashes, radius: Int, shift: Double,
                                  minRun: Int) -> [Group] {
        var sequences: [String: [(number: Int, image: Int)]] = [:]
        for (i, image) in ds.images.enumerated() {
            if let (stem, number) = DefaultGroupKey.frameStem(of: image.path) { sequences[stem, default: []].append((number, i)) }
        }
        var runs: [Group] = []
        for frames in sequences.values where frames.count >= minRun {
            let ordered = frames.sorted { ($0.number, $0.image) < ($1.number, $1.image) }.map(\.image)
            var run: [Int] = [ordered[0]]
            var distances: [Int] = [0]
            var previousBoxes = normalizedBoxes(ds, ordered[0])
            func close() {
                if run.count >= max(2, minRun) { runs.append(Group(images: run, keep: run[0], distances: distances)) }
            }
            for k in 1..<ordered.count {
                let a = ordered[k - 1], b = ordered[k]
                let boxes = normalizedBoxes(ds, b)
                var still = false
                if case .success(let ha) = hashes.outcomes[a], case .success(let hb) = hashes.outcomes[b],
                   let pa = previousBoxes, let pb = boxes {
                    let d = PerceptualHash.distance(ha.phash, hb.phash)
                    if d <= radius && labelsStill(pa, pb, shift: shift) {
                        still = true
                        run.append(b); distances.append(d)
                    }
                }
                if !still {
                    close()
                    run = [b]; distances = [0]
                }
                previousBoxes = boxes
            }
            close()
        }
        return runs.sorted { $0.images[0] < $1.images[0] }
    }
}
