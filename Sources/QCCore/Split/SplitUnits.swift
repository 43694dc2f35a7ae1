/// The units `GroupedSplit` places: images sharing a group key, joined with every image
/// they are a duplicate of (a copy in another split is leakage even when its key differs).
/// An image with neither is a unit of its own.
public struct SplitUnits: Sendable {
    public var units: [GroupedSplit.Unit]
    /// unitOfImage[i]: the unit holding image i.
    public var unitOfImage: [Int]
    /// Units that hold a group key (not lone images), for "groups per split".
    public var keyed: [Bool]

    /// `keys`: one group key per image (nil: its own group). `clusters`: duplicate groups
    /// as image indices. Classes are indexed by their position in `dataset.classIds`.
    public static func build(_ ds: Dataset, keys: [String?], clusters: [[Int]]) -> SplitUnits {
        let n = ds.images.count
        var sets = UnionFind(count: n)
        var firstWithKey: [String: Int] = [:]
        for i in 0..<n {
            guard let k = keys[i] else { continue }
            if let j = firstWithKey[k] { sets.union(i, j) } else { firstWithKey[k] = i }
        }
        for cluster in clusters {
            for i in cluster.dropFirst() { sets.union(cluster[0], i) }
        }
        let classIndex = Dictionary(uniqueKeysWithValues: ds.classIds.enumerated().map { ($1, $0) })
        var unitOfRoot: [Int: Int] = [:]
        var unitOfImage = [Int](repeating: 0, count: n)
        var counts: [[Int32: Double]] = []
        var images: [Int] = []
        var keyed: [Bool] = []
        for i in 0..<n {
            let root = sets.find(i)
            let u: Int
            if let existing = unitOfRoot[root] { u = existing } else {
                u = counts.count
                unitOfRoot[root] = u
                counts.append([:]); images.append(0); keyed.append(false)
            }
            unitOfImage[i] = u
            images[u] += 1
            if keys[i] != nil { keyed[u] = true }
            for box in ds.boxes(of: ds.images[i]) {
                // Ids outside `names` are not a class to balance.
                guard let k = classIndex[Int(box.classId)] else { continue }
                counts[u][Int32(k), default: 0] += 1
            }
        }
        let units = counts.enumerated().map { u, c -> GroupedSplit.Unit in
            let classes = c.keys.sorted()
            return GroupedSplit.Unit(classes: classes, counts: classes.map { c[$0]! }, images: images[u])
        }
        return SplitUnits(units: units, unitOfImage: unitOfImage, keyed: keyed)
    }
}
