import Foundation
import QCCore
@testable import QCLua
import XCTest

/// The label rules of the default pack (missing_labels, wrong_classes, box_fit,
/// split_leakage) and the documented edge-case rule, run through the pipeline on the
/// samples and on generated datasets whose every error is known.
final class LabelRuleTests: XCTestCase {
    static let repoRoot = RuleExampleTests.repoRoot
    static var rulesDir: String { repoRoot.appendingPathComponent("rules").path }

    func run(_ dataset: String, only: Set<String>, config: String? = nil, predictions: String? = nil) throws -> CheckPipeline.Result {
        var request = CheckPipeline.Request(datasetPath: dataset)
        request.defaultRuleDirectory = Self.rulesDir
        request.engine.only = only
        request.configPath = config
        request.predictionsPath = predictions
        return try CheckPipeline.run(request)
    }

    func sample(_ name: String) -> String { Self.repoRoot.appendingPathComponent("samples/\(name)").path }

    // MARK: - split_leakage on the samples

    func testSceneLeakOnYoloForklift() throws {
        let r = try run(sample("yolo_forklift"), only: ["split_leakage"])
        let leaks = r.outcome.findings.filter { $0.kind == "group_leak" }
        XCTAssertEqual(leaks.count, 1)
        let leak = try XCTUnwrap(leaks.first)
        XCTAssertTrue(leak.message.contains("scene dock_b"), leak.message)
        XCTAssertEqual(leak.relatedCount, 7)
        XCTAssertEqual(Set(leak.related), Set((["aa", "ab", "ac", "ad"].map { "images/train/dock_b_\($0).jpg" })
                                               + ["ae", "af", "ag"].map { "images/val/dock_b_\($0).jpg" }))
        XCTAssertEqual(leak.split, "val", "the finding points at an image of the minority split")
        XCTAssertEqual(leak.severity, .error)
        let check = try XCTUnwrap(r.outcome.checks.first { $0.id == "split_leakage" })
        XCTAssertEqual(check.status, .fail)
        // dock_b's 3 val pictures, plus a val background that is a byte copy of a train one
        XCTAssertTrue(check.message.contains("4 of 15 val images (26.7%)"), check.message)
        XCTAssertEqual(check.metrics["splits"]?["val"]?["leaked"], .int(4))
        XCTAssertEqual(check.metrics["splits"]?["val"]?["leaked_by_duplicate_only"], .int(1))
        let copies = r.outcome.findings.filter { $0.kind == "cross_split_duplicate" }
        XCTAssertEqual(copies.map(\.image), ["images/val/aisle_e_ac.jpg"])
        XCTAssertEqual(copies.first?.related, ["images/train/aisle_s_ac.jpg"])
    }

    func testDefaultGroupKeyFallsBackToFrameRunsWithoutMetadata() throws {
        // yolo_forklift without its metadata.csv: only the frame-number fallback is left.
        let dir = try temporaryDirectory(self)
        let copy = "\(dir)/yolo_forklift"
        try FileManager.default.copyItem(atPath: sample("yolo_forklift"), toPath: copy)
        try FileManager.default.removeItem(atPath: "\(copy)/metadata.csv")
        let r = try run(copy, only: ["split_leakage"])
        let groups = Dictionary(grouping: zip(r.dataset.images.map(\.path), r.outcome.groupKeys).compactMap { p, k in k.map { ($0, p) } },
                                by: \.0).mapValues { $0.map(\.1).sorted() }
        XCTAssertEqual(groups.count, 1, "\(groups)")
        XCTAssertEqual(groups.values.first, (101...104).map { "images/train/cam1_000\($0).jpg" })
        XCTAssertNil(r.outcome.groupKeys[r.dataset.images.firstIndex { $0.path.hasSuffix("IMG_0042.jpg") }!],
                     "IMG_0042 and IMG_0044 are not consecutive: no group")
        XCTAssertTrue(r.outcome.findings.filter { $0.kind == "group_leak" }.isEmpty)
    }

    func testProjectGroupKeyDrivesLeakage() throws {
        let dir = try temporaryDirectory(self)
        let config = "\(dir)/qcpass.lua"
        try "return { group_key = function(img) return img.meta.camera end }\n".write(toFile: config, atomically: true, encoding: .utf8)
        let r = try run(sample("clean_yolo"), only: ["split_leakage"], config: config)
        // clean_yolo's cameras: one per scene, so still no leak — but every image has a key.
        XCTAssertTrue(r.outcome.groupKeys.allSatisfy { $0 != nil })
        XCTAssertEqual(r.outcome.checks.first { $0.id == "split_leakage" }?.status, .pass)
    }

    // MARK: - without predictions: recall 1.0 on planted errors, silence on clean data

    func testWithoutPredictionsFindsEveryPlantedErrorAndNothingOnCleanData() throws {
        let dir = try temporaryDirectory(self)
        let clean = try SyntheticYOLO.make(in: "\(dir)/clean", seed: 7)
        let labelChecks: Set<String> = ["missing_labels", "wrong_classes", "box_fit", "split_leakage"]
        // The generator copies a few template pictures: their pixel duplicates across splits
        // are real but not what this test is about.
        let config = "\(dir)/qcpass.lua"
        try "return { disabled = { \"cross_split_duplicate\" } }\n".write(toFile: config, atomically: true, encoding: .utf8)
        let r0 = try run(clean.root, only: labelChecks, config: config)
        XCTAssertEqual(r0.outcome.findings.map { "\($0.kind) \($0.image ?? "") \($0.message)" }, [], "no finding on clean labels")
        for check in r0.outcome.checks where labelChecks.contains(check.id) {
            XCTAssertEqual(check.status, .pass, "\(check.id): \(check.message)")
        }

        let planted = try SyntheticYOLO.make(in: "\(dir)/planted", seed: 7, plant: 6)
        let r1 = try run(planted.root, only: labelChecks, config: config)
        func refs(_ kind: String) -> Set<String> { Set(r1.outcome.findings.filter { $0.kind == kind }.compactMap { $0.box?.ref }) }
        XCTAssertEqual(refs("unknown_class"), planted.planted["unknown_class"])
        XCTAssertEqual(refs("bad_box"), planted.planted["out_of_bounds"]!.union(planted.planted["degenerate"]!))
        XCTAssertEqual(refs("duplicate_box"), planted.planted["duplicate"])
        let others = r1.outcome.findings.filter { !["unknown_class", "bad_box", "duplicate_box"].contains($0.kind) }
        XCTAssertEqual(others.map { "\($0.kind) \($0.image ?? "") \($0.message)" }, [])
        XCTAssertEqual(r1.outcome.findings.count, 24, "one finding per planted error")
        XCTAssertEqual(r1.outcome.checks.first { $0.id == "wrong_classes" }?.status, .fail)
        XCTAssertEqual(r1.outcome.checks.first { $0.id == "box_fit" }?.status, .fail)
    }

    func testCandidateListsAreLimitedToTheClearestWithTotals() throws {
        let dir = try temporaryDirectory(self)
        let planted = try SyntheticYOLO.make(in: "\(dir)/planted", seed: 7, plant: 6)
        try FileManager.default.createDirectory(atPath: "\(dir)/pack", withIntermediateDirectories: true)
        try """
        return { id = "limited", title = "t", description = "d", run = function(ds, p, emit)
          local all = qc.box_issues {}
          local two = qc.box_issues { limit = 2 }
          return { metrics = { all = #all.out_of_bounds, two = #two.out_of_bounds, total = two.totals.out_of_bounds,
                               first = two.out_of_bounds[1].image < two.out_of_bounds[2].image } }
        end }
        """.write(toFile: "\(dir)/pack/limited.lua", atomically: true, encoding: .utf8)
        var request = CheckPipeline.Request(datasetPath: planted.root)
        request.defaultRuleDirectory = Self.rulesDir
        request.extraRuleDirectories = ["\(dir)/pack"]
        request.engine.only = ["limited"]
        let check = try XCTUnwrap(try CheckPipeline.run(request).outcome.checks.first { $0.id == "limited" })
        XCTAssertEqual(check.metrics["all"], .int(6), check.message)
        XCTAssertEqual(check.metrics["two"], .int(2))
        XCTAssertEqual(check.metrics["total"], .int(6))
        XCTAssertEqual(check.metrics["first"], .bool(true), "kept in dataset order")
    }

    // MARK: - edge cases

    func testEdgeCaseRuleExamplesHold() throws {
        let dir = Self.repoRoot.appendingPathComponent("samples/edge_cases/rules").path
        let pack = try RulePack.load(directories: [dir])
        let definitions = try RuleCatalog.definitions(pack: pack)
        XCTAssertEqual(definitions.map(\.id), ["forklift_person"])
        var ran = 0
        for rule in definitions {
            for example in rule.examples {
                let r = try run(sample(String(example.dataset.dropFirst("samples/".count))), only: [rule.id],
                                config: example.config.map { Self.repoRoot.appendingPathComponent($0).path })
                let check = try XCTUnwrap(r.outcome.checks.first { $0.id == rule.id })
                XCTAssertEqual(check.status.rawValue, example.expect["status"]?.asString, check.message)
                if let n = example.expect["findings"]?.asInt {
                    XCTAssertEqual(r.outcome.findings.filter { $0.check == rule.id }.count, Int(n))
                }
                ran += 1
            }
        }
        XCTAssertEqual(ran, 2)
    }

    func testBoxPairsBindingRejectsUnknownClassNames() throws {
        let dir = try temporaryDirectory(self)
        let rule = """
        return { id = "pairs_typo", title = "t", description = "d",
          run = function(ds, p, emit) qc.box_pairs { a = "forklfit", b = "person" } end }
        """
        try FileManager.default.createDirectory(atPath: "\(dir)/pack", withIntermediateDirectories: true)
        try rule.write(toFile: "\(dir)/pack/pairs_typo.lua", atomically: true, encoding: .utf8)
        var request = CheckPipeline.Request(datasetPath: sample("clean_yolo"))
        request.defaultRuleDirectory = Self.rulesDir
        request.extraRuleDirectories = ["\(dir)/pack"]
        request.engine.only = ["pairs_typo"]
        let r = try CheckPipeline.run(request)
        let check = try XCTUnwrap(r.outcome.checks.first { $0.id == "pairs_typo" })
        XCTAssertEqual(check.status, .error)
        XCTAssertTrue(check.message.contains("no class named 'forklfit'"), check.message)
    }
}

/// A YOLO dataset with clean, well-separated labels of four classes that each have
/// their own size and aspect (so geometry profiles are meaningful), optionally with
/// errors planted at known lines. Images are header-only JPEGs: only sizes are read.
enum SyntheticYOLO {
    struct Made {
        var root: String
        /// kind → refs (`labels/train/x.txt:3`) of the planted errors.
        var planted: [String: Set<String>]
    }

    /// Deterministic (SplitMix64), so the test's expectations are exact.
    struct RNG {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func normal() -> Double {
            let u = max(1e-12, uniform()), v = uniform()
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
    }

    static func jpegHeader(width: Int, height: Int) -> [UInt8] {
        [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, UInt8(height >> 8), UInt8(height & 0xFF),
         UInt8(width >> 8), UInt8(width & 0xFF), 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9]
    }

    /// 240 images (train 190 / val 50), ~4 boxes each; `plant` errors of each kind:
    /// unknown class id, out of bounds (30 px past the right edge), degenerate (zero
    /// width), duplicate (a line repeated with a 1 px shift).
    static func make(in root: String, seed: UInt64, plant: Int = 0) throws -> Made {
        let fm = FileManager.default
        // name, size (share of √(W·H)), aspect w/h
        let classes: [(String, Double, Double)] = [("person", 0.17, 0.42), ("car", 0.15, 1.7), ("sign", 0.05, 1.0), ("bench", 0.12, 2.4)]
        var rng = RNG(state: seed)
        var files: [(path: String, split: String, w: Int, h: Int, lines: [String])] = []
        for i in 0..<240 {
            let split = i % 24 < 19 ? "train" : "val"
            let (w, h) = i % 3 == 0 ? (480, 640) : (640, 480)
            var boxes: [[Double]] = []
            var lines: [String] = []
            let count = 1 + Int(rng.uniform() * 7)
            for _ in 0..<count {
                let c = Int(rng.uniform() * 4)
                let (_, size, aspect) = classes[c]
                for _ in 0..<20 {
                    let s = size * exp(0.35 * rng.normal()) * Double(w * h).squareRoot()
                    let a = aspect * exp(0.12 * rng.normal())
                    let bw = min(max(s * a.squareRoot(), 6), 0.9 * Double(w)), bh = min(max(s / a.squareRoot(), 6), 0.9 * Double(h))
                    let x = 5 + rng.uniform() * (Double(w) - bw - 10), y = 5 + rng.uniform() * (Double(h) - bh - 10)
                    let b = [x, y, x + bw, y + bh]
                    if boxes.allSatisfy({ BoxGeometry.iou(.init(x1: $0[0], y1: $0[1], x2: $0[2], y2: $0[3]), .init(x1: b[0], y1: b[1], x2: b[2], y2: b[3])) < 0.2 }) {
                        boxes.append(b)
                        lines.append(String(format: "%d %.6f %.6f %.6f %.6f", c, (b[0] + b[2]) / 2 / Double(w), (b[1] + b[3]) / 2 / Double(h), bw / Double(w), bh / Double(h)))
                        break
                    }
                }
            }
            files.append(("scene\(Character(UnicodeScalar(97 + i % 26)!))_\(i)x", split, w, h, lines))
        }
        var planted: [String: Set<String>] = [:]
        if plant > 0 {
            let kinds = ["unknown_class", "out_of_bounds", "degenerate", "duplicate"]
            var k = 0
            for (f, file) in files.enumerated() where !file.lines.isEmpty && k < plant * kinds.count {
                let kind = kinds[k % kinds.count]
                var parts = file.lines[0].split(separator: " ").map(String.init)
                var lines = file.lines
                let ref = "labels/\(file.split)/\(file.path).txt"
                switch kind {
                case "unknown_class":
                    parts[0] = "9"; lines[0] = parts.joined(separator: " ")
                    planted[kind, default: []].insert("\(ref):1")
                case "out_of_bounds":
                    let bw = Double(parts[3])!
                    parts[1] = String(format: "%.6f", 1 - bw / 2 + 30 / Double(file.w)); lines[0] = parts.joined(separator: " ")
                    planted[kind, default: []].insert("\(ref):1")
                case "degenerate":
                    parts[3] = "0"; lines[0] = parts.joined(separator: " ")
                    planted[kind, default: []].insert("\(ref):1")
                default:
                    parts[1] = String(format: "%.6f", Double(parts[1])! + 1 / Double(file.w))
                    lines.append(parts.joined(separator: " "))
                    planted[kind, default: []].insert("\(ref):\(lines.count)")
                }
                files[f].lines = lines
                k += 1
            }
        }
        for file in files {
            for sub in ["images", "labels"] { try fm.createDirectory(atPath: "\(root)/\(sub)/\(file.split)", withIntermediateDirectories: true) }
            try Data(jpegHeader(width: file.w, height: file.h)).write(to: URL(fileURLWithPath: "\(root)/images/\(file.split)/\(file.path).jpg"))
            if !file.lines.isEmpty {
                try (file.lines.joined(separator: "\n") + "\n").write(toFile: "\(root)/labels/\(file.split)/\(file.path).txt", atomically: true, encoding: .utf8)
            }
        }
        try "path: .\ntrain: images/train\nval: images/val\nnames: [person, car, sign, bench]\n"
            .write(toFile: "\(root)/data.yaml", atomically: true, encoding: .utf8)
        return Made(root: "\(root)/data.yaml", planted: planted)
    }
}
