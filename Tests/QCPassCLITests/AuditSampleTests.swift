import Foundation
import XCTest

/// `qcpass sample` and `check --audit` end to end on samples/yolo_forklift: bucket
/// counts, reproducibility for a seed, the pages' cards and boxes, thumbnails, and a
/// filled-in sheet changing the report's audit line.
final class AuditSampleTests: XCTestCase {
    static var forklift: String { CLI.repoRoot.appendingPathComponent("samples/yolo_forklift").path }

    struct Sheet {
        var header: [String]
        var rows: [[String]]
        func column(_ name: String) -> [String] {
            let i = header.firstIndex(of: name)!
            return rows.map { $0[i] }
        }
        func count(bucket: String) -> Int { column("bucket").filter { $0 == bucket }.count }
    }

    /// A strict RFC 4180 reader for the tests (the product's reader is under test elsewhere).
    static func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = [], fields: [String] = [], field = "", quoted = false
        var chars = Array(text), i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { fields.append(field); field = "" }
            else if c == "\n" { fields.append(field); records.append(fields); fields = []; field = "" }
            else { field.append(c) }
            i += 1
        }
        chars.removeAll()
        if !field.isEmpty || !fields.isEmpty { fields.append(field); records.append(fields) }
        return records
    }

    static func csvLine(_ fields: [String]) -> String {
        fields.map { f in f.contains(",") || f.contains("\"") ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f }
            .joined(separator: ",")
    }

    func sample(_ extra: [String] = [], out: URL = CLI.tempDir(), dataset: String = AuditSampleTests.forklift,
                file: StaticString = #filePath, line: UInt = #line) throws -> (Sheet, URL, CLI.Run) {
        let run = try CLI.run(["sample", dataset, "--out", out.path] + extra)
        XCTAssertEqual(run.status, 0, run.stderr, file: file, line: line)
        let text = try String(contentsOf: out.appendingPathComponent("audit.csv"), encoding: .utf8)
        let records = Self.parseCSV(text)
        return (Sheet(header: records[0], rows: Array(records.dropFirst())), out, run)
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// Usable box lines of an image's label file (5 finite numbers; unknown ids count:
    /// they are drawn, as "#7").
    static func labelBoxes(_ image: String) -> Int {
        let rel = image.replacingOccurrences(of: "images/", with: "labels/")
        let url = URL(fileURLWithPath: forklift).appendingPathComponent((rel as NSString).deletingPathExtension + ".txt")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return 0 }
        return text.replacingOccurrences(of: "\u{FEFF}", with: "").split(whereSeparator: \.isNewline).filter { line in
            let parts = line.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
            return parts.count == 5 && parts.allSatisfy(\.isFinite)
        }.count
    }

    /// Class ids of an image's usable label lines.
    static func classIds(_ image: String) -> Set<Int> {
        let rel = image.replacingOccurrences(of: "images/", with: "labels/")
        let url = URL(fileURLWithPath: forklift).appendingPathComponent((rel as NSString).deletingPathExtension + ".txt")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return Set(text.replacingOccurrences(of: "\u{FEFF}", with: "").split(whereSeparator: \.isNewline).compactMap { line in
            let parts = line.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
            return parts.count == 5 && parts.allSatisfy(\.isFinite) ? Int(parts[0]) : nil
        })
    }

    // MARK: - sampling

    func testBucketCountsOnTheForkliftSample() throws {
        let (sheet, out, run) = try sample(["--seed", "7", "--no-images"])
        XCTAssertEqual(sheet.header, ["image", "bucket", "reason", "finding_id", "box_ref", "verdict", "corrected_class", "note"])
        // flagged fills first: every flagged picture, as there are fewer than 10.
        let checked = CLI.tempDir()
        _ = try CLI.run(["check", Self.forklift, "--out", checked.path, "--quiet", "--no-images"])
        let flaggedImages = Set(try CLI.findings(in: checked).findingList.filter { $0["exception"] == nil }
            .compactMap { $0["image"] as? String })
        XCTAssertEqual(sheet.count(bucket: "flagged"), min(10, flaggedImages.count), run.stdout)
        XCTAssertEqual(Set(zip(sheet.column("bucket"), sheet.column("image")).filter { $0.0 == "flagged" }.map(\.1)),
                       flaggedImages)
        XCTAssertEqual(sheet.count(bucket: "low_confidence"), 0, "no predictions, no low-confidence bucket")
        XCTAssertEqual(sheet.count(bucket: "edge_cases"), 10)
        // per_class: pallet is on 6 pictures only, so it gets those not already sampled;
        // person and forklift 10 each.
        let palletImages = Set(sheet.column("image").filter { Self.classIds($0).contains(2) })
        let palletEarlier = zip(sheet.column("bucket"), sheet.column("image"))
            .filter { ($0.0 == "flagged" || $0.0 == "edge_cases") && palletImages.contains($0.1) }.count
        let reasons = sheet.column("reason")
        XCTAssertEqual(reasons.filter { $0.hasPrefix("class pallet") }.count, 6 - palletEarlier)
        XCTAssertEqual(reasons.filter { $0.hasPrefix("class person") }.count, 10)
        XCTAssertEqual(reasons.filter { $0.hasPrefix("class forklift") }.count, 10)
        XCTAssertEqual(palletImages.count, 6, "every pallet picture is in the sample")
        // background: the 12 background pictures minus those already flagged (the planted
        // exact, near and cross-split copies are background pictures), at most 10.
        let planted = try TestJSON.parse(Data(contentsOf: CLI.repoRoot.appendingPathComponent("samples/PLANTED.json"))) as! [[String: Any]]
        let bgEntry = try XCTUnwrap(planted.first { $0["dataset"] as? String == "yolo_forklift" && $0["kind"] as? String == "background_ratio" })
        let backgrounds = Set(((bgEntry["no_label_file"] as? [String]) ?? [])
            + ((bgEntry["empty_label_file"] as? [String]) ?? []).map { $0.replacingOccurrences(of: "labels/", with: "images/").replacingOccurrences(of: ".txt", with: ".jpg") })
        XCTAssertEqual(backgrounds.count, 12)
        let backgroundFlagged = zip(sheet.column("bucket"), sheet.column("image")).filter { $0.0 == "flagged" && backgrounds.contains($0.1) }.count
        XCTAssertEqual(sheet.count(bucket: "background"), min(10, 12 - backgroundFlagged))
        XCTAssertEqual(sheet.count(bucket: "random"), 0)
        XCTAssertEqual(sheet.column("bucket").filter { $0 != "flagged" }.count,
                       10 + 26 - palletEarlier + min(10, 12 - backgroundFlagged))
        XCTAssertTrue(zip(sheet.column("bucket"), sheet.column("finding_id")).allSatisfy { ($0 == "flagged") == !$1.isEmpty },
                      "flagged rows, and only they, name the finding that picked them")
        XCTAssertEqual(Set(sheet.column("image")).count, sheet.rows.count, "an image appears once")
        XCTAssertTrue(sheet.column("verdict").allSatisfy(\.isEmpty))
        let edge = zip(sheet.column("bucket"), sheet.column("reason")).filter { $0.0 == "edge_cases" }.map(\.1)
        XCTAssertTrue(edge.contains { $0.hasPrefix("crowded:") } && edge.contains { $0.hasPrefix("smallest box:") }, "\(edge)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("thumbs").path), "--no-images makes no thumbnails")

        // --random adds plain random images, none already taken.
        let (withRandom, _, _) = try sample(["--seed", "7", "--random", "5", "--no-images"])
        XCTAssertEqual(withRandom.count(bucket: "random"), 5)
        XCTAssertEqual(Set(withRandom.column("image")).count, withRandom.rows.count)
    }

    func testSameSeedSameSheetOtherSeedOtherSheet() throws {
        let read = { (u: URL) in try String(contentsOf: u.appendingPathComponent("audit.csv"), encoding: .utf8) }
        let (_, a, _) = try sample(["--seed", "42", "--no-images"])
        let (_, b, _) = try sample(["--seed", "42", "--no-images"])
        let (_, c, _) = try sample(["--seed", "43", "--no-images"])
        XCTAssertEqual(try read(a), try read(b))
        XCTAssertNotEqual(try read(a), try read(c))
        XCTAssertEqual(try String(contentsOf: a.appendingPathComponent("gallery.html"), encoding: .utf8),
                       try String(contentsOf: b.appendingPathComponent("gallery.html"), encoding: .utf8))
    }

    func testBucketSizesAreParamsOfThePack() throws {
        let dir = CLI.tempDir()
        let config = dir.appendingPathComponent("qcpass.lua")
        try "return { params = { sample = { background = 3, edge_cases = 2, per_class = 1 } } }\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let (sheet, _, _) = try sample(["--config", config.path, "--no-images"])
        XCTAssertEqual(sheet.count(bucket: "background"), 3)
        XCTAssertEqual(sheet.count(bucket: "edge_cases"), 2)
        XCTAssertEqual(sheet.count(bucket: "per_class"), 3)
        // The command line wins over the config.
        let (more, _, _) = try sample(["--config", config.path, "--per-class", "2", "--no-images"])
        XCTAssertEqual(more.count(bucket: "per_class"), 6)
        // `check` accepts the same config, and `rules` lists the audit rule with its params.
        let out = CLI.tempDir()
        let check = try CLI.run(["check", Self.forklift, "--config", config.path, "--out", out.path, "--quiet", "--no-images"])
        XCTAssertEqual(check.status, 1, check.stderr)
        let rules = try CLI.run(["rules"])
        XCTAssertTrue(rules.stdout.contains("sample — Audit sample"), rules.stdout)
        XCTAssertTrue(rules.stdout.contains("per_class = 10"))
        // A misspelt bucket is an error naming the field.
        try "return { params = { sample = { backgound = 3 } } }\n".write(to: config, atomically: true, encoding: .utf8)
        let bad = try CLI.run(["sample", Self.forklift, "--config", config.path, "--out", CLI.tempDir().path, "--no-images"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("params.sample.backgound"), bad.stderr)
    }

    func testLowConfidenceBucketTakesTheLeastConfidentPredictions() throws {
        // Predictions = the labels with a confidence that falls with the file's position.
        let preds = CLI.tempDir()
        let labels = URL(fileURLWithPath: Self.forklift).appendingPathComponent("labels")
        var expectedLowest: [(Double, String)] = []
        var k = 0
        for split in ["train", "val"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: labels.appendingPathComponent(split).path).sorted() {
                let text = (try? String(contentsOf: labels.appendingPathComponent("\(split)/\(name)"), encoding: .utf8)) ?? ""
                let lines = text.replacingOccurrences(of: "\u{FEFF}", with: "").split(whereSeparator: \.isNewline).filter {
                    $0.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }.filter(\.isFinite).count == 5
                }
                guard !lines.isEmpty else { continue }
                k += 1
                let conf = 0.99 - Double(k) * 0.01
                try lines.map { "\($0) \(conf)" }.joined(separator: "\n").write(to: preds.appendingPathComponent(name), atomically: true, encoding: .utf8)
                expectedLowest.append((conf, name))
            }
        }
        let (sheet, _, _) = try sample(["--predictions", preds.path, "--no-images"])
        XCTAssertEqual(sheet.count(bucket: "low_confidence"), 10)
        let reasons = zip(sheet.column("bucket"), sheet.column("reason")).filter { $0.0 == "low_confidence" }.map(\.1)
        XCTAssertTrue(reasons.allSatisfy { $0.contains("at confidence") }, "\(reasons)")
        XCTAssertEqual(Set(sheet.column("image")).count, sheet.rows.count)
    }

    // MARK: - pages

    func testGalleryHasOneCardPerSampledImageWithItsBoxesAndThumbnails() throws {
        let (sheet, out, _) = try sample(["--seed", "3"])
        let html = try String(contentsOf: out.appendingPathComponent("gallery.html"), encoding: .utf8)
        XCTAssertEqual(Self.count("<article class=\"card\"", in: html), sheet.rows.count)
        let expectedBoxes = sheet.column("image").map(Self.labelBoxes).reduce(0, +)
        XCTAssertGreaterThan(expectedBoxes, 0)
        XCTAssertEqual(Self.count("class=\"box label", in: html), expectedBoxes)
        XCTAssertFalse(html.contains("http://") || html.contains("https://") && !html.contains("http://www.w3.org"),
                       "the page loads nothing from the network")
        for bucket in ["per_class", "background", "edge_cases", "flagged"] {
            XCTAssertTrue(html.contains("data-group=\"\(bucket)\""), bucket)
        }
        // Thumbnails: one per distinct picture (byte-identical copies share one), named by
        // content hash, small JPEGs.
        let thumbs = out.appendingPathComponent("thumbs")
        let files = try FileManager.default.contentsOfDirectory(atPath: thumbs.path).filter { $0.hasSuffix(".jpg") }
        let distinct = Set(try sheet.column("image").map { try Data(contentsOf: URL(fileURLWithPath: Self.forklift).appendingPathComponent($0)) })
        XCTAssertEqual(files.count, distinct.count)
        XCTAssertTrue(files.allSatisfy { $0.range(of: "^[0-9a-f]{32}\\.jpg$", options: .regularExpression) != nil }, "\(files)")
        for f in files {
            let bytes = try Data(contentsOf: thumbs.appendingPathComponent(f))
            XCTAssertEqual(Array(bytes.prefix(3)), [0xFF, 0xD8, 0xFF])
            XCTAssertTrue(html.contains("src=\"thumbs/\(f)\""))
        }
        // A re-run reuses the thumbnails rather than encoding them again.
        let before = try FileManager.default.attributesOfItem(atPath: thumbs.appendingPathComponent(files[0]).path)[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 1.1)
        _ = try sample(["--seed", "3"], out: out)
        let after = try FileManager.default.attributesOfItem(atPath: thumbs.appendingPathComponent(files[0]).path)[.modificationDate] as? Date
        XCTAssertEqual(before, after)
    }

    func testGalleryPaginates() throws {
        let (sheet, out, run) = try sample(["--page-size", "20", "--no-images"])
        let pages = Int((Double(sheet.rows.count) / 20).rounded(.up))
        XCTAssertGreaterThan(pages, 1)
        var cards = 0
        for p in 1...pages {
            let name = p == 1 ? "gallery.html" : "gallery-\(p).html"
            let html = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
            cards += Self.count("<article class=\"card\"", in: html)
            XCTAssertTrue(html.contains("href=\"gallery.html\"") || p == 1)
        }
        XCTAssertEqual(cards, sheet.rows.count, run.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("gallery-\(pages + 1).html").path))
        // A later run with fewer pages removes the pages it no longer has.
        _ = try sample(["--no-images"], out: out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("gallery-2.html").path))
    }

    func testReportHTMLHasSummaryChartsAndFlaggedGallery() throws {
        let out = CLI.tempDir()
        let run = try CLI.run(["check", Self.forklift, "--out", out.path, "--quiet"])
        XCTAssertEqual(run.status, 1, run.stderr)
        let json = try CLI.findings(in: out)
        let flagged = Set(json.findingList.filter { $0["exception"] == nil }.compactMap { $0["image"] as? String })
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertEqual(Self.count("<article class=\"card\"", in: html), flagged.count)
        XCTAssertEqual(Self.count("class=\"box label", in: html), flagged.map(Self.labelBoxes).reduce(0, +))
        for c in json.checkList { XCTAssertTrue(html.contains("data-check=\"\(c["id"] as! String)\"")) }
        XCTAssertTrue(html.contains("id=\"chart-classes\"") && html.contains("<svg"))
        XCTAssertEqual(Self.count("class=\"chart-split\"", in: html), 2, "one chart per split")
        XCTAssertTrue(html.contains("Visual audit:</b> not recorded"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("thumbs").path))

        let bare = CLI.tempDir()
        XCTAssertEqual(try CLI.run(["check", Self.forklift, "--out", bare.path, "--quiet", "--no-images"]).status, 1)
        let noImages = try String(contentsOf: bare.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertFalse(noImages.contains("<img"))
        XCTAssertEqual(Self.count("<article class=\"card\"", in: noImages), flagged.count)
        XCTAssertFalse(FileManager.default.fileExists(atPath: bare.appendingPathComponent("thumbs").path))
    }

    // MARK: - audit folded into the report

    func testFilledSheetChangesTheReportsAuditLineAndPrecision() throws {
        let (sheet, out, _) = try sample(["--no-images"])
        let report1 = try String(contentsOf: { () -> URL in
            let o = CLI.tempDir()
            _ = try? CLI.run(["check", Self.forklift, "--out", o.path, "--quiet", "--no-images"])
            return o.appendingPathComponent("report.md")
        }(), encoding: .utf8)
        XCTAssertTrue(report1.contains("Visual audit: not recorded"), report1)

        // The reviewer marks 3 images mislabeled, 1 missing labels, the rest ok; flagged rows confirmed.
        let verdictColumn = sheet.header.firstIndex(of: "verdict")!
        var rows = sheet.rows
        var mislabeled = 0
        for i in rows.indices {
            let bucket = rows[i][1]
            if bucket == "per_class" && mislabeled < 3 { rows[i][verdictColumn] = "mislabeled"; mislabeled += 1 }
            else if bucket == "flagged" { rows[i][verdictColumn] = "bad_box" }
            else { rows[i][verdictColumn] = "ok" }
        }
        rows[rows.count - 1][verdictColumn] = ""  // one not reviewed yet
        let filled = out.appendingPathComponent("filled.csv")
        try ([Self.csvLine(sheet.header)] + rows.map(Self.csvLine)).joined(separator: "\n").appending("\n")
            .write(to: filled, atomically: true, encoding: .utf8)

        let checked = CLI.tempDir()
        let run = try CLI.run(["check", Self.forklift, "--audit", filled.path, "--out", checked.path, "--quiet", "--no-images"])
        XCTAssertEqual(run.status, 1, run.stderr)
        let report = try String(contentsOf: checked.appendingPathComponent("report.md"), encoding: .utf8)
        let n = sheet.rows.count
        let pct = String(format: "%.1f", 3.0 / Double(n) * 100)
        XCTAssertTrue(report.contains("Visual audit: \(n) images sampled, 3 mislabeled (\(pct)%)"), report)
        XCTAssertTrue(report.contains("; 1 not reviewed yet"), report)
        XCTAssertTrue(report.contains("Audit-confirmed flags per check:"), report)
        XCTAssertLessThanOrEqual(report.split(separator: "\n", omittingEmptySubsequences: false).count, 60, "one page")

        let json = try CLI.findings(in: checked)
        let audit = try XCTUnwrap(json["audit"] as? [String: Any])
        XCTAssertEqual(audit["sampled"] as? Int, n)
        XCTAssertEqual(audit["reviewed"] as? Int, n - 1)
        XCTAssertEqual((audit["verdicts"] as? [String: Any])?["mislabeled"] as? Int, 3)
        let perCheck = try XCTUnwrap(audit["checks"] as? [String: [String: Any]])
        XCTAssertFalse(perCheck.isEmpty)
        for (check, p) in perCheck {
            let reviewed = p["flagged_reviewed"] as! Int, confirmed = p["confirmed"] as! Int
            XCTAssertLessThanOrEqual(confirmed, reviewed, check)
            if reviewed > 0 { XCTAssertEqual(p["precision"] as! Double, Double(confirmed) / Double(reviewed), accuracy: 1e-4) }
        }
        let html = try String(contentsOf: checked.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("\(n) images sampled, 3 mislabeled (\(pct)%)"))
    }

    func testBadSheetRowsAreErrorsNamingFileAndLine() throws {
        let dir = CLI.tempDir()
        let sheet = dir.appendingPathComponent("audit.csv")
        try "image,bucket,reason,finding_id,box_ref,verdict,corrected_class,note\nimages/train/dock_a_aa.jpg,per_class,x,,,ok,,\nimages/train/dock_a_ab.jpg,per_class,x,,,wrong,,\n"
            .write(to: sheet, atomically: true, encoding: .utf8)
        let out = CLI.tempDir()
        let run = try CLI.run(["check", Self.forklift, "--audit", sheet.path, "--out", out.path, "--quiet", "--no-images"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("\(sheet.path):3: unknown verdict 'wrong'"), run.stderr)

        try "image,bucket,verdict\nimages/train/dock_a_aa.jpg,per_class,ok,extra,fields\n".write(to: sheet, atomically: true, encoding: .utf8)
        let fields = try CLI.run(["check", Self.forklift, "--audit", sheet.path, "--out", out.path, "--quiet", "--no-images"])
        XCTAssertEqual(fields.status, 2)
        XCTAssertTrue(fields.stderr.contains("\(sheet.path):2:"), fields.stderr)

        try "image,bucket\nx.jpg,per_class\n".write(to: sheet, atomically: true, encoding: .utf8)
        let header = try CLI.run(["check", Self.forklift, "--audit", sheet.path, "--out", out.path, "--quiet", "--no-images"])
        XCTAssertEqual(header.status, 2)
        XCTAssertTrue(header.stderr.contains("\(sheet.path):1: the header has no 'verdict' column"), header.stderr)
    }

    func testSampleRefusesToOverwriteVerdictsAndTheDatasetFolder() throws {
        let (_, out, _) = try sample(["--no-images"])
        let path = out.appendingPathComponent("audit.csv")
        var records = Self.parseCSV(try String(contentsOf: path, encoding: .utf8))
        records[1][5] = "ok"
        try (records.map(Self.csvLine).joined(separator: "\n") + "\n").write(to: path, atomically: true, encoding: .utf8)
        let refused = try CLI.run(["sample", Self.forklift, "--out", out.path, "--no-images"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("holds 1 verdict"), refused.stderr)
        XCTAssertEqual(try CLI.run(["sample", Self.forklift, "--out", out.path, "--no-images", "--force", "--quiet"]).status, 0)

        let copy = CLI.tempDir()
        try FileManager.default.removeItem(at: copy)
        try FileManager.default.copyItem(at: URL(fileURLWithPath: Self.forklift), to: copy)
        let inside = try CLI.run(["sample", copy.path, "--out", copy.appendingPathComponent("qc").path, "--no-images"])
        XCTAssertEqual(inside.status, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: copy.appendingPathComponent("qc").path))
    }
}
