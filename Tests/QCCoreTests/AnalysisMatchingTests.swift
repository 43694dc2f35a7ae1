import XCTest
@testable import QCCore

final class AnalysisMatchingTests: XCTestCase {
    func label(_ c: Int32, _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, crowd: Bool = false) -> BoxLabel {
        BoxLabel(classId: c, x1: x1, y1: y1, x2: x2, y2: y2, isCrowd: crowd)
    }
    func pred(_ c: Int32, _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ conf: Double) -> PredictionBox {
        PredictionBox(classId: c, x1: x1, y1: y1, x2: x2, y2: y2, confidence: conf)
    }

    func testOneLabelTwoPredictionsGoesToTheMoreConfident() {
        let labels = [label(0, 0, 0, 100, 100)]
        let preds = [pred(0, 0, 0, 100, 100, 0.6), pred(0, 5, 5, 100, 100, 0.9)]
        let m = BoxMatching.match(labels: labels, predictions: preds, iouThreshold: 0.5)
        XCTAssertEqual(m.predictions[1].matchedLabel, 0)
        XCTAssertEqual(m.predictions[1].iou, 0.9025, accuracy: 1e-12)
        XCTAssertNil(m.predictions[0].matchedLabel, "each label is taken once")
        XCTAssertEqual(m.predictions[0].bestAnyLabel, 0)
        XCTAssertEqual(m.predictions[0].bestLabelIoU, 1)
        XCTAssertEqual(m.labels[0].matchedPrediction, 1)
        // Best same-class prediction is reported independently of who took the label.
        XCTAssertEqual(m.labels[0].bestSameClassPrediction, 0)
        XCTAssertEqual(m.labels[0].bestPredictionIoU, 1)
        XCTAssertEqual(m.labels[0].bestAnyClassPrediction, 0)
    }

    func testClassAwareVersusAgnostic() {
        let labels = [label(0, 0, 0, 50, 50)]
        let preds = [pred(1, 0, 0, 50, 50, 0.8)]
        let aware = BoxMatching.match(labels: labels, predictions: preds, classAware: true)
        XCTAssertNil(aware.predictions[0].matchedLabel)
        XCTAssertNil(aware.labels[0].matchedPrediction)
        XCTAssertNil(aware.labels[0].bestSameClassPrediction)
        XCTAssertEqual(aware.labels[0].bestAnyClassPrediction, 0, "the wrong_class signal survives class-aware matching")
        XCTAssertEqual(aware.labels[0].bestAnyPredictionIoU, 1)

        let agnostic = BoxMatching.match(labels: labels, predictions: preds, classAware: false)
        XCTAssertEqual(agnostic.predictions[0].matchedLabel, 0)
        XCTAssertEqual(agnostic.labels[0].matchedPrediction, 0)
        XCTAssertEqual(agnostic.labels[0].iou, 1)
    }

    func testClassAwarePrefersSameClassEvenWithLowerIoU() {
        let labels = [label(1, 0, 0, 100, 100), label(0, 10, 0, 100, 100)]
        let preds = [pred(0, 0, 0, 100, 100, 0.9)]
        let m = BoxMatching.match(labels: labels, predictions: preds, iouThreshold: 0.5, classAware: true)
        XCTAssertEqual(m.predictions[0].matchedLabel, 1)
        XCTAssertEqual(m.predictions[0].iou, 0.9, accuracy: 1e-12)
        XCTAssertEqual(m.predictions[0].bestAnyLabel, 0)
    }

    func testLooseLabelsPairOnlyAtLowThreshold() {
        // Two objects; labels drawn ×1.5 per side around them (IoU 4/9 with the truth).
        let labels = [label(0, 75, 75, 225, 225), label(0, 375, 75, 525, 225)]
        let preds = [pred(0, 100, 100, 200, 200, 0.9), pred(0, 400, 100, 500, 200, 0.8)]
        let strict = BoxMatching.match(labels: labels, predictions: preds, iouThreshold: 0.5)
        XCTAssertTrue(strict.predictions.allSatisfy { !$0.isMatched })
        XCTAssertEqual(strict.labels[0].bestSameClassPrediction, 0, "best IoU is reported below the threshold")
        XCTAssertEqual(strict.labels[0].bestPredictionIoU, 4.0 / 9, accuracy: 1e-12)
        XCTAssertEqual(strict.labels[1].bestSameClassPrediction, 1)

        let loose = BoxMatching.match(labels: labels, predictions: preds, iouThreshold: 0.3)
        XCTAssertEqual(loose.predictions.map(\.matchedLabel), [0, 1])
        XCTAssertEqual(loose.labels[0].iou, 4.0 / 9, accuracy: 1e-12)
        XCTAssertEqual(loose.labels[1].iou, 4.0 / 9, accuracy: 1e-12)
    }

    func testLowThresholdTakesHighestIoULabelNotFirstAboveThreshold() {
        // Label 0 is the neighbour (IoU 1/3 with the confident prediction), label 1 the
        // loose label of its own object (IoU 4/9). Both pass 0.3; the better one must win,
        // leaving label 0 for the neighbour's prediction.
        let labels = [label(0, 150, 100, 250, 200), label(0, 75, 75, 225, 225)]
        let preds = [pred(0, 100, 100, 200, 200, 0.9), pred(0, 150, 100, 250, 200, 0.8)]
        let m = BoxMatching.match(labels: labels, predictions: preds, iouThreshold: 0.3)
        XCTAssertEqual(m.predictions[0].matchedLabel, 1)
        XCTAssertEqual(m.predictions[0].iou, 4.0 / 9, accuracy: 1e-12)
        XCTAssertEqual(m.predictions[1].matchedLabel, 0)
        XCTAssertEqual(m.predictions[1].iou, 1)
    }

    func testZeroThresholdNeverPairsDisjointBoxes() {
        let m = BoxMatching.match(labels: [label(0, 0, 0, 10, 10)], predictions: [pred(0, 50, 50, 60, 60, 0.9)],
                                  iouThreshold: 0)
        XCTAssertNil(m.predictions[0].matchedLabel)
        XCTAssertNil(m.predictions[0].bestAnyLabel)
        XCTAssertNil(m.labels[0].bestAnyClassPrediction)
    }

    func testPredictionsBelowMinConfidenceTakeNoPart() {
        let labels = [label(0, 0, 0, 10, 10)]
        let preds = [pred(0, 0, 0, 10, 10, 0.1), pred(0, 0, 0, 10, 10, .nan)]
        let m = BoxMatching.match(labels: labels, predictions: preds, minConfidence: 0.25)
        XCTAssertNil(m.predictions[0].matchedLabel)
        XCTAssertNil(m.predictions[1].matchedLabel)
        XCTAssertEqual(m.predictions[0].bestAnyLabel, 0, "their own best label is still known")
        XCTAssertNil(m.labels[0].bestAnyClassPrediction)
    }

    func testCrowdRegionAbsorbsManyPredictionsByIntersectionOverPrediction() {
        let labels = [label(0, 0, 0, 200, 200, crowd: true), label(0, 300, 300, 340, 340)]
        let preds = [pred(0, 10, 10, 50, 50, 0.7), pred(0, 60, 60, 100, 100, 0.9), pred(0, 300, 300, 340, 340, 0.8)]
        let m = BoxMatching.match(labels: labels, predictions: preds)
        XCTAssertEqual(m.predictions.map(\.matchedLabel), [0, 0, 1])
        XCTAssertEqual(m.predictions[0].iou, 1, "intersection over the prediction's area")
        XCTAssertEqual(m.labels[0].matchedPrediction, 1, "the most confident absorbed prediction")
        XCTAssertEqual(m.labels[1].matchedPrediction, 2)
    }

    func testEmptySides() {
        XCTAssertEqual(BoxMatching.match(labels: [], predictions: [pred(0, 0, 0, 1, 1, 1)]).predictions,
                       [.unmatched])
        XCTAssertEqual(BoxMatching.match(labels: [label(0, 0, 0, 1, 1)], predictions: []).labels, [.unmatched])
    }

    func testManyPredictionsUseStableConfidenceOrder() {
        // > 24 predictions takes the stdlib sort path; equal confidences fall back to index order.
        let labels = [label(0, 0, 0, 10, 10)]
        var preds = (0..<40).map { i in pred(0, 0, 0, 10, 10, i == 30 ? 0.99 : 0.5) }
        preds.append(pred(0, 0, 0, 10, 10, 0.5))
        let m = BoxMatching.match(labels: labels, predictions: preds)
        XCTAssertEqual(m.labels[0].matchedPrediction, 30)
        XCTAssertEqual(m.labels[0].bestSameClassPrediction, 30, "ties in IoU go to the more confident")
        let tie = BoxMatching.match(labels: labels, predictions: Array(repeating: pred(0, 0, 0, 10, 10, 0.5), count: 30))
        XCTAssertEqual(tie.labels[0].matchedPrediction, 0)
    }

    // MARK: - Dataset level

    func smallDataset() -> Dataset {
        var ds = Dataset(name: "t", root: "/t", format: .yolo, source: "/t/data.yaml",
                         splits: ["train", "val"], classNames: [0: "person", 1: "forklift", 2: "pallet"])
        func add(_ path: String, split: Int32, labels: [BoxLabel], preds: [PredictionBox]) {
            var r = ImageRecord(path: path, absolutePath: "/t/" + path, split: split)
            r.width = 640; r.height = 480
            r.boxStart = Int32(ds.boxes.count); ds.boxes += labels; r.boxEnd = Int32(ds.boxes.count)
            r.predictionStart = Int32(ds.predictions.count); ds.predictions += preds
            r.predictionEnd = Int32(ds.predictions.count)
            ds.images.append(r)
        }
        // a: person matched; forklift labelled as pallet by the model; an unlabelled forklift.
        add("images/train/a.jpg", split: 0,
            labels: [label(0, 0, 0, 50, 100), label(1, 100, 100, 300, 300)],
            preds: [pred(0, 0, 0, 50, 100, 0.9), pred(2, 100, 100, 300, 300, 0.8), pred(1, 400, 300, 500, 400, 0.7),
                    pred(0, 600, 0, 640, 40, 0.05)])
        // b: background, no predictions.
        add("images/train/b.jpg", split: 0, labels: [], preds: [])
        // c: a forklift the model missed, and a matched pallet.
        add("images/val/c.jpg", split: 1,
            labels: [label(1, 10, 10, 110, 110), label(2, 200, 200, 260, 260)],
            preds: [pred(2, 202, 200, 260, 262, 0.6)])
        ds.hasPredictions = true
        return ds
    }

    func testDatasetMatchUsesGlobalIndices() {
        let ds = smallDataset()
        let r = BoxMatching.match(dataset: ds, iouThreshold: 0.5, classAware: true, minConfidence: 0.25)
        XCTAssertEqual(r.predictions.count, 5)
        XCTAssertEqual(r.labels.count, 4)
        XCTAssertEqual(r.predictions.map(\.matchedLabel), [0, nil, nil, nil, 3])
        XCTAssertEqual(r.labels.map(\.matchedPrediction), [0, nil, nil, 4])
        XCTAssertEqual(r.labels[1].bestAnyClassPrediction, 1)
        XCTAssertNil(r.labels[1].bestSameClassPrediction)
        XCTAssertEqual(r.labels[3].bestAnyClassPrediction, 4)
        XCTAssertEqual(r.matchedLabelCount, 2)
        XCTAssertEqual(r.matchedPredictionCount, 2)
        XCTAssertEqual(r.parameters, .init(iouThreshold: 0.5, classAware: true, minConfidence: 0.25))
    }

    func testConfusionMatrixCounts() {
        let ds = smallDataset()
        let r = BoxMatching.match(dataset: ds, iouThreshold: 0.5, classAware: false, minConfidence: 0.25)
        let cm = BoxMatching.confusionMatrix(dataset: ds, match: r)
        XCTAssertEqual(cm.classIds, [0, 1, 2])
        XCTAssertEqual(cm.count(label: 0, predicted: 0), 1)
        XCTAssertEqual(cm.count(label: 1, predicted: 2), 1, "forklift labelled, pallet predicted")
        XCTAssertEqual(cm.count(label: 2, predicted: 2), 1)
        XCTAssertEqual(cm.count(label: 1, predicted: nil), 1, "missed forklift")
        XCTAssertEqual(cm.count(label: nil, predicted: 1), 1, "unlabelled forklift")
        XCTAssertEqual(cm.count(label: nil, predicted: 0), 0, "low-confidence prediction is not counted")
        XCTAssertEqual(cm.counts.reduce(0, +), 5)
        XCTAssertEqual(cm.rowTotal(label: 1), 2)
        XCTAssertEqual(cm.columnTotal(predicted: 2), 2)
        XCTAssertEqual(cm.cells(confusionsOnly: true), [.init(labelClass: 1, predictedClass: 2, count: 1)])
        XCTAssertEqual(cm.cells().count, 5)
        XCTAssertEqual(cm.count(label: 9, predicted: 0), 0, "unknown id")
    }

    /// A synthetic dataset in loader layout, with per-image jitter so matching has real work.
    static func syntheticDataset(images: Int, labelsPerImage: Int, predictionsPerImage: Int, seed: UInt64) -> Dataset {
        var rng = AnalysisTestRNG(seed: seed)
        var ds = Dataset(name: "syn", root: "/syn", format: .yolo, source: "/syn/data.yaml",
                         splits: ["train", "val"], classNames: [0: "a", 1: "b", 2: "c", 3: "d"])
        ds.images.reserveCapacity(images)
        for i in 0..<images {
            var r = ImageRecord(path: "images/\(i).jpg", absolutePath: "/syn/images/\(i).jpg", split: Int32(i % 5 == 0 ? 1 : 0))
            r.width = 640; r.height = 480
            r.boxStart = Int32(ds.boxes.count)
            var truth: [BoxGeometry.Rect] = []
            var classes: [Int32] = []
            for _ in 0..<labelsPerImage {
                let w = rng.uniform(20, 200), h = rng.uniform(20, 200)
                let x = rng.uniform(0, 640 - w), y = rng.uniform(0, 480 - h)
                let c = Int32(rng.next() % 4)
                truth.append(.init(x1: x, y1: y, x2: x + w, y2: y + h)); classes.append(c)
                let s = rng.uniform(0, 1) < 0.1 ? 1.5 : rng.uniform(0.95, 1.05)
                let lb = BoxGeometry.Rect(cx: (2 * x + w) / 2, cy: (2 * y + h) / 2, w: w * s, h: h * s)
                ds.boxes.append(BoxLabel(classId: rng.uniform(0, 1) < 0.05 ? (c + 1) % 4 : c,
                                         x1: lb.x1, y1: lb.y1, x2: lb.x2, y2: lb.y2))
            }
            r.boxEnd = Int32(ds.boxes.count)
            r.predictionStart = Int32(ds.predictions.count)
            for k in 0..<predictionsPerImage {
                if k < truth.count {
                    let t = truth[k]
                    let j = { rng.uniform(-4, 4) }
                    ds.predictions.append(PredictionBox(classId: classes[k], x1: t.x1 + j(), y1: t.y1 + j(),
                                                        x2: t.x2 + j(), y2: t.y2 + j(), confidence: rng.uniform(0.3, 1)))
                } else {
                    let w = rng.uniform(10, 150), h = rng.uniform(10, 150)
                    let x = rng.uniform(0, 640 - w), y = rng.uniform(0, 480 - h)
                    ds.predictions.append(PredictionBox(classId: Int32(rng.next() % 4), x1: x, y1: y, x2: x + w, y2: y + h,
                                                        confidence: rng.uniform(0, 0.6)))
                }
            }
            r.predictionEnd = Int32(ds.predictions.count)
            ds.images.append(r)
        }
        ds.hasPredictions = true
        return ds
    }

    func testParallelSerialAndPerImageResultsAgree() {
        let ds = Self.syntheticDataset(images: 3000, labelsPerImage: 7, predictionsPerImage: 10, seed: 42)
        let parallel = BoxMatching.match(dataset: ds, iouThreshold: 0.3, classAware: true, minConfidence: 0.1, jobs: 4)
        let serial = BoxMatching.match(dataset: ds, iouThreshold: 0.3, classAware: true, minConfidence: 0.1, jobs: 1)
        XCTAssertEqual(parallel.predictions, serial.predictions)
        XCTAssertEqual(parallel.labels, serial.labels)
        XCTAssertGreaterThan(parallel.matchedLabelCount, 3000 * 7 / 2, "jittered predictions should mostly match")

        for i in [0, 1, 1234, 2999] {
            let image = ds.images[i]
            let local = BoxMatching.match(labels: ds.boxes(of: image), predictions: ds.predictions(of: image),
                                          iouThreshold: 0.3, classAware: true, minConfidence: 0.1)
            let b0 = Int32(image.boxStart), p0 = Int32(image.predictionStart)
            for (k, pm) in local.predictions.enumerated() {
                let g = parallel.predictions[Int(p0) + k]
                XCTAssertEqual(g.label, pm.label < 0 ? -1 : pm.label + b0)
                XCTAssertEqual(g.iou, pm.iou)
            }
            for (k, lm) in local.labels.enumerated() {
                let g = parallel.labels[Int(b0) + k]
                XCTAssertEqual(g.prediction, lm.prediction < 0 ? -1 : lm.prediction + p0)
                XCTAssertEqual(g.bestAnyPrediction, lm.bestAnyPrediction < 0 ? -1 : lm.bestAnyPrediction + p0)
            }
        }
    }

    func testOutOfOrderAndInvalidRangesAreSafe() {
        var ds = Self.syntheticDataset(images: 50, labelsPerImage: 3, predictionsPerImage: 4, seed: 7)
        let reference = BoxMatching.match(dataset: ds, jobs: 2)
        ds.images.reverse()  // ranges now descending: must fall back to one thread, same answers
        let reversed = BoxMatching.match(dataset: ds, jobs: 2)
        XCTAssertEqual(reversed.labels, reference.labels)
        XCTAssertEqual(reversed.predictions, reference.predictions)

        ds.images[0].boxEnd = Int32(ds.boxes.count + 10)  // out of bounds: skipped, not a crash
        let broken = BoxMatching.match(dataset: ds, jobs: 2)
        XCTAssertEqual(broken.labels.count, ds.boxes.count)
        XCTAssertTrue(BoxMatching.rangesAreAscendingAndDisjoint([]))
    }
}

/// Deterministic test data without Foundation's random sources.
struct AnalysisTestRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53)
    }
}
