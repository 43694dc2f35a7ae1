import Foundation

/// What `qcpass split` prints and the benchmark checks: per class and split, the share
/// of the class's instances and its deviation from the split's ratio, and the groups
/// (units) per split.
public struct SplitTable: Sendable {
    public struct Row: Sendable {
        public var className: String
        public var instances: Int
        /// Units holding the class: stratification is promised only for classes in enough groups.
        public var groups: Int
        /// Per split, share of the class's instances (0–1).
        public var shares: [Double]
    }

    public var splits: [String]
    public var ratios: [Double]
    public var rows: [Row]
    public var imagesPerSplit: [Int]
    public var groupsPerSplit: [Int]

    public static func build(_ ds: Dataset, units: SplitUnits, assignment: [Int], splits: [String],
                             ratios: [Double]) -> SplitTable {
        let total = ratios.reduce(0, +)
        let classIds = ds.classIds
        var instances = [[Int]](repeating: [Int](repeating: 0, count: splits.count), count: classIds.count)
        var groups = [Int](repeating: 0, count: classIds.count)
        for (u, unit) in units.units.enumerated() {
            for (j, k) in unit.classes.enumerated() {
                instances[Int(k)][assignment[u]] += Int(unit.counts[j])
                groups[Int(k)] += 1
            }
        }
        var imagesPerSplit = [Int](repeating: 0, count: splits.count)
        var groupsPerSplit = [Int](repeating: 0, count: splits.count)
        for (u, unit) in units.units.enumerated() {
            imagesPerSplit[assignment[u]] += unit.images
            groupsPerSplit[assignment[u]] += 1
        }
        let rows = classIds.enumerated().map { k, id -> Row in
            let sum = instances[k].reduce(0, +)
            return Row(className: ds.className(id), instances: sum, groups: groups[k],
                       shares: instances[k].map { sum > 0 ? Double($0) / Double(sum) : 0 })
        }
        return SplitTable(splits: splits, ratios: ratios.map { $0 / total }, rows: rows,
                          imagesPerSplit: imagesPerSplit, groupsPerSplit: groupsPerSplit)
    }

    /// The largest |share − ratio| in percentage points over classes in ≥ `minGroups` groups.
    public func maxDeviationPP(minGroups: Int) -> Double {
        var worst = 0.0
        for row in rows where row.groups >= minGroups {
            for (s, share) in row.shares.enumerated() { worst = max(worst, abs(share - ratios[s]) * 100) }
        }
        return worst
    }

    /// One line per class: instances, groups, and per split "share% (±pp)"; classes in
    /// fewer than `minGroups` groups are marked, since no split can balance them.
    public func render(minGroups: Int) -> String {
        let nameWidth = max(5, rows.map { $0.className.count }.max() ?? 5)
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
        func lpad(_ s: String, _ w: Int) -> String { s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }
        var header = pad("class", nameWidth) + lpad("instances", 11) + lpad("groups", 8)
        for (s, name) in splits.enumerated() {
            header += lpad("\(name) \(String(format: "%.0f%%", ratios[s] * 100))", 18)
        }
        var lines = [header]
        for row in rows {
            var line = pad(row.className, nameWidth) + lpad(String(row.instances), 11) + lpad(String(row.groups), 8)
            for (s, share) in row.shares.enumerated() {
                let dev = (share - ratios[s]) * 100
                line += lpad(String(format: "%.1f%% (%+.1f)", share * 100, dev), 18)
            }
            if row.groups < minGroups && row.instances > 0 { line += "  (in < \(minGroups) groups)" }
            lines.append(line)
        }
        var images = pad("images", nameWidth) + lpad(String(imagesPerSplit.reduce(0, +)), 11) + lpad(String(groupsPerSplit.reduce(0, +)), 8)
        let totalImages = max(1, imagesPerSplit.reduce(0, +))
        for (s, n) in imagesPerSplit.enumerated() {
            let share = Double(n) / Double(totalImages)
            images += lpad(String(format: "%.1f%% (%+.1f)", share * 100, (share - ratios[s]) * 100), 18)
        }
        lines.append(images)
        lines.append("groups per split: " + zip(splits, groupsPerSplit).map { "\($0) \($1)" }.joined(separator: ", "))
        lines.append(String(format: "largest deviation (classes in ≥ %d groups): %.2f pp", minGroups, maxDeviationPP(minGroups: minGroups)))
        return lines.joined(separator: "\n")
    }
}
