/// Self-join of distinct 64-bit values under a Hamming radius.
///
/// Block-combination index (the pigeonhole behind multi-index hashing, in its
/// exact-match form): cut the 64 bits into b = r + k contiguous blocks. Two values
/// within distance r differ in at most r blocks, so at least k blocks are equal. For
/// every choice of k blocks out of b, values sharing those blocks exactly are grouped
/// (a trie of counting sorts, one block per level, shared by combinations with a common
/// prefix) and only values within a group are compared (popcount). A pair is reported
/// only under the first k blocks it shares, so exactly once, with no dedup set.
///
/// Why not probing MIH (Norouzi et al.) for a self-join: with m substrings it enumerates
/// every neighbour within ⌊r/m⌋ of each substring — at r = 8 and 1M values, hundreds of
/// random lookups into large tables per value. Here every step is a pass over an array
/// that fits in cache, and the work grows ~linearly while chance collisions stay rare
/// (keys of ~18 bits). A BK-tree prunes almost nothing at r = 8 (random distances
/// cluster around 32), so it is slower than brute force; bench/hashing.sh measures both.
enum HammingSearch {
    struct Plan: Equatable, CustomStringConvertible {
        enum Method: Equatable { case bruteForce, blocks(total: Int, inKey: Int) }
        var method: Method
        var estimatedNanoseconds: Double

        var description: String {
            switch method {
            case .bruteForce: return "brute force"
            case .blocks(let total, let inKey): return "\(total) blocks, keys of \(inKey) (\(binomial(total, inKey)) combinations)"
            }
        }
    }

    /// Below this many distinct values comparing every pair is as fast (≈ 2 ns a pair).
    static let bruteForceBelow = 4096
    /// Target key width: values sharing k chosen blocks then collide by chance in ≈ 1 of
    /// 2^18 pairs. Measured at r = 8 (bench/hashing.sh): wider keys (k = 4) cost more
    /// partitions than they save comparisons up to 1M values, narrower (k = 2) make
    /// comparisons grow quadratically past ~100k.
    static let targetKeyBits = 18.0
    /// Trie depth limit (each level is a buffer of 12 bytes per value).
    static let maxKeyBlocks = 5

    static func plan(count n: Int, radius r: Int) -> Plan {
        let pairs = Double(n) * Double(max(n - 1, 0)) / 2
        let brute = Plan(method: .bruteForce, estimatedNanoseconds: pairs * 2)
        guard r > 0 && r < 48 && n >= bruteForceBelow else { return brute }
        var best: (k: Int, gap: Double)?
        for k in 1...maxKeyBlocks {
            let blocks = r + k
            guard blocks <= 64, binomial(blocks, k) <= 20_000 else { break }
            let gap = abs(64.0 * Double(k) / Double(blocks) - targetKeyBits)
            if best == nil || gap < best!.gap { best = (k, gap) }
        }
        guard let k = best?.k else { return brute }
        let keyBits = 64.0 * Double(k) / Double(r + k)
        let estimate = Double(binomial(r + k, k)) * (Double(n) * 3 + pairs / exp2(keyBits) * 2)
        return estimate < brute.estimatedNanoseconds ? Plan(method: .blocks(total: r + k, inKey: k), estimatedNanoseconds: estimate) : brute
    }

    /// All pairs (i < j, indices into `values`) within `radius`, sorted by (i, j).
    static func pairs(_ values: [UInt64], radius: Int, jobs: Int, sorted: Bool = true) -> [HammingPair] {
        let n = values.count
        guard n >= 2, radius > 0 else { return [] }
        var found: [HammingPair]
        switch plan(count: n, radius: radius).method {
        case .bruteForce: found = bruteForce(values, radius: radius, jobs: jobs)
        case .blocks(let total, let inKey): found = blockCombinations(values, radius: radius, blocks: total, inKey: inKey, jobs: jobs)
        }
        if sorted { found.sort() }
        return found
    }

    static func bruteForce(_ values: [UInt64], radius: Int, jobs: Int) -> [HammingPair] {
        let n = values.count
        let chunks = values.withUnsafeBufferPointer { v in
            // Rows shrink as i grows: small chunks keep the threads evenly loaded.
            Parallel.mapChunks(count: n, chunkSize: max(1, min(256, n / (16 * max(1, jobs)))), jobs: jobs,
                               makeState: { () }) { _, rows -> [HammingPair] in
                var out: [HammingPair] = []
                for i in rows {
                    let a = v[i]
                    for j in (i + 1)..<n {
                        let d = (a ^ v[j]).nonzeroBitCount
                        if d <= radius { out.append(HammingPair(i: Int32(i), j: Int32(j), distance: UInt8(d))) }
                    }
                }
                return out
            }
        }
        return chunks.flatMap { $0 }
    }

    /// b contiguous blocks covering 64 bits, the first 64 % b one bit longer.
    static func blockSizes(_ b: Int) -> [Int] {
        (0..<b).map { 64 / b + ($0 < 64 % b ? 1 : 0) }
    }

    /// The search as a trie over blocks, so that every sort is small and in cache: values
    /// are partitioned by a first block, each group by a later block, and so on to depth
    /// k; a group at depth d holds values sharing d chosen blocks, and the groups at depth
    /// k are the candidates. Each partition is a counting sort on one block (5–8 bits:
    /// ≤ 256 buckets), and the partitions of a prefix are shared by every combination that
    /// extends it. Groups of ≤ `smallGroup` values are compared pairwise at once.
    static func blockCombinations(_ values: [UInt64], radius: Int, blocks: Int, inKey: Int, jobs: Int) -> [HammingPair] {
        let layout = BlockLayout(blocks: blocks, inKey: inKey, radius: radius)
        let firstBlocks = Array(0...(blocks - inKey))
        let results = values.withUnsafeBufferPointer { v in
            Parallel.mapChunks(count: firstBlocks.count, chunkSize: 1, jobs: jobs,
                               makeState: { TrieScratch(values: v, levels: inKey + 1) }) { scratch, range -> [HammingPair] in
                for position in range {
                    scratch.descend(layout, level: 0, start: 0, count: v.count, mask: 0, lastBlock: -1,
                                    only: firstBlocks[position])
                }
                let found = scratch.found
                scratch.found = []
                return found
            }
        }
        return results.flatMap { $0 }
    }

    struct BlockLayout {
        let blocks: Int
        let inKey: Int
        let radius: Int
        let sizes: [Int]
        let offsets: [Int]
        /// Masks of each block's bits in a value.
        let masks: [UInt64]
        static let smallGroup = 8

        init(blocks: Int, inKey: Int, radius: Int) {
            self.blocks = blocks
            self.inKey = inKey
            self.radius = radius
            let sizes = HammingSearch.blockSizes(blocks)
            var offsets: [Int] = []
            var bit = 0
            for size in sizes { offsets.append(bit); bit += size }
            self.sizes = sizes
            self.offsets = offsets
            masks = (0..<blocks).map { ((1 << UInt64(sizes[$0])) - 1) << UInt64(offsets[$0]) }
        }
    }

    /// One worker's buffers: level d holds the values (and their indices) of the groups
    /// at depth d, each group in the same positions as its parent group one level up.
    final class TrieScratch {
        let values: [UnsafeMutableBufferPointer<UInt64>]
        let ids: [UnsafeMutableBufferPointer<UInt32>]
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 257)
        var keys: UnsafeMutableBufferPointer<UInt64>
        var spare: UnsafeMutableBufferPointer<UInt64>
        let radixCounts = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 2048)
        var found: [HammingPair] = []

        init(values input: UnsafeBufferPointer<UInt64>, levels: Int) {
            let n = input.count
            values = (0..<levels).map { _ in .allocate(capacity: n) }
            ids = (0..<levels).map { _ in .allocate(capacity: n) }
            _ = values[0].initialize(from: input)
            for i in 0..<n { ids[0][i] = UInt32(i) }
            keys = .allocate(capacity: 0)
            spare = .allocate(capacity: 0)
        }

        deinit {
            values.forEach { $0.deallocate() }
            ids.forEach { $0.deallocate() }
            counts.deallocate(); radixCounts.deallocate(); keys.deallocate(); spare.deallocate()
        }

        /// Handles the group `values[level][start..<start+count]`, whose values share the
        /// blocks in `mask` (`level` of them, the highest `lastBlock`). `only` restricts
        /// the next block (the parallel split at the top).
        func descend(_ layout: BlockLayout, level: Int, start: Int, count: Int, mask: UInt32, lastBlock: Int, only: Int? = nil) {
            if level == layout.inKey || (level > 0 && count <= BlockLayout.smallGroup) {
                comparePairs(layout, level: level, start: start, count: count, mask: mask)
                return
            }
            let remaining = layout.inKey - level
            let choices = only.map { $0...$0 } ?? (lastBlock + 1)...(layout.blocks - remaining)
            for block in choices {
                partition(layout, from: level, start: start, count: count, block: block)
                // Runs of equal block value in the next level are the child groups.
                let next = values[level + 1]
                let blockMask = layout.masks[block]
                var runStart = start
                let end = start + count
                while runStart < end {
                    let key = next[runStart] & blockMask
                    var runEnd = runStart + 1
                    while runEnd < end && next[runEnd] & blockMask == key { runEnd += 1 }
                    if runEnd - runStart >= 2 {
                        descend(layout, level: level + 1, start: runStart, count: runEnd - runStart,
                                mask: mask | 1 << UInt32(block), lastBlock: block)
                    }
                    runStart = runEnd
                }
            }
        }

        /// Stable partition of a group by one block into the same positions one level down.
        func partition(_ layout: BlockLayout, from level: Int, start: Int, count: Int, block: Int) {
            let source = values[level], sourceIds = ids[level]
            let target = values[level + 1], targetIds = ids[level + 1]
            let shift = UInt64(layout.offsets[block]), size = layout.sizes[block]
            let low: UInt64 = (1 << UInt64(size)) - 1
            let end = start + count
            if size <= 8 {
                let buckets = 1 << size
                for b in 0...buckets { counts[b] = 0 }
                for i in start..<end { counts[Int((source[i] &>> shift) & low) &+ 1] &+= 1 }
                var sum = start
                for b in 0..<buckets { sum &+= counts[b + 1]; counts[b + 1] = sum }
                counts[0] = start
                for i in start..<end {
                    let bucket = Int((source[i] &>> shift) & low)
                    let to = counts[bucket]
                    target[to] = source[i]
                    targetIds[to] = sourceIds[i]
                    counts[bucket] = to &+ 1
                }
                return
            }
            // Wide blocks (small radii): radix sort packed (block value, position).
            if keys.count < count {
                keys.deallocate(); spare.deallocate()
                keys = .allocate(capacity: count); spare = .allocate(capacity: count)
            }
            let packed = UnsafeMutableBufferPointer(rebasing: keys[0..<count])
            for i in 0..<count { packed[i] = ((source[start + i] &>> shift) & low) &<< 32 | UInt64(i) }
            HammingSearch.radixSortHigh(packed, spare: spare, counts: radixCounts, keyBits: size)
            for i in 0..<count {
                let from = start + Int(packed[i] & 0xFFFF_FFFF)
                target[start + i] = source[from]
                targetIds[start + i] = sourceIds[from]
            }
        }

        /// Every pair of the group within the radius whose first `level` shared blocks are
        /// exactly `mask` (so each pair is reported in one group only).
        func comparePairs(_ layout: BlockLayout, level: Int, start: Int, count: Int, mask: UInt32) {
            let group = values[level], groupIds = ids[level]
            let radius = layout.radius
            let end = start + count
            for a in start..<(end - 1) {
                let va = group[a]
                for b in (a + 1)..<end {
                    let x = va ^ group[b]
                    let d = x.nonzeroBitCount
                    guard d <= radius else { continue }
                    var shared: UInt32 = 0
                    for block in 0..<layout.blocks where x & layout.masks[block] == 0 { shared |= 1 << UInt32(block) }
                    var first: UInt32 = 0
                    for _ in 0..<level { let lowest = shared & (~shared &+ 1); first |= lowest; shared ^= lowest }
                    if first == mask {
                        let ia = Int32(groupIds[a]), ib = Int32(groupIds[b])
                        found.append(HammingPair(i: min(ia, ib), j: max(ia, ib), distance: UInt8(d)))
                    }
                }
            }
        }
    }

    /// Sorts by the `keyBits` bits above bit 32 (LSD radix, ≤ 11-bit digits; insertion
    /// sort for short runs); the low 32 bits ride along. `counts` holds ≥ 2048 entries.
    static func radixSortHigh(_ keys: UnsafeMutableBufferPointer<UInt64>, spare: UnsafeMutableBufferPointer<UInt64>,
                              counts: UnsafeMutableBufferPointer<Int32>, keyBits: Int) {
        let n = keys.count
        guard keyBits > 0, n > 1 else { return }
        if n <= 32 {
            for i in 1..<n {
                let value = keys[i]
                var j = i
                while j > 0 && keys[j - 1] &>> 32 > value &>> 32 { keys[j] = keys[j - 1]; j -= 1 }
                keys[j] = value
            }
            return
        }
        let passes = (keyBits + 10) / 11
        let digitBits = (keyBits + passes - 1) / passes
        let buckets = 1 << digitBits
        var source = keys, target = UnsafeMutableBufferPointer(rebasing: spare[0..<n])
        for pass in 0..<passes {
            let shift = UInt64(32 + pass * digitBits)
            let digitMask = UInt64(buckets - 1)
            for b in 0..<buckets { counts[b] = 0 }
            for i in 0..<n { counts[Int((source[i] &>> shift) & digitMask)] &+= 1 }
            var sum: Int32 = 0
            for b in 0..<buckets { let c = counts[b]; counts[b] = sum; sum &+= c }
            for i in 0..<n {
                let value = source[i]
                let digit = Int((value &>> shift) & digitMask)
                target[Int(counts[digit])] = value
                counts[digit] &+= 1
            }
            swap(&source, &target)
        }
        if passes % 2 == 1 { _ = keys.update(fromContentsOf: source) }
    }

    static func binomial(_ n: Int, _ k: Int) -> Int {
        guard k >= 0 && k <= n else { return 0 }
        var result = 1
        for i in 0..<min(k, n - k) { result = result * (n - i) / (i + 1) }
        return result
    }

}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
