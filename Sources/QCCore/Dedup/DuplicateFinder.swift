/// The duplicates check's native passes over a run's image hashes: exact copies, near
/// copies, images sharing their labels while looking different, and static frame runs.
/// Each returns groups of image indices with the member to keep; what to report stays
/// in the rule.
public enum DuplicateFinder {
    public struct Group: Sendable {
        /// Image indices, ascending.
        public var images: [Int]
        public var keep: Int
        /// Per member, the Hamming distance of its pHash to the kept image's (0 for exact copies).
        public var distances: [Int]
    }

    /// Which copy stays: the one in the split holding most of the group (so dropping the
    /// others removes the cross-split copies), then the most pixels, then the largest
    /// file, then the first path.
    public static func keeper(of members: [Int], in ds: Dataset, hashes: DatasetHashes) -> Int {
        var perSplit: [Int32: Int] = [:]
        for i in members { perSplit[ds.images[i].split, default: 0] += 1 }
        func rank(_ i: Int) -> (Int, Int64, Int64) {
            let image = ds.images[i]
            let size = (try? hashes.outcomes[i].get())?.fileSize ?? image.fileSize
            return (perSplit[image.split] ?? 0, Int64(image.width) * Int64(image.height), size)
        }
        return members.max { a, b in
            let ra = rank(a), rb = rank(b)
            if ra != rb { return ra < rb }
            return ds.images[a].path > ds.images[b].path
        }!
    }

    /// Groups of images with identical bytes (same size and xxh3-128).
    public static func exact(_ ds: Dataset, _ hashes: DatasetHashes) -> [Group] {
        var byContent: [ContentKey: [Int]] = [:]
        for (i, outcome) in hashes.outcomes.enumerated() {
            let key: ContentKey
            switch outcome {
            case .success(let h): key = ContentKey(size: h.fileSize, digest: h.content)
            case .failure(let e):
                guard let digest = e.content, let size = e.fileSize else { continue }
                key = ContentKey(size: size, digest: digest)
            }
            byContent[key, default: []].append(i)
        }
        return byContent.values.filter { $0.count > 1 }.map { members in
            Group(images: members, keep: keeper(of: members, in: ds, hashes: hashes),
                  distances: [Int](repeating: 0, count: members.count))
        }.sorted { $0.images[0] < $1.images[0] }
    }

    /// Groups of visually near-identical images: pHashes within `radius` bits, linked in
    /// chains. Exact copies count once (they are `exact`'s). Frames of one sequence are
    /// not paired with each other unless `sameSequence`: consecutive frames look alike by
    /// nature, and `staticRuns` judges them with their labels.
    public static func near(_ ds: Dataset, _ hashes: DatasetHashes, radius: Int, sameSequence: Bool = false,
                            jobs: Int = 1) -> [Group] {
        let (values, owners) = distinctContent(hashes)
        guard values.count > 1 else { return [] }
        let sequence = sameSequence ? [] : sequenceIds(ds)
        var sets = UnionFind(count: values.count)
        var linked = false
        func link(_ x: Int, _ y: Int) {
            let a = owners[x][0], b = owners[y][0]
            if !sameSequence, let sa = sequence[a], sa == sequence[b] { return }
            sets.union(x, y)
            linked = true
        }
        // Equal pHashes (different bytes) pair at distance 0; the search gets each value once.
        var byValue: [UInt64: [Int]] = [:]
        for (k, v) in values.enumerated() { byValue[v, default: []].append(k) }
        let distinct = Array(byValue.keys)
        for same in byValue.values where same.count > 1 {
            // Linear, not all pairs (40 templates copied 3,000 times each would give 10^8):
            // every member joins the first one, or — when it is a frame of the first one's
            // sequence — the first member from another sequence.
            let first = same[0]
            let other = sameSequence ? nil : same.first { sequence[owners[$0][0]] == nil || sequence[owners[$0][0]] != sequence[owners[first][0]] }
            for b in same.dropFirst() {
                link(first, b)
                if let other, other != b { link(other, b) }
            }
        }
        // Unsorted: only the links matter, and a video's frames give 10^5 pairs.
        if radius > 0 {
            for pair in HammingSearch.pairs(distinct, radius: radius, jobs: jobs, sorted: false) {
                for a in byValue[distinct[Int(pair.i)]]! {
                    for b in byValue[distinct[Int(pair.j)]]! { link(a, b) }
                }
            }
        }
        guard linked else { return [] }
        var byRoot: [Int: [Int]] = [:]
        for v in values.indices { byRoot[sets.find(v), default: []].append(v) }
        var groups: [Group] = []
        for distinct in byRoot.values where distinct.count > 1 {
            // Exact copies inside a near group: their first copy stands for them.
            let members = distinct.map { owners[$0][0] }.sorted()
            let keep = keeper(of: members, in: ds, hashes: hashes)
            let keepHash = values[distinct.first { owners[$0][0] == keep }!]
            let distances = members.map { i in
                PerceptualHash.distance((try? hashes.outcomes[i].get())?.phash ?? keepHash, keepHash)
            }
            groups.append(Group(images: members, keep: keep, distances: distances))
        }
        return groups.sorted { $0.images[0] < $1.images[0] }
    }

    /// Distinct (content) hashed images: their pHashes, and for each the images holding
    /// those bytes (first = lowest index).
    static func distinctContent(_ hashes: DatasetHashes) -> (values: [UInt64], owners: [[Int]]) {
        var slot: [ContentDigest: Int] = [:]
        var values: [UInt64] = []
        var owners: [[Int]] = []
        for (i, outcome) in hashes.outcomes.enumerated() {
            guard case .success(let h) = outcome else { continue }
            if let s = slot[h.content] { owners[s].append(i); continue }
            slot[h.content] = values.count
            values.append(h.phash)
            owners.append([i])
        }
        return (values, owners)
    }

    /// Per image, an id of its frame sequence (nil when its name has no frame number).
    static func sequenceIds(_ ds: Dataset) -> [Int?] {
        var ids: [String: Int] = [:]
        return ds.images.map { image in
            guard let (stem, _) = DefaultGroupKey.frameStem(of: image.path) else { return nil }
            if let id = ids[stem] { return id }
            ids[stem] = ids.count
            return ids.count - 1
        }
    }

    private struct ContentKey: Hashable {
        var size: Int64
        var digest: ContentDigest
    }
}
