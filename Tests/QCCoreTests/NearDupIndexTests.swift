import XCTest
@testable import QCCore

final class NearDupIndexTests: XCTestCase {
    typealias RNG = DecodeTestImages.RNG

    /// Random hashes plus planted neighbours (1…`maxFlips` bits away) and exact copies.
    private func plantedHashes(count: Int, planted: Int, maxFlips: Int, seed: UInt64) -> [UInt64] {
        var rng = RNG(state: seed)
        var hashes = (0..<count).map { _ in rng.next() }
        for _ in 0..<planted {
            var h = hashes[rng.int(0...(hashes.count - 1))]
            for _ in 0..<rng.int(0...maxFlips) { h ^= 1 << UInt64(rng.int(0...63)) }
            hashes.insert(h, at: rng.int(0...hashes.count))
        }
        return hashes
    }

    private func naivePairs(_ hashes: [UInt64], radius: Int) -> [HammingPair] {
        var out: [HammingPair] = []
        for i in 0..<hashes.count { for j in (i + 1)..<hashes.count {
            let d = (hashes[i] ^ hashes[j]).nonzeroBitCount
            if d <= radius { out.append(HammingPair(i: Int32(i), j: Int32(j), distance: UInt8(d))) }
        } }
        return out
    }

    func testIndexMatchesBruteForceWithPlantedNeighbours() {
        let hashes = plantedHashes(count: 3000, planted: 400, maxFlips: 12, seed: 1)
        for radius in [0, 1, 4, 8, 10] {
            let expected = naivePairs(hashes, radius: radius)
            XCTAssertEqual(NearDuplicateIndex(hashes: hashes).pairs(radius: radius, jobs: 2), expected, "radius \(radius)")
        }
        XCTAssertGreaterThan(naivePairs(hashes, radius: 8).count, 200, "the planted pairs are there")
    }

    func testEveryBlockLayoutFindsExactlyTheBruteForcePairs() {
        // Force the block search where the planner would pick brute force, for many layouts:
        // wide blocks (radix path), narrow ones (counting sort), small groups compared at once.
        let hashes = plantedHashes(count: 2500, planted: 500, maxFlips: 9, seed: 2)
        for (radius, inKey) in [(1, 1), (2, 1), (3, 2), (5, 3), (8, 2), (8, 3), (8, 4), (9, 5), (12, 4)] {
            let expected = naivePairs(hashes, radius: radius)
            let found = HammingSearch.blockCombinations(hashes, radius: radius, blocks: radius + inKey, inKey: inKey, jobs: 2).sorted()
            XCTAssertEqual(found, expected, "r=\(radius) k=\(inKey)")
        }
    }

    func testClusteredHashesLikeRealPhotosAndFrames() {
        // Few centres with many close variants: big groups at every trie level.
        var rng = RNG(state: 3)
        let centres = (0..<40).map { _ in rng.next() }
        let hashes: [UInt64] = (0..<2500).map { _ in
            var h = centres[rng.int(0...39)]
            for _ in 0..<rng.int(0...6) { h ^= 1 << UInt64(rng.int(0...63)) }
            return h
        }
        let index = NearDuplicateIndex(hashes: hashes)
        let expected = NearDuplicateIndex.bruteForcePairs(hashes, radius: 8, jobs: 2)
        let forced = HammingSearch.blockCombinations(index.values, radius: 8, blocks: 11, inKey: 3, jobs: 1).sorted()
        XCTAssertEqual(forced, HammingSearch.bruteForce(index.values, radius: 8, jobs: 1).sorted())
        XCTAssertEqual(index.pairs(radius: 8), expected)
    }

    func testPlannerUsesBlocksForLargeInputsAndIsSubQuadratic() {
        XCTAssertEqual(HammingSearch.plan(count: 1000, radius: 8).method, .bruteForce)
        XCTAssertEqual(HammingSearch.plan(count: 1_000_000, radius: 8).method, .blocks(total: 11, inKey: 3))
        let hashes = plantedHashes(count: 30000, planted: 300, maxFlips: 8, seed: 4)
        let index = NearDuplicateIndex(hashes: hashes)
        XCTAssertTrue(index.searchPlan(radius: 8).contains("blocks"))
        XCTAssertEqual(index.pairs(radius: 8, jobs: 2), NearDuplicateIndex.bruteForcePairs(hashes, radius: 8, jobs: 2))
    }

    func testExactDuplicatesAndClusters() {
        let a: UInt64 = 0
        let b: UInt64 = 0b11111          // 5 from a
        let c: UInt64 = 0b1111111111     // 5 from b, 10 from a
        let far: UInt64 = ~0
        let hashes = [a, far, b, a, c, far, 0xF0F0_F0F0_0000_0000]
        let index = NearDuplicateIndex(hashes: hashes)
        XCTAssertEqual(index.pairs(radius: 0), [HammingPair(i: 0, j: 3, distance: 0), HammingPair(i: 1, j: 5, distance: 0)])
        XCTAssertEqual(index.pairs(radius: 5).map { [$0.i, $0.j, Int32($0.distance)] },
                       [[0, 2, 5], [0, 3, 0], [1, 5, 0], [2, 3, 5], [2, 4, 5]])
        XCTAssertEqual(index.clusters(radius: 0), [[0, 3], [1, 5]])
        XCTAssertEqual(index.clusters(radius: 5), [[0, 2, 3, 4], [1, 5]], "single linkage: a–b–c chains")
        XCTAssertEqual(NearDuplicateIndex(hashes: []).pairs(radius: 8), [])
        XCTAssertEqual(NearDuplicateIndex(hashes: [7]).clusters(radius: 8), [])
    }

    func testBKTreeAgreesWithBruteForce() {
        let hashes = plantedHashes(count: 2000, planted: 200, maxFlips: 10, seed: 5)
        XCTAssertEqual(BKTree.allPairs(hashes, radius: 8, jobs: 2), naivePairs(hashes, radius: 8))
        var hits: [(id: Int32, distance: Int)] = []
        BKTree(hashes: hashes).query(hashes[17], radius: 0, into: &hits)
        XCTAssertTrue(hits.contains { $0.id == 17 && $0.distance == 0 })
    }
}
