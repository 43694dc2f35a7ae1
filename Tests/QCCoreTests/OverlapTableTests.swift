import XCTest
@testable import QCCore

/// The overlap table every prediction-based pass reads, and the confusion matrix made
/// from it: the same matrix as the full greedy match, on boxes random enough to hit
/// crowds, ties, disjoint boxes and low confidences.
final class OverlapTableTests: XCTestCase {
    private typealias Fixtures = DetectionFixtures

    func testPairsAreTheOverlappingBoxesInBothOrders() {
        typealias F = Fixtures
        let ds = F.dataset([
            .init(labels: [F.label(0, 0, 0, 100, 100), F.label(1, 200, 200, 300, 300)],
                  preds: [F.pred(1, 250, 250, 350, 350, 0.9), F.pred(0, 50, 0, 150, 100, 0.8), F.pred(2, 500, 500, 510, 510, 0.7),
                          F.pred(0, 0, 0, 100, 100, 0.6)]),
            .init(labels: [F.label(0, 0, 0, 10, 10)]),                          // no predictions: no pairs
            .init(preds: [F.pred(0, 0, 0, 10, 10, 0.9)]),                       // no labels: no pairs
            .init(labels: [F.label(2, 0, 0, 10, 10)], preds: [F.pred(2, 20, 20, 30, 30, 0.9)]),  // disjoint
        ])
        let table = OverlapTable.build(ds, jobs: 2)
        XCTAssertEqual(table.count, 3)
        var cursor = OverlapTable.Cursor(table)
        let first = cursor.image(0)
        let pairs = Array(cursor.pairs[first])
        // By label, then prediction: label 0 with predictions 1 and 3, label 1 with prediction 0.
        XCTAssertEqual(pairs.map(\.label), [0, 0, 1])
        XCTAssertEqual(pairs.map(\.prediction), [1, 3, 0])
        XCTAssertEqual(pairs[1].iou, 1)
        XCTAssertEqual(pairs[0].iou, 5000.0 / 15000.0, accuracy: 1e-12)
        // By prediction, then label.
        XCTAssertEqual(first.map { cursor.pairByPrediction($0, in: first).prediction }, [0, 1, 3])
        for i in 1..<4 { XCTAssertTrue(cursor.image(i).isEmpty, "image \(i)") }
    }

    func testConfusionFromTheTableEqualsTheFullMatch() {
        var random = SeededRandom(seed: 11)
        for round in 0..<20 {
            var images: [DetectionFixtures.Img] = []
            // Round 0 is large enough to be matched in several chunks on several threads.
            for _ in 0..<(round == 0 ? 1_500 : 5 + Int(random.next() % 30)) {
                var img = DetectionFixtures.Img()
                for _ in 0..<Int(random.next() % 9) {
                    let (x, y) = (Double(random.next() % 500), Double(random.next() % 380))
                    let (w, h) = (Double(1 + random.next() % 140), Double(1 + random.next() % 100))
                    img.labels.append(Fixtures.label(Int32(random.next() % 4), x, y, x + w, y + h, crowd: random.next() % 12 == 0))
                    // Most labels get a jittered prediction, sometimes of another class.
                    if random.next() % 4 != 0 {
                        let j = { Double(Int(random.next() % 21) - 10) }
                        let c = random.next() % 5 == 0 ? Int32(random.next() % 4) : img.labels.last!.classId
                        img.preds.append(Fixtures.pred(c, x + j(), y + j(), x + w + j(), y + h + j(), Double(random.next() % 100) / 100))
                    }
                }
                for _ in 0..<Int(random.next() % 4) {
                    let (x, y) = (Double(random.next() % 560), Double(random.next() % 420))
                    img.preds.append(Fixtures.pred(Int32(random.next() % 4), x, y, x + 60, y + 50, Double(random.next() % 100) / 100))
                }
                images.append(img)
            }
            let ds = Fixtures.dataset(images, classes: 4)
            let table = OverlapTable.build(ds, jobs: 2)
            for (iou, conf) in [(0.45, 0.25), (0.3, 0.0), (0.7, 0.5)] {
                let full = BoxMatching.confusionMatrix(
                    dataset: ds, match: BoxMatching.match(dataset: ds, iouThreshold: iou, classAware: false, minConfidence: conf))
                let fromTable = BoxMatching.confusionMatrix(dataset: ds, overlaps: table, iouThreshold: iou, minConfidence: conf)
                XCTAssertEqual(fromTable, full, "round \(round), iou \(iou), conf \(conf)")
                XCTAssertGreaterThan(full.counts.reduce(0, +), 0)
            }
        }
    }
}
