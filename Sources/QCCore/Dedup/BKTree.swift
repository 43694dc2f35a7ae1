/// A Burkhard–Keller tree over 64-bit hashes under Hamming distance: the usual
/// structure for near-duplicate lookup, kept as the reference `NearDuplicateIndex` is
/// benchmarked against. At radius 8 over random hashes the triangle inequality prunes
/// little (distances cluster around 32), so queries visit much of the tree.
public final class BKTree {
    private var values: [UInt64] = []
    private var ids: [Int32] = []
    private var firstChild: [Int32] = []
    private var nextSibling: [Int32] = []
    private var edge: [UInt8] = []

    public init(hashes: [UInt64]) {
        values.reserveCapacity(hashes.count)
        for (index, hash) in hashes.enumerated() { insert(hash, id: Int32(index)) }
    }

    private func insert(_ hash: UInt64, id: Int32) {
        let node = Int32(values.count)
        values.append(hash); ids.append(id); firstChild.append(-1); nextSibling.append(-1); edge.append(0)
        guard node > 0 else { return }
        var current: Int32 = 0
        while true {
            let d = UInt8((values[Int(current)] ^ hash).nonzeroBitCount)
            var child = firstChild[Int(current)]
            while child >= 0 && edge[Int(child)] != d { child = nextSibling[Int(child)] }
            if child < 0 {
                edge[Int(node)] = d
                nextSibling[Int(node)] = firstChild[Int(current)]
                firstChild[Int(current)] = node
                return
            }
            current = child
        }
    }

    /// Ids (insertion indices) of hashes within `radius` of `hash`, with distances.
    public func query(_ hash: UInt64, radius: Int, into out: inout [(id: Int32, distance: Int)]) {
        guard !values.isEmpty else { return }
        var stack: [Int32] = [0]
        while let node = stack.popLast() {
            let d = (values[Int(node)] ^ hash).nonzeroBitCount
            if d <= radius { out.append((ids[Int(node)], d)) }
            var child = firstChild[Int(node)]
            while child >= 0 {
                if abs(Int(edge[Int(child)]) - d) <= radius { stack.append(child) }
                child = nextSibling[Int(child)]
            }
        }
    }

    /// Every pair (i < j) within `radius`, by querying each hash, sorted.
    public static func allPairs(_ hashes: [UInt64], radius: Int, jobs: Int = 1) -> [HammingPair] {
        let tree = BKTree(hashes: hashes)
        let chunks = Parallel.mapChunks(count: hashes.count, chunkSize: 512, jobs: jobs, makeState: { () }) { _, range -> [HammingPair] in
            var out: [HammingPair] = []
            var hits: [(id: Int32, distance: Int)] = []
            for i in range {
                hits.removeAll(keepingCapacity: true)
                tree.query(hashes[i], radius: radius, into: &hits)
                for hit in hits where Int(hit.id) > i {
                    out.append(HammingPair(i: Int32(i), j: hit.id, distance: UInt8(hit.distance)))
                }
            }
            return out
        }
        return chunks.flatMap { $0 }.sorted()
    }
}
