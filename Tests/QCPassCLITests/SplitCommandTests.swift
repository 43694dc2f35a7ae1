import Foundation
import XCTest

/// `qcpass split` end to end on a generated dataset with planted leakage and 300 scenes:
/// the re-check finds no group_leak and no cross_split_duplicate, and every class in
/// ≥ 20 groups is within ±3 pp of each split's ratio. `qc.split.grouped` runs from a rule.
final class SplitCommandTests: XCTestCase {
    static func leakyDataset() throws -> URL {
        let dir = CLI.tempDir("leaky").appendingPathComponent("data")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [CLI.repoRoot.appendingPathComponent("bench/split/make_leaky.py").path, dir.path, "--groups", "300"]
        p.standardOutput = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        return dir
    }

    func findings(_ dataset: String, cache: URL) throws -> [String: Any] {
        let out = CLI.tempDir()
        let run = try CLI.run(["check", dataset, "--out", out.path, "--cache-dir", cache.path, "--quiet", "--only", "split_leakage"])
        XCTAssertTrue(run.status == 0 || run.status == 1, run.stderr)
        return try CLI.findings(in: out)
    }

    func testSplitRemovesLeakageAndStratifiesWithinThreePoints() throws {
        let data = try Self.leakyDataset()
        let cache = CLI.tempDir()
        let before = try findings(data.path, cache: cache)
        XCTAssertGreaterThan(before.findings(kind: "group_leak").count, 100)
        XCTAssertGreaterThan(before.findings(kind: "cross_split_duplicate").count, 20)

        let new = CLI.tempDir().appendingPathComponent("split")
        let run = try CLI.run(["split", data.path, "--out", new.path, "--seed", "5", "--cache-dir", cache.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("groups per split: train"), run.stdout)
        let deviation = try XCTUnwrap(run.stdout.components(separatedBy: "largest deviation (classes in ≥ 20 groups): ").last?
            .split(separator: " ").first.flatMap { Double($0) })
        XCTAssertLessThanOrEqual(deviation, 3.0, run.stdout)

        let after = try findings(new.path, cache: cache)
        XCTAssertEqual(after.findings(kind: "group_leak").count, 0)
        XCTAssertEqual(after.findings(kind: "cross_split_duplicate").count, 0)

        // The same seed gives the same split.
        let again = try CLI.run(["split", data.path, "--out", CLI.tempDir().appendingPathComponent("s").path, "--seed", "5",
                                 "--cache-dir", cache.path, "--dry-run"])
        XCTAssertEqual(again.stdout.components(separatedBy: "\n").prefix(9), run.stdout.components(separatedBy: "\n").prefix(9))

        let lists = CLI.tempDir().appendingPathComponent("lists")
        let listRun = try CLI.run(["split", data.path, "--out", lists.path, "--lists", "--seed", "5", "--cache-dir", cache.path, "--quiet"])
        XCTAssertEqual(listRun.status, 0, listRun.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: lists.appendingPathComponent("train.txt").path))
        let listed = try findings(lists.appendingPathComponent("data.yaml").path, cache: cache)
        XCTAssertEqual(listed.findings(kind: "group_leak").count, 0)
    }

    func testSplitIsCallableFromALuaRule() throws {
        let rules = CLI.tempDir()
        try """
        return {
          id = "my_split", title = "Split policy", description = "qc.split.grouped from a rule.",
          needs = { "image_hashes" },
          run = function(ds, p, emit)
            local s = qc.split.grouped { ratios = { 0.7, 0.3 }, names = { "train", "val" }, seed = 3, by = { "scene" } }
            local by_scene = {}
            for i, name in ipairs(s.split) do
              local scene = qc.image(i).meta.scene
              if scene and by_scene[scene] and by_scene[scene] ~= name then
                emit { kind = "scene_in_two_splits", image = i, message = scene }
              end
              if scene then by_scene[scene] = name end
            end
            return { message = string.format("train %d groups, val %d groups, worst %.1f pp", s.groups.train, s.groups.val, s.max_deviation_pp) }
          end,
        }
        """.write(to: rules.appendingPathComponent("my_split.lua"), atomically: true, encoding: .utf8)
        let out = CLI.tempDir()
        let sample = CLI.repoRoot.appendingPathComponent("samples/yolo_forklift").path
        let run = try CLI.run(["check", sample, "--rules", rules.path, "--only", "my_split", "--out", out.path,
                               "--cache-dir", CLI.tempDir().path, "--quiet"])
        XCTAssertTrue(run.status == 0 || run.status == 1, run.stderr)
        let json = try CLI.findings(in: out)
        XCTAssertEqual(json.status("my_split"), "pass", "\(json.check("my_split") ?? [:])")
        XCTAssertTrue((json.check("my_split")?["message"] as? String ?? "").hasPrefix("train "), "\(json.check("my_split") ?? [:])")
    }
}
