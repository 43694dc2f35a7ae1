import Foundation
import XCTest

/// `qcpass check` end to end: the binary on real files, its exit codes, and the
/// findings.json it writes (validated against docs/findings.schema.json each time).
final class CheckCommandTests: XCTestCase {
    /// A small healthy dataset: 20 train + 10 val images, one background image per split.
    func makeHealthy(_ name: String = #function) throws -> YOLOFixture {
        let f = YOLOFixture(name)
        for (split, n) in [("train", 20), ("val", 10)] {
            for i in 0..<n {
                try f.image("images/\(split)/img\(i).png")
                if i == 0 { continue }  // background
                try f.label("labels/\(split)/img\(i).txt", "\(i % 3) 0.5 0.5 0.2 0.3\n\((i + 1) % 3) 0.3 0.3 0.1 0.1\n")
            }
        }
        try f.yaml()
        return f
    }

    func testHostileLabelLinesGiveOneFindingPerBadLineWithPlace() throws {
        let f = YOLOFixture()
        // 10 files × 100 lines: every line is broken in a known way, or an unknown class id.
        let broken = ["garbage", "0 0.5 nan 0.1 0.1", "1 inf 0.5 0.1 0.1", "0 0.5 0.5 0.1",
                      "2 0.5 0.5 0.1 0.1 0.3", "-1 0.5 0.5 0.1 0.1", "1.5 0.5 0.5 0.1 0.1",
                      "0 1e300 0.5 0.1 0.1", "0 320 240 50 60", "x 0.5 0.5 0.1 0.1"]
        var expectedInvalid: Set<String> = []
        var expectedUnknown: Set<String> = []
        for file in 0..<10 {
            var lines: [String] = []
            for line in 1...100 {
                if line % 11 == 0 {
                    lines.append("\(7 + file) 0.5 0.5 0.2 0.2")
                    expectedUnknown.insert("labels/train/h\(file).txt:\(line)")
                } else {
                    lines.append(broken[(line + file) % broken.count])
                    expectedInvalid.insert("labels/train/h\(file).txt:\(line)")
                }
            }
            try f.image("images/train/h\(file).png")
            try f.label("labels/train/h\(file).txt", lines.joined(separator: "\n") + "\n")
        }
        // Valid files in awkward encodings: CRLF, a UTF-8 BOM, blank lines, tabs.
        try f.image("images/train/crlf.png")
        try f.label("labels/train/crlf.txt", "0 0.5 0.5 0.2 0.2\r\n1 0.25 0.25 0.1 0.1\r\n")
        try f.image("images/train/bom.png")
        try f.labelBytes("labels/train/bom.txt", [0xEF, 0xBB, 0xBF] + Array("2 0.5 0.5 0.2 0.2\n\n\n1\t0.4\t0.4\t0.1\t0.1  \n".utf8))
        try f.image("images/val/v0.png")
        try f.label("labels/val/v0.txt", "0 0.5 0.5 0.2 0.2\n")
        try f.yaml()

        let out = CLI.tempDir()
        let run = try CLI.run(["check", f.root.path, "--out", out.path, "--quiet"])
        XCTAssertEqual(run.status, 1, run.stderr)
        let json = try CLI.findings(in: out)
        let invalid = json.findings(kind: "invalid_label")
        XCTAssertEqual(Set(invalid.compactMap { $0["ref"] as? String }), expectedInvalid)
        XCTAssertEqual(invalid.count, expectedInvalid.count, "one finding per bad line, no duplicates")
        let unknown = json.findings(kind: "unknown_class")
        XCTAssertEqual(Set(unknown.compactMap { ($0["box"] as? [String: Any])?["ref"] as? String }), expectedUnknown)
        // The awkward-but-valid files produced boxes and no findings.
        let places = json.findingList.compactMap { ($0["ref"] as? String) ?? (($0["box"] as? [String: Any])?["ref"] as? String) }
        XCTAssertFalse(places.contains { $0.contains("crlf.txt") || $0.contains("bom.txt") })
        XCTAssertEqual(json.status("input"), "fail")
        XCTAssertEqual(json.status("wrong_classes"), "fail")
    }

    func testHealthyDatasetPassesBackgroundAndWritesReport() throws {
        let f = try makeHealthy()
        try f.write("qcpass.lua", "return { params = { class_balance = { min_images = 1, min_instances = 1, min_instances_error = 1 } } }\n")
        let out = CLI.tempDir()
        let run = try CLI.run(["check", f.root.path, "--out", out.path])
        let json = try CLI.findings(in: out)
        XCTAssertEqual(json.status("input"), "pass")
        XCTAssertEqual(json.status("background"), "pass")
        XCTAssertEqual(json.status("class_balance"), "pass")
        XCTAssertEqual(json.status("missing_labels"), "pass")
        XCTAssertEqual(json["ready"] as? Bool, true)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("Ready to train: yes"))
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("Total images: 30 | Total labels: 56"), report)
        XCTAssertTrue(report.contains("Ready to train: yes"))
    }

    func testProjectParamChangesResultWithoutRebuild() throws {
        let f = try makeHealthy()
        let out = CLI.tempDir()
        try f.write("qcpass.lua", "return { params = { background = { max_share = 0.01 } } }\n")
        try CLI.run(["check", f.root.path, "--out", out.path, "--quiet"])
        XCTAssertEqual(try CLI.findings(in: out).status("background"), "warn")
        try f.write("qcpass.lua", "return { params = { background = { max_share = 0.5 } } }\n")
        try CLI.run(["check", f.root.path, "--out", out.path, "--quiet"])
        XCTAssertEqual(try CLI.findings(in: out).status("background"), "pass")
    }

    func testConfigErrorsExitTwoNamingFileAndField() throws {
        let f = try makeHealthy()
        let out = CLI.tempDir()
        try f.write("qcpass.lua", "return { parms = {} }\n")
        var run = try CLI.run(["check", f.root.path, "--out", out.path])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("qcpass.lua") && run.stderr.contains("unknown key 'parms'"), run.stderr)

        try f.write("qcpass.lua", "return { params = { background = { max_shar = 0.2 } } }\n")
        run = try CLI.run(["check", f.root.path, "--out", out.path])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("params.background.max_shar"), run.stderr)

        try f.write("qcpass.lua", "return { params = { background = { max_share = \"lots\" } } }\n")
        run = try CLI.run(["check", f.root.path, "--out", out.path])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("expected a number"), run.stderr)
    }

    func testFailingRuleIsAnErrorWithPlaceAndOtherChecksStillRun() throws {
        let f = try makeHealthy()
        let pack = CLI.tempDir().appendingPathComponent("extra")
        try FileManager.default.createDirectory(at: pack, withIntermediateDirectories: true)
        try Data("""
        return {
          id = "broken", title = "Broken", description = "fails at run time",
          run = function(ds, p, emit)
            local t = nil
            return t.field
          end,
        }
        """.utf8).write(to: pack.appendingPathComponent("broken.lua"))
        let out = CLI.tempDir()
        let run = try CLI.run(["check", f.root.path, "--out", out.path, "--rules", pack.path, "--quiet"])
        XCTAssertEqual(run.status, 2)
        let json = try CLI.findings(in: out)
        let broken = try XCTUnwrap(json.check("broken"))
        XCTAssertEqual(broken["status"] as? String, "error")
        XCTAssertEqual(broken["error_place"] as? String, "extra/broken.lua:5")
        XCTAssertTrue((broken["traceback"] as? String)?.contains("broken.lua") == true)
        XCTAssertEqual(json.status("background"), "pass", "one rule's failure must not stop the others")
    }

    func testUsageAndInputErrorsExitTwo() throws {
        XCTAssertEqual(try CLI.run(["check"]).status, 2)
        XCTAssertEqual(try CLI.run(["check", "x", "--no-such-flag"]).status, 2)
        let missing = try CLI.run(["check", "/nonexistent/data.yaml", "--out", CLI.tempDir().path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("/nonexistent"), missing.stderr)
    }

    func testNeverWritesIntoTheDataset() throws {
        let f = try makeHealthy()
        let run = try CLI.run(["check", f.root.path, "--out", f.root.appendingPathComponent("qc").path])
        XCTAssertEqual(run.status, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.root.appendingPathComponent("qc").path))
    }

    func testLuaAPIReferenceMatchesTheBindings() throws {
        let run = try CLI.run(["rules", "--lua-api"])
        XCTAssertEqual(run.status, 0)
        let doc = try String(contentsOf: CLI.repoRoot.appendingPathComponent("docs/lua-api.md"), encoding: .utf8)
        XCTAssertEqual(doc, run.stdout, "docs/lua-api.md is stale: regenerate with `qcpass rules --lua-api > docs/lua-api.md`")
    }

    func testRulesListsEveryCheckWithParamsAndDefaults() throws {
        let run = try CLI.run(["rules"])
        XCTAssertEqual(run.status, 0, run.stderr)
        for id in ["input", "missing_labels", "wrong_classes", "box_fit", "duplicates", "class_balance", "split_leakage", "background"] {
            XCTAssertTrue(run.stdout.contains("\(id) — "), id)
        }
        XCTAssertTrue(run.stdout.contains("min_images = 1500"))
        XCTAssertTrue(run.stdout.contains("max_share = 0.1"))
    }
}
