import Foundation
import XCTest

/// The outputs a CI job relies on: JUnit, baselines, `diff`, and `init`'s config.
final class CIOutputTests: XCTestCase {
    let sample = CLI.repoRoot.appendingPathComponent("samples/yolo_forklift").path

    func testJUnitHasOneCasePerCheckWithFailuresForFailingChecks() throws {
        let out = CLI.tempDir()
        let junit = out.appendingPathComponent("qc.xml")
        try CLI.run(["check", sample, "--out", out.path, "--junit", junit.path, "--quiet"])
        let xml = try String(contentsOf: junit, encoding: .utf8)
        let json = try CLI.findings(in: out)
        XCTAssertEqual(xml.components(separatedBy: "<testcase ").count - 1, json.checkList.count)
        let failing = json.checkList.filter { $0["status"] as? String == "fail" }.count
        XCTAssertEqual(xml.components(separatedBy: "<failure ").count - 1, failing)
        XCTAssertTrue(xml.contains("name=\"class_balance\""))
        XCTAssertTrue(xml.contains("labels/train/dock_a_aa.txt:2"), "failure text lists the findings' places")
    }

    func testBaselineAcceptsKnownFindingsAndDiffReportsNewOnes() throws {
        // A dataset whose only problem is one unknown class id.
        let f = YOLOFixture()
        for i in 0..<10 {
            try f.image("images/train/a\(i).png")
            try f.label("labels/train/a\(i).txt", "\(i % 3) 0.5 0.5 0.2 0.2\n")
        }
        try f.label("labels/train/a0.txt", "0 0.5 0.5 0.2 0.2\n9 0.3 0.3 0.1 0.1\n")
        try f.yaml(splits: ["train"])
        try f.write("qcpass.lua", "return { params = { class_balance = { min_images = 1, min_instances = 1, min_instances_error = 1 } } }\n")
        let first = CLI.tempDir()
        XCTAssertEqual(try CLI.run(["check", f.root.path, "--out", first.path, "--quiet"]).status, 1)

        let second = CLI.tempDir()
        let accepted = try CLI.run(["check", f.root.path, "--out", second.path, "--quiet",
                                    "--baseline", first.appendingPathComponent("findings.json").path])
        XCTAssertEqual(accepted.status, 0, "the known unknown_class finding no longer blocks: \(accepted.stderr)")
        let json = try CLI.findings(in: second)
        XCTAssertEqual(json.findings(kind: "unknown_class").first?["baseline"] as? Bool, true)

        // A new problem appears: the baseline does not hide it, and diff names it.
        try f.label("labels/train/a1.txt", "1 0.5 0.5 0.2 0.2\n8 0.3 0.3 0.1 0.1\n")
        let third = CLI.tempDir()
        let blocked = try CLI.run(["check", f.root.path, "--out", third.path, "--quiet",
                                   "--baseline", first.appendingPathComponent("findings.json").path])
        XCTAssertEqual(blocked.status, 1)
        let diff = try CLI.run(["diff", first.appendingPathComponent("findings.json").path,
                                third.appendingPathComponent("findings.json").path])
        XCTAssertEqual(diff.status, 1, "diff exits 1 when NEW adds findings")
        XCTAssertTrue(diff.stdout.contains("1 new, 0 resolved"), diff.stdout)
        XCTAssertTrue(diff.stdout.contains("+ [wrong_classes/unknown_class] labels/train/a1.txt:2"), diff.stdout)
        let same = try CLI.run(["diff", third.appendingPathComponent("findings.json").path,
                                third.appendingPathComponent("findings.json").path])
        XCTAssertEqual(same.status, 0)
    }

    func testInitWritesAConfigThatLoadsWithEveryDefault() throws {
        let dir = CLI.tempDir()
        let run = try CLI.run(["init"], cwd: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        let config = try String(contentsOf: dir.appendingPathComponent("qcpass.lua"), encoding: .utf8)
        XCTAssertTrue(config.contains("min_images = 1500"))
        XCTAssertTrue(config.contains("max_share = 0.1"))
        XCTAssertTrue(config.contains("group_key = function(img)"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("qcpass_rules/edge_cases.lua").path))
        XCTAssertEqual(try CLI.run(["init"], cwd: dir).status, 2, "never overwrites without --force")

        // The written config changes nothing: same statuses as without a config.
        let withConfig = CLI.tempDir(), without = CLI.tempDir()
        try CLI.run(["check", sample, "--out", withConfig.path, "--config", dir.appendingPathComponent("qcpass.lua").path, "--quiet"])
        try CLI.run(["check", sample, "--out", without.path, "--quiet"])
        let a = try CLI.findings(in: withConfig), b = try CLI.findings(in: without)
        XCTAssertEqual(a.checkList.map { $0["status"] as? String }, b.checkList.map { $0["status"] as? String })
        XCTAssertEqual(a.findingList.count, b.findingList.count)

        // The example edge-case rule runs when enabled.
        var enabled = config.replacingOccurrences(of: "-- \"qcpass_rules/edge_cases.lua\",", with: "\"qcpass_rules/edge_cases.lua\",")
        enabled = enabled.replacingOccurrences(of: "max_coverage = 0.8", with: "max_coverage = 0.8")
        try Data(enabled.utf8).write(to: dir.appendingPathComponent("qcpass.lua"))
        let edge = CLI.tempDir()
        try CLI.run(["check", sample, "--out", edge.path, "--config", dir.appendingPathComponent("qcpass.lua").path, "--quiet"])
        XCTAssertNotNil(try CLI.findings(in: edge).check("edge_cases"))
    }
}
