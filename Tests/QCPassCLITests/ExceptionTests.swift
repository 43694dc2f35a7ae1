import Foundation
import XCTest

/// Documented exceptions (DESIGN.md): scoped by check, kind and class; shown with their
/// reason in every output; an expired one no longer applies and warns.
final class ExceptionTests: XCTestCase {
    func makeImbalanced(_ name: String = #function) throws -> YOLOFixture {
        let f = YOLOFixture(name)
        for i in 0..<12 {
            try f.image("images/train/a\(i).png")
            // forklift ×3 per image, person ×1, pallet only on two images: imbalanced.
            var lines = "0 0.2 0.2 0.1 0.1\n0 0.5 0.5 0.1 0.1\n0 0.8 0.8 0.1 0.1\n1 0.3 0.7 0.1 0.1\n"
            if i < 2 { lines += "2 0.7 0.3 0.1 0.1\n" }
            try f.label("labels/train/a\(i).txt", lines)
        }
        try f.yaml(splits: ["train"])
        return f
    }

    func config(expires: String) -> String {
        """
        return {
          params = { class_balance = { min_images = 1, min_instances = 1, min_instances_error = 1 } },
          exceptions = { class_balance = { reason = "pallet rare on purpose; collecting next round",
                                           kinds = { "dominant_class" }, classes = { "forklift" }, expires = "\(expires)" } },
        }
        """
    }

    func testExceptionTurnsFailIntoExceptionWithItsReason() throws {
        let f = try makeImbalanced()
        let out = CLI.tempDir()
        try f.write("qcpass.lua", "return { params = { class_balance = { min_images = 1, min_instances = 1, min_instances_error = 1 } } }\n")
        try CLI.run(["check", f.root.path, "--out", out.path, "--quiet"])
        XCTAssertEqual(try CLI.findings(in: out).status("class_balance"), "fail", "18:1 forklift:pallet fails without the exception")

        try f.write("qcpass.lua", config(expires: "2999-01-01"))
        let run = try CLI.run(["check", f.root.path, "--out", out.path, "--quiet"])
        let json = try CLI.findings(in: out)
        XCTAssertEqual(json.status("class_balance"), "exception")
        XCTAssertEqual(json.check("class_balance")?["exception"] as? String, "pallet rare on purpose; collecting next round")
        XCTAssertEqual(json.findings(kind: "dominant_class").first?["exception"] as? String, "pallet rare on purpose; collecting next round")
        XCTAssertEqual(run.status, 0, "an exception does not block readiness: \(run.stderr)")
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("exception: pallet rare on purpose"), report)
    }

    func testExpiredExceptionNoLongerAppliesAndWarns() throws {
        let f = try makeImbalanced()
        try f.write("qcpass.lua", config(expires: "2001-01-01"))
        let out = CLI.tempDir()
        let run = try CLI.run(["check", f.root.path, "--out", out.path, "--quiet"])
        let json = try CLI.findings(in: out)
        XCTAssertEqual(json.status("class_balance"), "fail")
        XCTAssertEqual(json.findings(kind: "expired_exception").count, 1)
        XCTAssertNil(json.findings(kind: "dominant_class").first?["exception"])
        XCTAssertEqual(run.status, 1)
    }
}
