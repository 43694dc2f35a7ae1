import XCTest
@testable import QCCore

/// The native passes behind the label checks, on small in-memory datasets whose right
/// answers can be worked out by hand.
final class LabelCandidatesTests: XCTestCase {
    typealias Img = DetectionFixtures.Img

    func label(_ c: Int32, _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, crowd: Bool = false, line: Int32 = 1) -> BoxLabel {
        DetectionFixtures.label(c, x1, y1, x2, y2, crowd: crowd, line: line)
    }

    func pred(_ c: Int32, _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ conf: Double) -> PredictionBox {
        DetectionFixtures.pred(c, x1, y1, x2, y2, conf)
    }

    func dataset(_ images: [Img], classes: Int = 3, splits: [String] = ["train"]) -> Dataset {
        DetectionFixtures.dataset(images, classes: classes, splits: splits)
    }

    // MARK: missing_box

    func testMissingIsClassAgnosticAndKeepsOnlyUncoveredConfidentPredictions() {
        let ds = dataset([Img(
            labels: [label(0, 0, 0, 100, 100), label(1, 300, 300, 400, 400)],
            preds: [pred(1, 0, 0, 100, 100, 0.9),        // wrong class on a label: covered, not missing
                    pred(2, 150, 150, 250, 250, 0.8),    // nothing there: missing
                    pred(2, 152, 152, 250, 250, 0.7),    // the same object again: folded in
                    pred(0, 500, 10, 600, 90, 0.3),      // below min_conf
                    pred(1, 320, 320, 380, 380, 0.95)])  // inside a loose same-class label (IoU 0.36): covered
        ])
        var o = LabelCandidates.MissingOptions()
        o.coverIoU = 0.4  // so only nesting covers the last prediction
        let r = LabelCandidates.missing(ds, o)
        XCTAssertEqual(r.candidates.map(\.prediction), [1])
        XCTAssertEqual(r.candidates[0].duplicates, 1)
        XCTAssertEqual(r.eligible, 4)
        XCTAssertEqual(r.coveredByIoU, 1)
        XCTAssertEqual(r.coveredByNesting, 1)
        XCTAssertEqual(r.suppressed, 1)
        XCTAssertEqual(r.candidates[0].bestLabel, -1)

        o.nestCoverage = 1.01  // nesting off: the prediction inside the loose label becomes a candidate
        XCTAssertEqual(Set(LabelCandidates.missing(ds, o).candidates.map(\.prediction)), [1, 4])
    }

    func testPredictionInsideCrowdRegionIsCovered() {
        let ds = dataset([Img(labels: [label(0, 0, 0, 300, 300, crowd: true)], preds: [pred(0, 10, 10, 60, 90, 0.9)])])
        let r = LabelCandidates.missing(ds, .init())
        XCTAssertTrue(r.candidates.isEmpty)
        XCTAssertEqual(r.coveredByCrowd, 1)
    }

    // MARK: wrong_class

    func testWrongClassNeedsConfidenceIoUAndNoExplainingLabel() {
        let ds = dataset([
            Img(labels: [label(0, 0, 0, 100, 100)], preds: [pred(1, 2, 2, 100, 100, 0.8)]),    // candidate
            Img(labels: [label(0, 0, 0, 100, 100)], preds: [pred(1, 2, 2, 100, 100, 0.5)]),    // too unsure
            Img(labels: [label(0, 0, 0, 100, 100)], preds: [pred(1, 40, 40, 140, 140, 0.9)]), // IoU 0.22
            // a person (0) on a bicycle (1): the bicycle's prediction is the bicycle label's
            Img(labels: [label(0, 0, 0, 100, 120), label(1, 0, 20, 100, 120)], preds: [pred(1, 0, 20, 100, 120, 0.9)]),
            // the model also sees the written class there: reported as agreement
            Img(labels: [label(0, 0, 0, 100, 100)], preds: [pred(1, 0, 0, 100, 100, 0.9), pred(0, 5, 5, 100, 100, 0.7)]),
        ])
        let r = LabelCandidates.wrongClass(ds, .init())
        XCTAssertEqual(r.map(\.image), [0, 4])
        XCTAssertEqual(r[0].agree, -1)
        XCTAssertEqual(r[0].iou, 0.9604, accuracy: 1e-9)
        XCTAssertEqual(r[1].agreeConfidence, 0.7)
        XCTAssertEqual(r[1].prediction, Int(ds.images[4].predictionStart), "the other-class prediction, not the agreeing one")
    }

    // MARK: loose / tight

    func testScaledLabelsPairByNestingNotIoU() {
        // Object 100×100; labels ×1.5 per side (IoU 0.44) and ×0.6 per side (IoU 0.36).
        let ds = dataset([
            Img(labels: [label(0, 75, 75, 225, 225)], preds: [pred(0, 100, 100, 200, 200, 0.9)]),
            Img(labels: [label(0, 130, 130, 190, 190)], preds: [pred(0, 110, 110, 210, 210, 0.8)]),
            Img(labels: [label(0, 98, 98, 202, 202)], preds: [pred(0, 100, 100, 200, 200, 0.9)]),  // fits
            Img(labels: [label(0, 75, 75, 225, 225)], preds: [pred(0, 100, 100, 200, 200, 0.3)]),  // too unsure
        ])
        let r = LabelCandidates.fit(ds, .init())
        XCTAssertEqual(r.map(\.image), [0, 1])
        XCTAssertTrue(r[0].isLoose)
        XCTAssertEqual(r[0].areaRatio, 2.25, accuracy: 1e-9)
        XCTAssertEqual(r[0].iou, 1 / 2.25, accuracy: 1e-9)
        XCTAssertFalse(r[1].isLoose)
        XCTAssertEqual(r[1].coverage, 1)
    }

    func testChildPredictionDoesNotMakeParentLoose() {
        // Two same-class labels, a small one inside a big one; the prediction fits the small one.
        let ds = dataset([Img(labels: [label(0, 0, 0, 300, 300), label(0, 100, 100, 160, 160)],
                              preds: [pred(0, 100, 100, 160, 160, 0.9)])])
        XCTAssertTrue(LabelCandidates.fit(ds, .init()).isEmpty)
    }

    func testCalibrationPercentilesFollowConfirmingPredictions() {
        var imgs: [Img] = []
        for k in 0..<101 {
            imgs.append(Img(labels: [label(0, 0, 0, 100, 100)], preds: [pred(0, 0, 0, 100, 100, Double(k) / 100), pred(1, 0, 0, 100, 100, 0.99)]))
        }
        imgs.append(Img(labels: [label(0, 0, 0, 100, 100)], preds: [pred(0, 300, 300, 400, 400, 0.99)]))  // not confirmed
        let c = LabelCandidates.calibration(dataset(imgs), iou: 0.5)
        XCTAssertEqual(c.labels, 102)
        XCTAssertEqual(c.confirmed, 101)
        XCTAssertEqual(c.percentiles.count, 101)
        XCTAssertEqual(c.percentiles[5], 0.05, accuracy: 1e-12)
        XCTAssertEqual(c.percentiles[50], 0.5, accuracy: 1e-12)
    }

    // MARK: box issues

    func testBoxIssues() {
        let ds = dataset([Img(labels: [
            label(0, 10, 10, 10, 50, line: 1),                 // degenerate
            label(0, 600, 10, 700, 50, line: 2),               // 60 px past the right edge
            label(1, 0, 0, 640.0000005, 480.0000005, line: 3), // rounding: within tolerance
            label(2, 100, 100, 200, 200, line: 4),
            label(2, 101, 100, 200, 200, line: 5),             // duplicate of line 4
            label(1, 300, 300, 301.5, 330, line: 6),           // 1.5 px wide at 640
        ])])
        let r = LabelIssues.boxes(ds, .init())
        func lines(_ k: LabelIssues.BoxIssueKind) -> [Int32] { r.issues.filter { $0.kind == k }.map { ds.boxes[$0.label].line } }
        XCTAssertEqual(lines(.degenerate), [1])
        XCTAssertEqual(lines(.outOfBounds), [2])
        XCTAssertEqual(lines(.duplicate), [5])
        XCTAssertEqual(lines(.tiny), [6])
        XCTAssertEqual(r.issues.first { $0.kind == .outOfBounds }!.overhang, 60, accuracy: 1e-9)
        XCTAssertEqual(r.issues.first { $0.kind == .duplicate }!.other, 3)

        // A 1280-wide image halves at imgsz 640: a 5 px box becomes 2.5 px.
        let big = dataset([Img(labels: [label(0, 0, 0, 5, 50)], width: 1280, height: 960)])
        XCTAssertEqual(LabelIssues.boxes(big, .init()).issues.map(\.kind), [.tiny])
        var o = LabelIssues.BoxOptions(); o.imgsz = 1280
        XCTAssertTrue(LabelIssues.boxes(big, o).issues.isEmpty)
    }

    func testUnsizedImagesAreNotCheckedForBounds() {
        let ds = dataset([Img(labels: [label(0, 600, 10, 900, 50)], width: 0, height: 0)])
        let r = LabelIssues.boxes(ds, .init())
        XCTAssertTrue(r.issues.isEmpty)
        XCTAssertEqual(r.unsizedImages, 1)
    }

    // MARK: count outliers

    func testBackgroundFrameInABusyGroupIsACountOutlier() {
        var imgs: [Img] = []
        for k in 0..<10 {
            let n = k == 7 ? 0 : 8 + k % 2
            imgs.append(Img(labels: (0..<n).map { j in label(0, Double(j * 50), 0, Double(j * 50 + 40), 40) }))
        }
        // Ten more images with no group, counts all over the place: nothing stands out.
        for k in 0..<10 { imgs.append(Img(labels: (0..<(k % 5)).map { j in label(0, Double(j * 50), 0, Double(j * 50 + 40), 40) })) }
        let keys: [String?] = (0..<20).map { $0 < 10 ? "scene:a" : nil }
        let r = LabelIssues.countOutliers(dataset(imgs), keys: keys, .init())
        XCTAssertEqual(r.candidates.map(\.image), [7])
        XCTAssertEqual(r.candidates[0].group, "scene:a")
        XCTAssertEqual(r.candidates[0].median, 8)
        XCTAssertEqual(r.comparedInGroup, 10)
        XCTAssertEqual(r.comparedInSplit, 10)
    }

    // MARK: geometry outliers

    func testBoxShapedLikeAnotherClassIsAGeometryOutlier() {
        // Class 0 tall and narrow, class 1 wide; one class-0 label drawn like a class-1 box.
        var imgs: [Img] = []
        for k in 0..<40 {
            let j = Double(k % 7)
            imgs.append(Img(labels: [label(0, 10, 10, 10 + 40 + j, 10 + 120 + 2 * j), label(1, 200, 200, 200 + 160 + 2 * j, 200 + 60 + j)]))
        }
        imgs.append(Img(labels: [label(0, 200, 200, 363, 262)]))
        let r = LabelIssues.geometryOutliers(dataset(imgs), .init())
        XCTAssertEqual(r.profiles.map(\.classId), [0, 1])
        XCTAssertEqual(r.candidates.count, 1)
        XCTAssertEqual(r.candidates[0].image, 40)
        XCTAssertEqual(r.candidates[0].otherClass, 1)
        XCTAssertLessThan(r.candidates[0].otherZ, 2)
    }
}
