/// Two images whose hashes differ in `distance` bits; `i < j`, indices into the hashes given.
public struct HammingPair: Hashable, Sendable, Comparable {
    public var i: Int32
    public var j: Int32
    public var distance: UInt8

    public init(i: Int32, j: Int32, distance: UInt8) {
        self.i = i
        self.j = j
        self.distance = distance
    }

    public static func < (a: HammingPair, b: HammingPair) -> Bool { (a.i, a.j) < (b.i, b.j) }
}

/// All pairs of 64-bit hashes within a Hamming radius, without comparing every pair.
///
/// Equal hashes are grouped first (a video of a static scene gives thousands of equal
/// hashes; they are one value to the search). The distinct values are then searched by
/// `HammingSearch` (block-combination index, or brute force when that is cheaper).
public struct NearDuplicateIndex: Sendable {
    public let hashes: [UInt64]
    /// Distinct hash values, ascending.
    let values: [UInt64]
    /// Original indices holding `values[v]`: `members[groupStart[v]..<groupStart[v + 1]]`, ascending.
    let groupStart: [Int32]
    let members: [Int32]

    public init(hashes: [UInt64]) {
        precondition(hashes.count < Int(Int32.max), "at most 2^31 - 1 hashes")
        self.hashes = hashes
        let order = hashes.indices.sorted { (hashes[$0], $0) < (hashes[$1], $1) }
        var values: [UInt64] = []
        var groupStart: [Int32] = []
        for (position, index) in order.enumerated() where values.last != hashes[index] || values.isEmpty {
            values.append(hashes[index])
            groupStart.append(Int32(position))
        }
        groupStart.append(Int32(order.count))
        self.values = values
        self.groupStart = groupStart
        self.members = order.map { Int32($0) }
    }

    /// Every pair (i < j) of hashes within `radius` bits, sorted by (i, j). Equal hashes
    /// are pairs at distance 0, so k copies of one image give k(k-1)/2 pairs: use
    /// `clusters` when groups can be large.
    public func pairs(radius: Int, jobs: Int = 1) -> [HammingPair] {
        var out: [HammingPair] = []
        for v in 0..<values.count {
            let group = members[Int(groupStart[v])..<Int(groupStart[v + 1])]
            for (offset, a) in group.enumerated() {
                for b in group.dropFirst(offset + 1) { out.append(HammingPair(i: a, j: b, distance: 0)) }
            }
        }
        if radius > 0 {
            for pair in HammingSearch.pairs(values, radius: radius, jobs: jobs) {
                let a = Int(pair.i), b = Int(pair.j)
                for x in members[Int(groupStart[a])..<Int(groupStart[a + 1])] {
                    for y in members[Int(groupStart[b])..<Int(groupStart[b + 1])] {
                        out.append(HammingPair(i: min(x, y), j: max(x, y), distance: pair.distance))
                    }
                }
            }
        }
        out.sort()
        return out
    }

    /// Groups of ≥ 2 hashes linked by chains of pairs within `radius` (single linkage),
    /// each sorted ascending, groups ordered by their first index.
    public func clusters(radius: Int, jobs: Int = 1) -> [[Int32]] {
        var sets = UnionFind(count: values.count)
        if radius > 0 {
            for pair in HammingSearch.pairs(values, radius: radius, jobs: jobs) { sets.union(Int(pair.i), Int(pair.j)) }
        }
        var byRoot: [Int: [Int32]] = [:]
        for v in 0..<values.count {
            byRoot[sets.find(v), default: []].append(contentsOf: members[Int(groupStart[v])..<Int(groupStart[v + 1])])
        }
        return byRoot.values.filter { $0.count >= 2 }.map { $0.sorted() }.sorted { $0[0] < $1[0] }
    }
}

/// Disjoint sets with path halving and union by size.
struct UnionFind {
    private var parent: [Int32]
    private var size: [Int32]

    init(count: Int) {
        parent = (0..<count).map { Int32($0) }
        size = [Int32](repeating: 1, count: count)
    }

    mutating func find(_ x: Int) -> Int {
        var x = x
        while Int(parent[x]) != x {
            parent[x] = parent[Int(parent[x])]
            x = Int(parent[x])
        }
        return x
    }

    mutating func union(_ a: Int, _ b: Int) {
        var ra = find(a), rb = find(b)
        if ra == rb { return }
        if size[ra] < size[rb] { swap(&ra, &rb) }
        parent[rb] = Int32(ra)
        size[ra] += size[rb]
    }
}

extension NearDuplicateIndex {
    /// How `pairs`/`clusters` will search at `radius` (for benchmarks and logs).
    public func searchPlan(radius: Int) -> String {
        HammingSearch.plan(count: values.count, radius: radius).description
    }

    /// Every pair within `radius` by comparing all pairs: the reference for tests and benchmarks.
    /// Pairs with a forced block layout (`blocks` = radius + `inKey`), for benchmarking the cost model.
    public static func blockPairs(_ hashes: [UInt64], radius: Int, blocks: Int, inKey: Int, jobs: Int = 1) -> [HammingPair] {
        HammingSearch.blockCombinations(hashes, radius: radius, blocks: blocks, inKey: inKey, jobs: jobs).sorted()
    }

    public static func bruteForcePairs(_ hashes: [UInt64], radius: Int, jobs: Int = 1) -> [HammingPair] {
        HammingSearch.bruteForce(hashes, radius: radius, jobs: jobs).sorted()
    }
}
