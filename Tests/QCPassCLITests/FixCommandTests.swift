import Foundation
import XCTest

/// `qcpass fix` end to end on the bundled samples: every finding the default policy can
/// fix is gone on re-check, changes.json accounts for every changed line and file, the
/// input stays byte-identical, and a run that fails or is killed before the end leaves
/// no NEW that looks complete.
final class FixCommandTests: XCTestCase {
    static var sample: String { CLI.repoRoot.appendingPathComponent("samples/yolo_forklift").path }
    /// What the default fix/policy.lua fixes without predictions, an audit or a remap.
    static let fixableKinds: Set<String> = ["invalid_label", "orphan_label", "unknown_class", "bad_box", "duplicate_box",
                                             "exact_duplicate", "static_frames"]

    func check(_ dataset: String, cache: URL) throws -> (json: [String: Any], report: String) {
        let out = CLI.tempDir()
        let run = try CLI.run(["check", dataset, "--out", out.path, "--cache-dir", cache.path, "--quiet"])
        XCTAssertTrue(run.status == 0 || run.status == 1, run.stderr)
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        return (try CLI.findings(in: out), report)
    }

    /// sha256 of every file's relative path and bytes under a folder.
    static func treeDigest(_ root: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: root)!
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: "\(root)/\(rel)", isDirectory: &isDir)
            if !isDir.boolValue { out[rel] = try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(rel)")) }
        }
        return out
    }

    func testFixThenCheckRemovesEveryFixableFindingAndLeavesTheInputAlone() throws {
        let cache = CLI.tempDir()
        let before = try Self.treeDigest(Self.sample)
        let original = try check(Self.sample, cache: cache)
        let fixable = original.json.findingList.filter { Self.fixableKinds.contains($0["kind"] as? String ?? "") }
        XCTAssertGreaterThanOrEqual(fixable.count, 8, "the sample plants at least 8 fixable problems")

        let new = CLI.tempDir().appendingPathComponent("fixed")
        let fix = try CLI.run(["fix", Self.sample, "--out", new.path, "--cache-dir", cache.path])
        XCTAssertEqual(fix.status, 0, fix.stderr)
        XCTAssertTrue(fix.stdout.contains("changes"), fix.stdout)

        let after = try check(new.path, cache: cache)
        for kind in Self.fixableKinds {
            XCTAssertEqual(after.json.findings(kind: kind).count, 0, "\(kind) still found after fix: \(after.json.findings(kind: kind))")
        }
        XCTAssertTrue(after.report.contains("Duplicates removed: 5"), after.report)
        XCTAssertEqual(try Self.treeDigest(Self.sample), before, "the input dataset changed")

        // changes.json: every finding fixed is a cause, every changed line is an entry.
        let changes = try TestJSON.parse(Data(contentsOf: new.appendingPathComponent(".qcpass/changes.json"))) as! [String: Any]
        XCTAssertEqual(changes["schema"] as? String, "qcpass.changes/1")
        let entries = changes["changes"] as! [[String: Any]]
        let causes = Set(entries.compactMap { ($0["cause"] as? [String: Any])?["finding"] as? String })
        for f in fixable where f["kind"] as? String != "static_frames" {
            XCTAssertTrue(causes.contains(f["id"] as! String), "no change for \(f["kind"]!) \(f["image"] ?? f["ref"] ?? "")")
        }
        try assertChangesAccountForEveryDifference(source: Self.sample, new: new.path, entries: entries)
    }

    /// Every label line that differs between input and output, and every file left out,
    /// has its entry in changes.json — and no entry claims a change that is not there.
    func assertChangesAccountForEveryDifference(source: String, new: String, entries: [[String: Any]]) throws {
        let dropped = Set(entries.filter { $0["action"] as? String == "drop_image" }.compactMap { $0["image"] as? String })
        let droppedFiles = Set(entries.filter { $0["action"] as? String == "drop_label_file" }.compactMap { $0["ref"] as? String })
        var lineEntries: [String: [String: Any]] = [:]
        for e in entries { if let ref = e["ref"] as? String, ref.contains(".txt:") { lineEntries[ref] = e } }
        let fm = FileManager.default
        var explained = 0
        for split in ["train", "val"] {
            for name in try fm.contentsOfDirectory(atPath: "\(source)/images/\(split)") {
                let image = "images/\(split)/\(name)"
                XCTAssertEqual(fm.fileExists(atPath: "\(new)/\(image)"), !dropped.contains(image), image)
            }
            for name in try fm.contentsOfDirectory(atPath: "\(source)/labels/\(split)") {
                let label = "labels/\(split)/\(name)"
                let stem = (name as NSString).deletingPathExtension
                let imageDropped = dropped.contains { $0.hasPrefix("images/\(split)/\(stem).") }
                let hasImage = (try fm.contentsOfDirectory(atPath: "\(source)/images/\(split)")).contains { ($0 as NSString).deletingPathExtension == stem }
                guard fm.fileExists(atPath: "\(new)/\(label)") else {
                    XCTAssertTrue(imageDropped || droppedFiles.contains(label), "\(label) left out without an entry")
                    if !hasImage { XCTAssertTrue(droppedFiles.contains(label)) }
                    continue
                }
                let old = Self.lines(try Data(contentsOf: URL(fileURLWithPath: "\(source)/\(label)")))
                let newLines = Self.lines(try Data(contentsOf: URL(fileURLWithPath: "\(new)/\(label)")))
                var k = 0
                for (i, line) in old.enumerated() {
                    let ref = "\(label):\(i + 1)"
                    if let e = lineEntries[ref] {
                        explained += 1
                        XCTAssertEqual(e["before"] as? String, line.replacingOccurrences(of: "\u{FEFF}", with: ""), ref)
                        if let after = e["after"] as? String { XCTAssertEqual(newLines[k], after, ref); k += 1 }
                    } else {
                        XCTAssertEqual(newLines[k], line, "\(ref) changed without an entry")
                        k += 1
                    }
                }
                XCTAssertEqual(k, newLines.count, "\(label): extra lines")
            }
        }
        XCTAssertEqual(explained, lineEntries.count, "entries for lines that do not exist")
    }

    static func lines(_ data: Data) -> [String] {
        String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }

    func testDryRunPrintsThePlanAndWritesNothing() throws {
        let new = CLI.tempDir().appendingPathComponent("fixed")
        let run = try CLI.run(["fix", Self.sample, "--out", new.path, "--dry-run", "--cache-dir", CLI.tempDir().path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("drop image images/train/aisle_n_af.jpg"), run.stdout)
        XCTAssertTrue(run.stdout.contains("drop labels/train/dock_a_aa.txt:2"), run.stdout)
        XCTAssertTrue(run.stdout.contains("clip labels/train/dock_a_ab.txt:1"), run.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: new.path))
    }

    func testFromSavedFindingsAuditAndRemap() throws {
        let cache = CLI.tempDir()
        let qc = CLI.tempDir()
        _ = try CLI.run(["check", Self.sample, "--out", qc.path, "--cache-dir", cache.path, "--quiet"])
        let sheet = qc.appendingPathComponent("audit.csv")
        try "image,bucket,reason,finding_id,box_ref,verdict,corrected_class,note\nimages/train/dock_a_ad.jpg,flagged,,,labels/train/dock_a_ad.txt:1,mislabeled,pallet,looks like a pallet\n"
            .write(to: sheet, atomically: true, encoding: .utf8)
        let new = CLI.tempDir().appendingPathComponent("fixed")
        let run = try CLI.run(["fix", Self.sample, "--out", new.path, "--from", qc.appendingPathComponent("findings.json").path,
                               "--audit", sheet.path, "--remap", "forklift=person,person=forklift"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let changes = try TestJSON.parse(Data(contentsOf: new.appendingPathComponent(".qcpass/changes.json"))) as! [String: Any]
        let entries = changes["changes"] as! [[String: Any]]
        let audit = entries.first { $0["ref"] as? String == "labels/train/dock_a_ad.txt:1" }
        XCTAssertEqual(audit?["action"] as? String, "set_class")
        XCTAssertEqual((audit?["cause"] as? [String: Any])?["place"] as? String, "\(sheet.path):2")
        XCTAssertTrue((audit?["after"] as? String ?? "").hasPrefix("2 "), "\(audit ?? [:])")
        XCTAssertTrue(entries.contains { $0["action"] as? String == "remap_class" })
        XCTAssertTrue(entries.contains { $0["action"] as? String == "drop_image" })

        let bad = try CLI.run(["fix", Self.sample, "--out", CLI.tempDir().appendingPathComponent("x").path,
                               "--from", qc.appendingPathComponent("findings.json").path, "--remap", "forklift=cart"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("cart") || bad.stderr.contains("remap"), bad.stderr)
    }

    func testCOCOFixWritesCOCO() throws {
        let coco = CLI.repoRoot.appendingPathComponent("samples/coco_forklift").path
        let before = try Self.treeDigest(coco)
        let new = CLI.tempDir().appendingPathComponent("fixed")
        let run = try CLI.run(["fix", coco, "--out", new.path, "--cache-dir", CLI.tempDir().path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: new.appendingPathComponent("annotations/instances_train.json").path))
        let after = try check(new.path, cache: CLI.tempDir())
        XCTAssertEqual(after.json.findingList.filter { ($0["ref"] as? String ?? "").contains("#id=1020") }.count, 0)
        XCTAssertEqual(try Self.treeDigest(coco), before)
    }

    func testAFailedFixLeavesNoNewDataset() throws {
        let parent = CLI.tempDir()
        let new = parent.appendingPathComponent("fixed")
        let run = try CLI.run(["fix", Self.sample, "--out", new.path, "--cache-dir", CLI.tempDir().path],
                              env: ["QCPASS_FAULT": "fail:before-rename"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("injected failure"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: new.path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: parent.path), [], "staging left behind")
    }

    func testAKilledFixLeavesNoNewDatasetAndTheNextRunCleansUp() throws {
        let parent = CLI.tempDir()
        let new = parent.appendingPathComponent("fixed")
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["fix", Self.sample, "--out", new.path, "--cache-dir", CLI.tempDir().path, "--quiet"]
        var env = ProcessInfo.processInfo.environment
        env["QCPASS_RULES"] = CLI.repoRoot.appendingPathComponent("rules").path
        env["QCPASS_FAULT"] = "hang:before-rename"
        p.environment = env
        let err = Pipe()
        p.standardError = err
        try p.run()
        // Wait until the staging folder holds changes.json: everything but the rename is done.
        let deadline = Date().addingTimeInterval(120)
        var staged: String?
        while Date() < deadline, staged == nil {
            staged = (try? FileManager.default.contentsOfDirectory(atPath: parent.path))?.first {
                FileManager.default.fileExists(atPath: parent.appendingPathComponent("\($0)/.qcpass/changes.json").path)
            }
            if staged == nil { usleep(100_000) }
        }
        XCTAssertNotNil(staged, "the fix never reached the rename")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertFalse(FileManager.default.fileExists(atPath: new.path), "a killed fix left NEW")
        XCTAssertTrue(staged?.hasPrefix(".fixed.partial-") ?? false, "\(staged ?? "")")

        let rerun = try CLI.run(["fix", Self.sample, "--out", new.path, "--cache-dir", CLI.tempDir().path, "--quiet"])
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: parent.path), ["fixed"])
    }

    func testFixRefusesAnOutputThatExistsOrLiesInsideTheDataset() throws {
        let inside = try CLI.run(["fix", Self.sample, "--out", "\(Self.sample)/fixed", "--dry-run"])
        XCTAssertEqual(inside.status, 2)
        let existing = CLI.tempDir()
        try "x".write(to: existing.appendingPathComponent("f"), atomically: true, encoding: .utf8)
        let run = try CLI.run(["fix", Self.sample, "--out", existing.path, "--cache-dir", CLI.tempDir().path])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("not empty"), run.stderr)
    }
}
