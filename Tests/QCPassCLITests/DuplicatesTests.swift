import Foundation
import XCTest

/// The duplicates check and the pixel half of split_leakage, end to end: the planted
/// copies of the bundled sample are found as PLANTED.json lists them, the clean samples
/// give nothing, and a second run takes every hash from the cache.
final class DuplicatesTests: XCTestCase {
    static var sample: String { CLI.repoRoot.appendingPathComponent("samples/yolo_forklift").path }

    func planted(_ kind: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: CLI.repoRoot.appendingPathComponent("samples/PLANTED.json"))
        let list = try TestJSON.parse(data) as! [[String: Any]]
        return list.filter { $0["dataset"] as? String == "yolo_forklift" && $0["kind"] as? String == kind }
    }

    func check(_ dataset: String, cache: URL, extra: [String] = []) throws -> [String: Any] {
        let out = CLI.tempDir()
        let run = try CLI.run(["check", dataset, "--out", out.path, "--cache-dir", cache.path, "--quiet",
                               "--only", "duplicates,split_leakage"] + extra)
        XCTAssertTrue(run.status == 0 || run.status == 1, run.stderr)
        return try CLI.findings(in: out)
    }

    func testPlantedDuplicatesAreFoundWithTheCopyToKeep() throws {
        let json = try check(Self.sample, cache: CLI.tempDir())
        XCTAssertEqual(json.status("duplicates"), "warn")
        // same_labels has no original: either picture may be the one reported.
        for plant in try planted("same_labels") {
            let pair = Set([plant["image"] as? String] + ((plant["related"] as? [String]) ?? []).map { $0 })
            let found = json.findings(kind: "same_labels").map { Set([$0["image"] as? String] + (($0["related"] as? [String]) ?? []).map { $0 }) }
            XCTAssertEqual(found, [pair])
        }
        for kind in ["exact_duplicate", "near_duplicate", "cross_split_duplicate"] {
            for plant in try planted(kind) {
                let image = try XCTUnwrap(plant["image"] as? String)
                let found = json.findings(kind: kind).filter { $0["image"] as? String == image }
                XCTAssertEqual(found.count, 1, "\(kind) on \(image): \(json.findings(kind: kind))")
                let related = found.first?["related"] as? [String] ?? []
                XCTAssertEqual(related, plant["related"] as? [String], "\(kind) on \(image)")
                let keep = (found.first?["suggestion"] as? [String: Any])?["keep"] as? String
                XCTAssertEqual(keep, (plant["related"] as? [String])?.first, "\(kind): the original is the copy to keep")
                XCTAssertGreaterThan(found.first?["score"] as? Double ?? 0, 0.5)
            }
        }
        // The val copy of a train picture is also an exact duplicate.
        XCTAssertEqual(json.findings(kind: "exact_duplicate").count, 2)
        XCTAssertEqual(json.findings(kind: "near_duplicate").count, 1)
        XCTAssertEqual(json.findings(kind: "same_labels").count, 1)
        let run = try XCTUnwrap(json.findings(kind: "static_frames").first)
        let frames = try XCTUnwrap(try planted("static_frames").first?["images"] as? [String])
        XCTAssertEqual(run["image"] as? String, frames.first)
        XCTAssertEqual(run["related"] as? [String], Array(frames.dropFirst()))
        XCTAssertEqual(json.findings(kind: "static_frames").count, 1)
    }

    func testCleanSamplesHaveNoDuplicates() throws {
        let cache = CLI.tempDir()
        for name in ["clean_yolo", "coco_forklift"] {
            let json = try check(CLI.repoRoot.appendingPathComponent("samples/\(name)").path, cache: cache)
            XCTAssertEqual(json.status("duplicates"), "pass", name)
            XCTAssertEqual(json.findingList.filter { ($0["check"] as? String) == "duplicates" }.count, 0, name)
            XCTAssertEqual(json.findings(kind: "cross_split_duplicate").count, 0, name)
        }
    }

    func testSecondRunTakesEveryHashFromTheCacheWithTheSameFindings() throws {
        let cache = CLI.tempDir()
        let first = try check(Self.sample, cache: cache)
        let second = try check(Self.sample, cache: cache)
        func hashing(_ json: [String: Any]) -> [String: Any] {
            ((json.check("duplicates")?["metrics"] as? [String: Any])?["hashing"] as? [String: Any]) ?? [:]
        }
        XCTAssertEqual(hashing(first)["decoded"] as? Int, 60)
        XCTAssertEqual(hashing(second)["decoded"] as? Int, 0)
        XCTAssertEqual(hashing(second)["from_cache"] as? Int, 60)
        XCTAssertEqual(first.findingList.map { $0["id"] as? String }, second.findingList.map { $0["id"] as? String })
        let files = try FileManager.default.contentsOfDirectory(atPath: cache.path)
        XCTAssertTrue(files.contains("image-hashes-v1.log"), "\(files)")
    }

    func testNoCacheAndACacheInsideTheDatasetAreHandled() throws {
        let json = try CLI.run(["check", Self.sample, "--out", CLI.tempDir().path, "--no-cache", "--quiet", "--only", "duplicates"])
        XCTAssertEqual(json.status, 0, json.stderr)
        // qcpass never writes into a dataset, the cache included.
        let dataset = CLI.tempDir()
        try FileManager.default.removeItem(at: dataset)
        try FileManager.default.copyItem(atPath: Self.sample, toPath: dataset.path)
        let inside = dataset.appendingPathComponent(".cache")
        let run = try CLI.run(["check", dataset.path, "--out", CLI.tempDir().path, "--cache-dir", inside.path, "--quiet"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("inside the dataset"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: inside.path))
        let both = try CLI.run(["check", Self.sample, "--no-cache", "--cache-dir", "/tmp/x"])
        XCTAssertEqual(both.status, 2)
    }

    func testReportCarriesTheGuidesDuplicateLeakageBalanceAndExceptionLines() throws {
        let out = CLI.tempDir()
        let run = try CLI.run(["check", Self.sample, "--out", out.path, "--cache-dir", CLI.tempDir().path, "--quiet",
                               "--reviewer", "R. Viewer"])
        XCTAssertEqual(run.status, 1, run.stderr)
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        let lines = report.split(separator: "\n").map(String.init)
        XCTAssertLessThanOrEqual(lines.count, 60, "one page")
        for expected in ["Duplicates: 2 exact copies, 1 near copy, 1 image with another's labels, 1 run of static frames (4 images) found, none removed yet",
                         "Leakage check: 1 group in several splits, 1 picture duplicated across splits",
                         "Class imbalance: fail — largest/smallest forklift:pallet = 15.0:1",
                         "Exceptions: none", "Ready to train: no", "Reviewer: R. Viewer",
                         "Total images: 60 | Total labels: 157", "Background images: 12 (20.0%)"] {
            XCTAssertTrue(lines.contains(expected), "missing line \(expected):\n\(report)")
        }
        XCTAssertTrue(lines.contains { $0.hasPrefix("Audit date: ") && $0.count == "Audit date: 2026-01-01".count }, report)
        XCTAssertTrue(lines.contains { $0.hasPrefix("Visual audit: ") }, report)
        XCTAssertTrue(lines.contains { $0.hasPrefix("Provenance: qcpass ") && $0.contains("dataset ") }, report)
    }

    func testAProjectsOwnReportTemplateReplacesTheDefaultWithoutRebuilding() throws {
        let pack = CLI.tempDir()
        let templates = pack.appendingPathComponent("templates")
        try FileManager.default.createDirectory(at: templates, withIntermediateDirectories: true)
        try """
        return function(r)
          local lines = { "# Acceptance sheet for " .. r.dataset.name }
          for _, c in ipairs(r.checks) do
            local n = 0
            for _, count in pairs(c.kinds) do n = n + count end
            lines[#lines + 1] = string.format("%s=%s (%d)", c.id, c.status, n)
          end
          lines[#lines + 1] = "ready=" .. tostring(r.ready)
          return table.concat(lines, "\\n") .. "\\n"
        end
        """.write(to: templates.appendingPathComponent("report_md.lua"), atomically: true, encoding: .utf8)
        let out = CLI.tempDir()
        let run = try CLI.run(["check", Self.sample, "--out", out.path, "--rules", pack.path, "--quiet",
                               "--only", "duplicates,background"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(report.hasPrefix("# Acceptance sheet for yolo_forklift\n"), report)
        XCTAssertTrue(report.contains("duplicates=warn (5)"), report)
        XCTAssertTrue(report.contains("background=warn (3)"), report)
        XCTAssertTrue(report.contains("ready=true"), report)
    }
}
