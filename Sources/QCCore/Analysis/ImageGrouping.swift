/// Groups images by a key (scene, camera|day, a video stem…) and records which splits
/// each group reaches: a group present in two splits is a `group_leak`, and the grouped
/// splitter moves whole groups. Built from one key per image, as the group-key rule
/// (Lua or the default) returns them.
///
/// A nil or empty key means "no group": the image stands alone and is in no group.
/// Groups are numbered in order of first appearance, so results are deterministic.
/// Images whose split index is outside `0..<splitCount` belong to their group but are
/// not counted in any split.
public enum ImageGrouping {
    public struct Group: Sendable, Equatable {
        public var key: String
        /// Images of this group per split, indexed like `Dataset.splits`.
        public var imagesPerSplit: [Int]
        public var imageCount: Int
        /// Split indices with at least one image, ascending.
        public var splits: [Int]
        /// More than one split: the group leaks between splits.
        public var isLeaking: Bool { splits.count > 1 }
        /// The split holding most of the group's images (lowest index on ties); nil if none counted.
        public var majoritySplit: Int? {
            var best: Int?
            for s in splits where best == nil || imagesPerSplit[s] > imagesPerSplit[best!] { best = s }
            return best
        }
    }

    public struct Index: Sendable, Equatable {
        public var groups: [Group]
        /// `groupOfImage[i]` = index into `groups`, −1 when image i has no key.
        public var groupOfImage: [Int32]
        /// Members in CSR form: group g's images are `memberImages[memberStart[g]..<memberStart[g+1]]`, ascending.
        public var memberStart: [Int32]
        public var memberImages: [Int32]

        public func images(of group: Int) -> ArraySlice<Int32> {
            memberImages[Int(memberStart[group])..<Int(memberStart[group + 1])]
        }

        /// Indices of groups present in more than one split.
        public var leakingGroups: [Int] { groups.indices.filter { groups[$0].isLeaking } }

        /// Images without a key.
        public var ungroupedCount: Int { groupOfImage.reduce(0) { $0 + ($1 < 0 ? 1 : 0) } }
    }

    /// `keys[i]` and `splits[i]` describe image i; the shorter array bounds the images considered
    /// (images beyond it are ungrouped).
    public static func build(keys: [String?], splits: [Int32], splitCount: Int) -> Index {
        let n = keys.count
        var groupOfKey: [String: Int32] = [:]
        groupOfKey.reserveCapacity(Swift.min(n, 1 << 16))
        var groupOfImage = [Int32](repeating: -1, count: n)
        var groupKeys: [String] = []
        var sizes: [Int32] = []
        var perSplit: [Int] = []  // flat, groups × splitCount
        let splitCount = Swift.max(0, splitCount)

        for i in 0..<n {
            guard let key = keys[i], !key.isEmpty else { continue }
            let g: Int32
            if let existing = groupOfKey[key] {
                g = existing
            } else {
                g = Int32(groupKeys.count)
                groupOfKey[key] = g
                groupKeys.append(key)
                sizes.append(0)
                perSplit.append(contentsOf: repeatElement(0, count: splitCount))
            }
            groupOfImage[i] = g
            sizes[Int(g)] += 1
            if i < splits.count {
                let s = Int(splits[i])
                if s >= 0 && s < splitCount { perSplit[Int(g) * splitCount + s] += 1 }
            }
        }

        // Counting sort of images into their groups: ascending image order within a group.
        var memberStart = [Int32](repeating: 0, count: groupKeys.count + 1)
        for g in 0..<groupKeys.count { memberStart[g + 1] = memberStart[g] + sizes[g] }
        var cursor = memberStart
        var memberImages = [Int32](repeating: 0, count: Int(memberStart.last ?? 0))
        for i in 0..<n where groupOfImage[i] >= 0 {
            let g = Int(groupOfImage[i])
            memberImages[Int(cursor[g])] = Int32(i)
            cursor[g] += 1
        }

        var groups: [Group] = []
        groups.reserveCapacity(groupKeys.count)
        for g in 0..<groupKeys.count {
            let counts = Array(perSplit[(g * splitCount)..<((g + 1) * splitCount)])
            groups.append(Group(key: groupKeys[g], imagesPerSplit: counts, imageCount: Int(sizes[g]),
                                splits: counts.indices.filter { counts[$0] > 0 }))
        }
        return Index(groups: groups, groupOfImage: groupOfImage, memberStart: memberStart, memberImages: memberImages)
    }

    /// Groups the dataset's images by `keys` (one per image, in `dataset.images` order).
    public static func build(dataset: Dataset, keys: [String?]) -> Index {
        build(keys: keys, splits: dataset.images.map(\.split), splitCount: dataset.splits.count)
    }
}
