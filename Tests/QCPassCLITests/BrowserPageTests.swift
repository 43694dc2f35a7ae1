import Foundation
import XCTest

/// gallery.html and report.html in a real browser (headless Chromium): the pages' script
/// runs without console errors and sees the expected cards and boxes. Needs Debian's
/// `chromium`; runs only with QCPASS_BROWSER_TESTS=1 (Tests/browser/run.sh sets it).
/// Screenshots go to $QCPASS_SCREENSHOT_DIR when set.
final class BrowserPageTests: XCTestCase {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    override func setUpWithError() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["QCPASS_BROWSER_TESTS"] == "1",
                          "set QCPASS_BROWSER_TESTS=1 (Tests/browser/run.sh) to run the browser tests")
        try XCTSkipIf(Self.chromium == nil, "chromium is not installed (apt-get install -y chromium)")
    }

    struct Loaded { var dom: String; var console: [String] }

    /// Loads a page from its file:// URL; returns the DOM after scripts ran and the
    /// console lines Chromium logged.
    func load(_ page: URL, screenshot: String? = nil, extra: [String] = []) throws -> Loaded {
        let profile = CLI.tempDir("chromium-profile")
        var args = extra + ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
                    "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--window-size=1280,1800", "--hide-scrollbars"]
        if let screenshot { args.append("--screenshot=\(screenshot)") } else { args.append("--dump-dom") }
        args.append(page.absoluteString)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.chromium!)
        p.arguments = args
        let run = try CLI.capture(p)
        let console = run.stderr.split(separator: "\n").map(String.init).filter { $0.contains("CONSOLE") }
        return Loaded(dom: run.stdout, console: console)
    }

    func attribute(_ name: String, in dom: String) -> Int? {
        guard let r = dom.range(of: "\(name)=\"") else { return nil }
        return Int(dom[r.upperBound...].prefix { $0.isNumber })
    }

    /// A test page beside gallery.html that drives it in an iframe as a reviewer would —
    /// keys, a filter, the export button — and prints what it saw as JSON.
    static let harness = """
    <!DOCTYPE html><html><body><pre id="out">pending</pre>
    <iframe id="f" src="gallery.html" style="width:1200px;height:900px"></iframe>
    <script>
    var f = document.getElementById("f");
    f.addEventListener("load", function () {
      var w = f.contentWindow, d = f.contentDocument, out = {};
      function key(k) { d.dispatchEvent(new w.KeyboardEvent("keydown", { key: k, bubbles: true })); }
      function finish() {
        document.getElementById("out").textContent = JSON.stringify(out);
        document.documentElement.setAttribute("data-harness-done", "true");
      }
      try {
        out.ready = d.documentElement.getAttribute("data-qc-ready");
        key("j"); key("2"); key("j"); key("1");
        out.current = d.querySelector(".card.current").getAttribute("data-image");
        out.verdicts = Array.prototype.slice.call(d.querySelectorAll(".card"), 0, 3).map(function (c) { return c.getAttribute("data-verdict"); });
        var sel = d.getElementById("qc-class");
        sel.value = "pallet"; sel.dispatchEvent(new w.Event("change"));
        out.shownPallet = Array.prototype.filter.call(d.querySelectorAll(".card"), function (c) { return !c.hidden; }).length;
        sel.value = ""; sel.dispatchEvent(new w.Event("change"));
        var blob = null;
        w.URL.createObjectURL = function (b) { blob = b; return "about:blank"; };
        w.URL.revokeObjectURL = function () {};
        w.HTMLAnchorElement.prototype.click = function () { out.download = this.download; };
        d.getElementById("qc-export").click();
        blob.text().then(function (t) { out.csv = t; finish(); });
      } catch (e) { out.error = String(e); finish(); }
    });
    </script></body></html>
    """

    func testReviewerKeysFilterAndExportInTheGallery() throws {
        let forklift = CLI.repoRoot.appendingPathComponent("samples/yolo_forklift").path
        let out = CLI.tempDir()
        XCTAssertEqual(try CLI.run(["sample", forklift, "--out", out.path, "--quiet", "--no-images"]).status, 0)
        let harness = out.appendingPathComponent("harness.html")
        try Self.harness.write(to: harness, atomically: true, encoding: .utf8)
        let loaded = try load(harness, extra: ["--allow-file-access-from-files"])
        XCTAssertTrue(loaded.dom.contains("data-harness-done=\"true\""), loaded.dom.prefix(400) + "\n\(loaded.console)")
        guard let start = loaded.dom.range(of: "<pre id=\"out\">"), let end = loaded.dom.range(of: "</pre>") else {
            return XCTFail("no harness output")
        }
        let text = String(loaded.dom[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        let seen = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
        XCTAssertNil(seen["error"], "\(seen)")
        XCTAssertEqual(loaded.console, [])

        let sheet = AuditSampleTests.parseCSV(try String(contentsOf: out.appendingPathComponent("audit.csv"), encoding: .utf8))
        let images = sheet.dropFirst().map { $0[0] }
        XCTAssertEqual(seen["ready"] as? String, "true")
        XCTAssertEqual(seen["current"] as? String, images[1], "j moved to the second image")
        XCTAssertEqual(seen["verdicts"] as? [String], ["mislabeled", "ok", ""])
        let pallet = images.filter { AuditSampleTests.classIds($0).contains(2) }.count
        XCTAssertEqual(seen["shownPallet"] as? Int, pallet, "the class filter shows the pallet images only")
        XCTAssertEqual(seen["download"] as? String, "audit.csv")
        // The export is the whole sheet with the verdicts filled in, readable by `check --audit`.
        let exported = AuditSampleTests.parseCSV(try XCTUnwrap(seen["csv"] as? String))
        XCTAssertEqual(exported[0], sheet[0])
        XCTAssertEqual(exported.count, sheet.count)
        XCTAssertEqual(exported[1][5], "mislabeled")
        XCTAssertEqual(exported[2][5], "ok")
        XCTAssertEqual(exported.dropFirst().map { Array($0.prefix(4)) }, sheet.dropFirst().map { Array($0.prefix(4)) })
        let exportedPath = out.appendingPathComponent("exported.csv")
        try (seen["csv"] as! String).write(to: exportedPath, atomically: true, encoding: .utf8)
        let checked = CLI.tempDir()
        let run = try CLI.run(["check", forklift, "--audit", exportedPath.path, "--out", checked.path, "--quiet", "--no-images"])
        XCTAssertEqual(run.status, 1, run.stderr)
        let report = try String(contentsOf: checked.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("images sampled, 1 mislabeled"), report)
    }

    func testGalleryAndReportRunTheirScriptsWithoutConsoleErrors() throws {
        let forklift = CLI.repoRoot.appendingPathComponent("samples/yolo_forklift").path
        let out = CLI.tempDir()
        XCTAssertEqual(try CLI.run(["sample", forklift, "--out", out.path, "--quiet"]).status, 0)
        XCTAssertEqual(try CLI.run(["check", forklift, "--out", out.path, "--quiet"]).status, 1)

        for page in ["gallery.html", "report.html"] {
            let html = try String(contentsOf: out.appendingPathComponent(page), encoding: .utf8)
            let cards = AuditSampleTests.count("<article class=\"card\"", in: html)
            let boxes = AuditSampleTests.count("class=\"box label", in: html)
            let loaded = try load(out.appendingPathComponent(page))
            XCTAssertTrue(loaded.dom.contains("data-qc-ready=\"true\""), "\(page): the script did not finish\n\(loaded.console)")
            XCTAssertEqual(attribute("data-qc-cards", in: loaded.dom), cards, page)
            XCTAssertEqual(attribute("data-qc-boxes", in: loaded.dom), boxes, page)
            XCTAssertGreaterThan(cards, 0, page)
            XCTAssertEqual(loaded.console, [], "\(page): console output")
            XCTAssertTrue(loaded.dom.contains("reviewed"), "\(page): the counter was filled in")
            if let dir = ProcessInfo.processInfo.environment["QCPASS_SCREENSHOT_DIR"] {
                let shot = "\(dir)/\(page.replacingOccurrences(of: ".html", with: ".png"))"
                _ = try load(out.appendingPathComponent(page), screenshot: shot)
                XCTAssertTrue(FileManager.default.fileExists(atPath: shot), shot)
            }
        }
    }
}
