import Foundation
import XCTest

/// The label checks end to end: the binary on a small dataset with predictions and one
/// planted problem of each kind, thresholds changed in qcpass.lua between runs (no
/// rebuild), and a project's own edge-case rule.
final class LabelChecksTests: XCTestCase {
    static let width = 320.0, height = 240.0

    /// A YOLO line from pixel xyxy (with a trailing confidence for predictions).
    func line(_ c: Int, _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, conf: Double? = nil) -> String {
        let w = Self.width, h = Self.height
        var s = String(format: "%d %.6f %.6f %.6f %.6f", c, (x1 + x2) / 2 / w, (y1 + y2) / 2 / h, (x2 - x1) / w, (y2 - y1) / h)
        if let conf { s += String(format: " %.4f", conf) }
        return s
    }

    struct Made { var fixture: YOLOFixture; var predictions: URL }

    /// 10 train + 5 val pictures (320×240), classes forklift/person/pallet. Every picture
    /// has a forklift and a person, each found again by the model (confidences spread
    /// 0.30–0.95, so the model's calibration keeps the plain floors), plus:
    /// - train/p0: a confident person prediction (0.70) where nothing is labelled → missing_box
    /// - train/p1: a person label the model calls a pallet (0.75) → wrong_class
    /// - train/p2: a forklift label drawn ×1.5 per side around its prediction (0.80) → loose_box
    /// - train/p3: a pallet label 2 px wide: 4 px at imgsz 640 → tiny_box only when tiny_px > 4
    /// - metadata.csv: scene "dock" in train (p0–p4) and val (v0) → group_leak
    func makeDataset(_ name: String = #function) throws -> Made {
        let f = YOLOFixture(name)
        let preds = CLI.tempDir(name + "preds")
        var meta = "image,scene\n"
        var conf = 0.30
        func nextConf() -> Double { defer { conf = conf >= 0.95 ? 0.30 : conf + 0.05 }; return conf }
        for (split, n) in [("train", 10), ("val", 5)] {
            for i in 0..<n {
                let stem = split == "train" ? "p\(i)" : "v\(i)"
                try f.image("images/\(split)/\(stem).png", width: Int(Self.width), height: Int(Self.height))
                var labels = [line(0, 20, 100, 120, 200), line(1, 200, 40, 240, 160)]
                var predictions = [line(0, 21, 101, 119, 199, conf: nextConf()), line(1, 201, 41, 239, 159, conf: nextConf())]
                if split == "train" {
                    switch i {
                    case 0: predictions.append(line(1, 260, 150, 300, 230, conf: 0.70))
                    case 1:
                        labels.append(line(1, 140, 20, 180, 100))
                        predictions.append(line(2, 141, 21, 180, 99, conf: 0.75))
                    case 2:
                        labels.append(line(0, 140, 10, 290, 85))   // 150×75 around a 100×50 forklift
                        predictions.append(line(0, 165, 22.5, 265, 72.5, conf: 0.80))
                    case 3: labels.append(line(2, 150, 200, 152, 230))
                    default: break
                    }
                }
                try f.label("labels/\(split)/\(stem).txt", labels.joined(separator: "\n") + "\n")
                try predictions.joined(separator: "\n").write(to: preds.appendingPathComponent("\(stem).txt"), atomically: true, encoding: .utf8)
                let scene = (split == "train" && i < 5) || stem == "v0" ? "dock" : "\(split)_\(i)"
                meta += "images/\(split)/\(stem).png,\(scene)\n"
            }
        }
        try f.write("metadata.csv", meta)
        try f.yaml()
        return Made(fixture: f, predictions: preds)
    }

    func check(_ m: Made, config: String?, _ extra: [String] = []) throws -> [String: Any] {
        if let config { try m.fixture.write("qcpass.lua", config) }
        let out = CLI.tempDir()
        let run = try CLI.run(["check", m.fixture.root.path, "--predictions", m.predictions.path, "--out", out.path,
                               "--only", "missing_labels,wrong_classes,box_fit,split_leakage", "--quiet"] + extra)
        XCTAssertTrue(run.status == 0 || run.status == 1, run.stderr)
        return try CLI.findings(in: out)
    }

    func testEveryLabelThresholdInProjectConfigChangesTheResultWithoutRebuild() throws {
        let m = try makeDataset()
        let before = try check(m, config: nil)
        func count(_ json: [String: Any], _ kind: String) -> Int { json.findings(kind: kind).count }
        XCTAssertEqual(count(before, "missing_box"), 1)
        XCTAssertEqual(count(before, "wrong_class"), 1)
        XCTAssertEqual(count(before, "loose_box"), 1)
        XCTAssertEqual(count(before, "tiny_box"), 0)
        XCTAssertEqual(count(before, "group_leak"), 1)
        XCTAssertEqual(before.status("split_leakage"), "fail")
        let missing = try XCTUnwrap(before.findings(kind: "missing_box").first)
        XCTAssertEqual(missing["image"] as? String, "images/train/p0.png")
        XCTAssertEqual((missing["box"] as? [String: Any])?["class"] as? String, "person")
        XCTAssertEqual(missing["score"] as? Double ?? 0, 0.70, accuracy: 1e-9)
        let wrong = try XCTUnwrap(before.findings(kind: "wrong_class").first)
        XCTAssertEqual((wrong["box"] as? [String: Any])?["ref"] as? String, "labels/train/p1.txt:3")
        XCTAssertEqual((wrong["suggestion"] as? [String: Any])?["class"] as? String, "pallet")
        let loose = try XCTUnwrap(before.findings(kind: "loose_box").first)
        XCTAssertEqual((loose["box"] as? [String: Any])?["ref"] as? String, "labels/train/p2.txt:3", "box is the label as written")
        XCTAssertEqual((loose["suggestion"] as? [String: Any])?["action"] as? String, "resize_box")
        let suggested = try XCTUnwrap((loose["suggestion"] as? [String: Any])?["xyxy"] as? [Double])
        XCTAssertEqual(suggested[0], 165, accuracy: 0.01, "the prediction is the suggested box")

        let after = try check(m, config: """
        return { params = {
          missing_labels = { min_conf = 0.8 },
          wrong_classes = { min_conf = 0.8 },
          box_fit = { min_area_ratio = 3.0, tiny_px = 5 },
          split_leakage = { leak_severity = "warning" },
        } }
        """)
        XCTAssertEqual(count(after, "missing_box"), 0)
        XCTAssertEqual(count(after, "wrong_class"), 0)
        XCTAssertEqual(count(after, "loose_box"), 0)
        XCTAssertEqual(count(after, "tiny_box"), 1)
        XCTAssertEqual(after.status("split_leakage"), "warn")
        XCTAssertEqual(after.status("missing_labels"), "pass")
    }

    func testChecksSayWhichSubChecksRanWithAndWithoutPredictions() throws {
        let m = try makeDataset()
        let with = try check(m, config: nil)
        let message = { (json: [String: Any], id: String) in json.check(id)?["message"] as? String ?? "" }
        XCTAssertTrue(message(with, "wrong_classes").contains("unknown_class, wrong_class, class_swap"), message(with, "wrong_classes"))
        XCTAssertNotNil((with.check("wrong_classes")?["metrics"] as? [String: Any])?["confusion"], "confusion matrix in metrics")

        let out = CLI.tempDir()
        try CLI.run(["check", m.fixture.root.path, "--out", out.path, "--quiet"])
        let without = try CLI.findings(in: out)
        XCTAssertTrue(message(without, "wrong_classes").contains("without predictions: unknown_class, geometry_outlier"), message(without, "wrong_classes"))
        XCTAssertTrue(message(without, "missing_labels").contains("count_outlier"))
        XCTAssertEqual(without.status("wrong_classes"), "pass")
    }

    func testProjectEdgeCaseRuleFromConfigAndFromRulesFolder() throws {
        let f = YOLOFixture()
        for i in 0..<4 {
            try f.image("images/train/t\(i).png", width: 320, height: 240)
            var labels = [line(0, 20, 20, 120, 120)]
            if i == 2 { labels.append(line(1, 25, 22, 118, 119)) }  // a person box over 90% of the forklift
            try f.label("labels/train/t\(i).txt", labels.joined(separator: "\n") + "\n")
        }
        try f.yaml(splits: ["train"])
        let edge = CLI.repoRoot.appendingPathComponent("samples/edge_cases")

        let out1 = CLI.tempDir()
        try CLI.run(["check", f.root.path, "--config", edge.appendingPathComponent("qcpass.lua").path, "--out", out1.path, "--quiet"])
        let viaConfig = try CLI.findings(in: out1)
        let found = viaConfig.findings(kind: "person_covers_forklift")
        XCTAssertEqual(found.compactMap { $0["image"] as? String }, ["images/train/t2.png"])
        XCTAssertEqual(viaConfig.status("forklift_person"), "warn")

        let out2 = CLI.tempDir()
        try CLI.run(["check", f.root.path, "--rules", edge.appendingPathComponent("rules").path, "--out", out2.path, "--quiet"])
        XCTAssertEqual(try CLI.findings(in: out2).findings(kind: "person_covers_forklift").count, 1)

        // The rule's own param, from the project's config.
        let cfg = f.root.appendingPathComponent("strict.lua")
        try Data("return { params = { forklift_person = { max_coverage = 0.95 } }, rules = { \"\(edge.path)/rules/forklift_person.lua\" } }\n".utf8).write(to: cfg)
        let out3 = CLI.tempDir()
        try CLI.run(["check", f.root.path, "--config", cfg.path, "--out", out3.path, "--quiet"])
        XCTAssertEqual(try CLI.findings(in: out3).findings(kind: "person_covers_forklift").count, 0)
    }

    func testTerminalSummaryListsTopImagesOfLabelFindings() throws {
        let m = try makeDataset()
        let out = CLI.tempDir()
        let run = try CLI.run(["check", m.fixture.root.path, "--predictions", m.predictions.path, "--out", out.path])
        XCTAssertTrue(run.stdout.contains("Images to look at first"), run.stdout)
        XCTAssertTrue(run.stdout.contains("images/train/p2.png"), run.stdout)
    }
}
