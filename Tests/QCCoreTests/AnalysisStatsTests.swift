import XCTest
@testable import QCCore

final class AnalysisStatsTests: XCTestCase {
    // Reference values from numpy 2.4 (np.median, np.percentile default "linear", np.std).
    let a: [Double] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]

    func testMedianMADPercentilesAgainstNumpy() {
        XCTAssertEqual(RobustStats.median(a), 4)
        XCTAssertEqual(RobustStats.mad(a, scaled: false), 1)
        XCTAssertEqual(RobustStats.mad(a), 1.482602218505602, accuracy: 1e-12)
        let expected: [(Double, Double)] = [(0, 1), (5, 1), (10, 1), (25, 2.5), (33.3, 3), (50, 4), (75, 5),
                                            (90, 6), (95, 7.5), (99, 8.700000000000001), (100, 9)]
        for (p, v) in expected {
            XCTAssertEqual(RobustStats.percentile(a, p), v, accuracy: 1e-12, "p\(p)")
        }
        XCTAssertEqual(RobustStats.percentiles(a, expected.map(\.0)), expected.map(\.1))

        let even: [Double] = [10, 2, 7, 4]
        XCTAssertEqual(RobustStats.median(even), 5.5)
        XCTAssertEqual(RobustStats.mad(even, scaled: false), 2.5)
        XCTAssertEqual(RobustStats.percentile(even, 25), 3.5, accuracy: 1e-12)
        XCTAssertEqual(RobustStats.percentile(even, 90), 9.1, accuracy: 1e-12)
    }

    func testMeanAndStddev() {
        XCTAssertEqual(RobustStats.mean(a), 4)
        XCTAssertEqual(RobustStats.stddev(a), 2.256304299271065, accuracy: 1e-12)
        XCTAssertEqual(RobustStats.stddev(a, ddof: 1), 2.3664319132398464, accuracy: 1e-12)
        // Large offset, small spread: the two-pass formula keeps the precision.
        XCTAssertEqual(RobustStats.stddev([1e9 + 1, 1e9 + 2, 1e9 + 3]), (2.0 / 3).squareRoot(), accuracy: 1e-6)
        XCTAssertTrue(RobustStats.stddev([1], ddof: 1).isNaN)
    }

    func testEmptyAndNaNInput() {
        for f in [RobustStats.median, { RobustStats.mad($0) }, RobustStats.mean, { RobustStats.stddev($0) },
                  { RobustStats.percentile($0, 50) }] as [([Double]) -> Double] {
            XCTAssertTrue(f([]).isNaN)
            XCTAssertTrue(f([.nan, .nan]).isNaN)
        }
        XCTAssertEqual(RobustStats.median([.nan, 1, 3]), 2, "NaN is ignored")
        XCTAssertEqual(RobustStats.mean([.nan, 1, 3]), 2)
        XCTAssertEqual(RobustStats.percentile([3, .nan, 1, 2], 100), 3)
        XCTAssertEqual(RobustStats.median([1, .infinity, 2]), 2)
        XCTAssertEqual(RobustStats.summary([]), .empty)
        XCTAssertEqual(RobustStats.summary([.nan]).count, 0)
        XCTAssertTrue(RobustStats.percentiles([], [50])[0].isNaN)
    }

    func testSelectionAgreesWithSortingOnManyShapes() {
        var rng = AnalysisTestRNG(seed: 3)
        for n in 1...300 {
            // Few distinct values stress the equal-to-pivot path.
            let distinct = n % 3 == 0 ? 4 : 1000
            let v = (0..<n).map { _ in Double(rng.next() % UInt64(distinct)) }
            let s = v.sorted()
            let median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
            XCTAssertEqual(RobustStats.median(v), median, "n=\(n)")
            // Summary's MAD walks the sorted array; mad() selects on deviations. Same answer.
            XCTAssertEqual(RobustStats.summary(v).mad, RobustStats.mad(v), "n=\(n)")
            let ps = [0.0, 5, 12.5, 25, 50, 50, 87.5, 99, 100]
            for p in ps {
                XCTAssertEqual(RobustStats.percentile(v, p), RobustStats.percentileOfSorted(s, p), "n=\(n) p=\(p)")
            }
            XCTAssertEqual(RobustStats.percentiles(v, ps), ps.map { RobustStats.percentileOfSorted(s, $0) }, "n=\(n)")
        }
        let sortedAlready = (0..<10_001).map(Double.init)
        XCTAssertEqual(RobustStats.median(sortedAlready), 5000)
        XCTAssertEqual(RobustStats.median(Array(sortedAlready.reversed())), 5000)
    }

    /// Large inputs asked for many percentiles take the bucket path: it must give exactly
    /// the sorted array's answers, whatever the spread — quantised confidences, one value
    /// repeated, a long tail, negatives, and ±infinity (which falls back to selection).
    func testManyPercentilesOfLargeArraysAgreeWithSorting() {
        var rng = AnalysisTestRNG(seed: 11)
        let n = 70_001
        let shapes: [(String, () -> Double)] = [
            ("confidences to 3 decimals", { Double(rng.next() % 1001) / 1000 }),
            ("one value", { 0.5 }),
            ("long tail", { let u = Double(rng.next() % 1_000_000) / 1_000_000; return 1 / (1 - u * 0.999_999) }),
            ("negatives", { Double(Int64(rng.next() % 20_001) - 10_000) / 7 }),
            ("with infinities", { let k = rng.next() % 1000; return k == 0 ? .infinity : (k == 1 ? -.infinity : Double(k)) }),
        ]
        let ps = (0...100).map(Double.init) + [12.5, 99.9]
        for (name, draw) in shapes {
            let v = (0..<n).map { _ in draw() }
            let s = v.sorted()
            let got = RobustStats.percentiles(v, ps), want = ps.map { RobustStats.percentileOfSorted(s, $0) }
            // Interpolating between two infinities is NaN on both paths.
            XCTAssertTrue(zip(got, want).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(name): \(got) vs \(want)")
        }
    }

    func testRobustZScores() {
        let z = RobustStats.robustZScores([1, 2, 3, 4, 100, .nan])
        // median 3, raw MAD 1 → scale 1.4826
        XCTAssertEqual(z[0], -2 / 1.482602218505602, accuracy: 1e-12)
        XCTAssertEqual(z[2], 0)
        XCTAssertEqual(z[4], 97 / 1.482602218505602, accuracy: 1e-9)
        XCTAssertTrue(z[5].isNaN)
        // MAD 0 (most values equal): mean absolute deviation 0.8 × 1.2533 is the scale.
        let zz = RobustStats.robustZScores([5, 5, 5, 5, 9])
        XCTAssertEqual(zz[4], 4 / (0.8 * 1.2533141373155001), accuracy: 1e-12)
        XCTAssertEqual(zz[0], 0)
        XCTAssertEqual(RobustStats.robustZScores([2, 2, 2]), [0, 0, 0])
        XCTAssertEqual(RobustStats.robustZ(7, median: 4, mad: 1), 3 / 1.482602218505602, accuracy: 1e-12)
        XCTAssertEqual(RobustStats.robustZ(7, median: 4, mad: 0), .infinity)
    }

    func testSummary() {
        let s = RobustStats.summary(a + [.nan])
        XCTAssertEqual(s.count, 11)
        XCTAssertEqual(s.mean, 4)
        XCTAssertEqual(s.stddev, 2.256304299271065, accuracy: 1e-12)
        XCTAssertEqual(s.min, 1); XCTAssertEqual(s.max, 9)
        XCTAssertEqual(s.p5, 1); XCTAssertEqual(s.p25, 2.5); XCTAssertEqual(s.median, 4)
        XCTAssertEqual(s.p75, 5); XCTAssertEqual(s.p95, 7.5, accuracy: 1e-12)
        XCTAssertEqual(s.mad, 1.482602218505602, accuracy: 1e-12)
    }
}
