import Foundation
import XCTest
@testable import QCCore

final class LoaderPredictionsTests: XCTestCase {
    private func yoloSet() throws -> (FixtureFolder, Dataset) {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: "train: images/train\nval: images/val\nnames: [a, b]\n")
        folder.image("images/train/000000000009.jpg", width: 100, height: 100, label: "0 0.5 0.5 0.2 0.2\n")
        folder.image("images/train/cat.jpg", width: 200, height: 100)
        folder.image("images/val/dup.jpg", width: 10, height: 10)
        folder.image("images/train/dup.jpg", width: 10, height: 10)
        var options = LoadOptions()
        options.jobs = 2
        return (folder, try DatasetLoader.load(folder.path, options: options))
    }

    private func attachError(_ path: String, _ dataset: Dataset) -> String? {
        var copy = dataset
        do { try PredictionsLoader.attach(path, to: &copy); return nil } catch { return error.message }
    }

    func testYOLOTxtWithConfidence() throws {
        var (folder, dataset) = try yoloSet()
        folder.write("predict/labels/000000000009.txt", text: "0 0.5 0.5 0.2 0.2 0.91\n1 0.1 0.1 0.1 0.1 0.3\n")
        folder.write("predict/labels/cat.txt", text: "1 0.5 0.5 0.5 0.5 0.8\n0 0.5 0.5 0.5 0.5\n1 0.5 0.5 0.5 0.5 1.7\n")
        folder.write("predict/labels/stranger.txt", text: "0 0.5 0.5 0.2 0.2 0.5\n")
        folder.write("predict/labels/val/dup.txt", text: "0 0.5 0.5 1 1 0.5\n")
        try PredictionsLoader.attach(folder.url("predict"), to: &dataset)
        XCTAssertTrue(dataset.hasPredictions)
        XCTAssertEqual(dataset.predictionsSource, folder.url("predict"))
        let nine = try XCTUnwrap(dataset.image(named: "images/train/000000000009.jpg"))
        let predicted = Array(dataset.predictions(of: nine))
        XCTAssertEqual(predicted.map(\.classId), [0, 1])
        XCTAssertEqual(predicted.map(\.confidence), [0.91, 0.3])
        let expected: [[Double]] = [[40, 40, 60, 60], [5, 5, 15, 15]]
        for (box, corners) in zip(predicted, expected) {
            for (value, target) in zip([box.x1, box.y1, box.x2, box.y2], corners) { XCTAssertEqual(value, target, accuracy: 1e-9) }
        }
        let cat = try XCTUnwrap(dataset.image(named: "images/train/cat.jpg"))
        XCTAssertEqual(Array(dataset.predictions(of: cat)).map(\.x1), [50])
        // Same stem in two splits: the folder path decides.
        XCTAssertEqual(dataset.image(named: "images/val/dup.jpg")?.predictionCount, 1)
        XCTAssertEqual(dataset.image(named: "images/train/dup.jpg")?.predictionCount, 0)

        let invalid = dataset.issues(kind: "invalid_label")
        XCTAssertEqual(invalid.map(\.ref), ["predict/labels/cat.txt:2", "predict/labels/cat.txt:3"])
        XCTAssertEqual(invalid.map(\.message), ["expected 6 values (cls cx cy w h conf) or a polygon followed by conf; got 5",
                                                "field 6 (conf) \"1.7\" is outside 0–1"])
        XCTAssertEqual(invalid.first?.image, "images/train/cat.jpg")
        let orphan = dataset.issues(kind: "orphan_label")
        XCTAssertEqual(orphan.map(\.severity), [.info])
        XCTAssertEqual(orphan.first?.message, "1 predictions file match no image of the loaded dataset (first: labels/stranger.txt)")

        XCTAssertTrue(attachError(folder.url("predict/labels/cat.txt"), dataset)?.contains("must be a folder") ?? false)
        let unrelated = FixtureFolder()
        unrelated.write("x.txt", text: "0 0.5 0.5 0.1 0.1 0.5\n")
        XCTAssertTrue(attachError(unrelated.path, dataset)?.contains("none of its 1 .txt files matches") ?? false)
    }

    func testCOCOResultsForAYOLODatasetByStem() throws {
        var (folder, dataset) = try yoloSet()
        folder.write("results.json", text: """
            [{"image_id": 9, "category_id": 1, "bbox": [10, 20, 30, 40], "score": 0.75},
             {"image_id": "cat", "category_id": 0, "bbox": [1, 2, 3, 4], "score": 0.5},
             {"image_id": "cat", "category_id": 0, "bbox": [1, 2, 3], "score": 0.5},
             {"image_id": "cat", "category_id": 0, "bbox": [1, 2, 3, 4], "score": 1.5},
             {"image_id": "nobody", "category_id": 0, "bbox": [1, 2, 3, 4], "score": 0.5},
             {"image_id": "dup", "category_id": 0, "bbox": [1, 2, 3, 4], "score": 0.5}]
            """)
        try PredictionsLoader.attach(folder.url("results.json"), to: &dataset)
        let nine = try XCTUnwrap(dataset.image(named: "images/train/000000000009.jpg"))
        XCTAssertEqual(Array(dataset.predictions(of: nine)), [PredictionBox(classId: 1, x1: 10, y1: 20, x2: 40, y2: 60, confidence: 0.75)])
        XCTAssertEqual(dataset.image(named: "images/train/cat.jpg")?.predictionCount, 1)
        let findings = dataset.issues(kind: "invalid_annotation")
        XCTAssertEqual(findings.map(\.ref), ["results.json#index=2", "results.json#index=3", "results.json"])
        XCTAssertEqual(findings.last?.message, "2 detections refer to images not in the loaded dataset (image_id \"nobody\", \"dup\")")
    }

    func testCOCOResultsForACOCODataset() throws {
        let folder = FixtureFolder()
        folder.write("annotations/instances_val.json", text: """
            {"images": [{"id": 42, "file_name": "x.jpg", "width": 64, "height": 48}],
             "annotations": [], "categories": [{"id": 3, "name": "car"}]}
            """)
        folder.write("images/val/x.jpg", FixtureImages.jpeg(width: 64, height: 48))
        folder.write("results.json", text: """
            [{"image_id": 42, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.9},
             {"image_id": 42, "category_id": 3, "bbox": [5, 5, 5, 5]}]
            """)
        var dataset = try DatasetLoader.load(folder.path, options: LoadOptions())
        try PredictionsLoader.attach(folder.url("results.json"), to: &dataset)
        XCTAssertEqual(dataset.predictions, [PredictionBox(classId: 3, x1: 1, y1: 2, x2: 4, y2: 6, confidence: 0.9)])
        XCTAssertEqual(dataset.images[0].predictionEnd, 1)
        XCTAssertEqual(dataset.issues.map(\.ref), ["results.json#index=1"])
        XCTAssertEqual(dataset.issues.first?.message, "detection: \"score\" is missing")

        folder.write("other.json", text: "[{\"image_id\": 1, \"category_id\": 3, \"bbox\": [1, 2, 3, 4], \"score\": 0.9}]")
        XCTAssertTrue(attachError(folder.url("other.json"), dataset)?.contains("none of its 1 detections") ?? false)
        folder.write("broken.json", text: "[{\"image_id\": 1,")
        XCTAssertTrue(attachError(folder.url("broken.json"), dataset)?.hasPrefix(folder.url("broken.json") + ": not valid JSON") ?? false)
    }

    /// `prepare` lists and reads a predictions folder while the dataset loads, assuming
    /// plain detection rows: the result must equal a plain `attach` — rows, findings and
    /// digest — and a pose dataset's predictions must be read again with its keypoints.
    func testPreparedPredictionsEqualAPlainAttach() throws {
        let detection = FixtureFolder()
        detection.write("data.yaml", text: "train: images\nnames: [a, b]\n")
        detection.image("images/x.jpg", width: 100, height: 50, label: "0 0.5 0.5 0.2 0.2\n")
        detection.image("images/y.jpg", width: 40, height: 40)
        detection.write("predict/x.txt", text: "0 0.5 0.5 0.2 0.2 0.9\n1 0.2 0.2 0.1 0.1 0.4\nnot a row\n")
        detection.write("predict/y.txt", text: "1 0.5 0.5 0.5 0.5 0.7\n")
        detection.write("predict/orphan.txt", text: "0 0.5 0.5 0.2 0.2 0.5\n")

        let pose = FixtureFolder()
        pose.write("data.yaml", text: "train: images\nnames: [person]\nkpt_shape: [2, 3]\n")
        pose.image("images/p.jpg", width: 100, height: 100, label: "0 0.5 0.5 0.2 0.4 0.45 0.4 2 0.55 0.6 1\n")
        pose.write("predict/p.txt", text: "0 0.5 0.5 0.2 0.4 0.45 0.4 2 0.55 0.6 1 0.8\n")

        for folder in [detection, pose] {
            var options = LoadOptions()
            options.jobs = 2
            let pending = PredictionsLoader.prepare(folder.url("predict"), options: options)
            var early = try DatasetLoader.load(folder.path, options: options)
            var plain = early
            try PredictionsLoader.attach(pending, to: &early, options: options)
            try PredictionsLoader.attach(folder.url("predict"), to: &plain, options: options)
            XCTAssertFalse(plain.predictions.isEmpty, folder.path)
            XCTAssertEqual(early.predictions, plain.predictions, folder.path)
            XCTAssertEqual(early.images.map(\.predictionStart), plain.images.map(\.predictionStart))
            XCTAssertEqual(early.issues.map(\.message), plain.issues.map(\.message))
            XCTAssertEqual(early.predictionsDigest, plain.predictionsDigest)
        }
        var posed = try DatasetLoader.load(pose.path, options: LoadOptions())
        try PredictionsLoader.attach(PredictionsLoader.prepare(pose.url("predict")), to: &posed)
        XCTAssertEqual(posed.predictions.map(\.confidence), [0.8], "read with the pose layout, not the guessed one")
        XCTAssertTrue(posed.issues.isEmpty, "\(posed.issues.map(\.message))")
    }
}
