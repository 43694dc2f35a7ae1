import Foundation
import XCTest
@testable import QCCore

/// Inputs a broken export, a scraper or a hand edit produces, beyond those the loader
/// tests already cover (truncated and corrupt images, absurd sizes, symlink loops,
/// non-UTF-8 names, 200k-deep COCO JSON, missing images and categories): each one gives
/// a finding or an error naming the file, never a crash or a hang. Also replays the
/// fuzz corpus, and every input the fuzzer once crashed on, through every parser.
final class HostileInputTests: XCTestCase {
    static let corpusRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz-corpus")

    private func load(_ path: String) throws(LoadError) -> Dataset {
        var options = LoadOptions()
        options.jobs = 2
        return try DatasetLoader.load(path, options: options)
    }

    private func loadError(_ path: String) -> String? {
        do { _ = try load(path); return nil } catch { return error.message }
    }

    // MARK: The fuzz corpus and its regressions

    func testEveryParserSurvivesItsCorpusAndPastCrashes() throws {
        let scratch = NSTemporaryDirectory() + "qcpass-hostile-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let entries = try ParserEntryPoints(scratch: scratch)
        var replayed = 0
        for target in ParserEntryPoints.targets {
            for folder in ["\(target)", "regressions/\(target)"] {
                let directory = Self.corpusRoot.appendingPathComponent(folder).path
                let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                if folder == target { XCTAssertFalse(names.isEmpty, "no seed corpus for \(target)") }
                for name in names.sorted() {
                    let bytes = try XCTUnwrap(FileManager.default.contents(atPath: "\(directory)/\(name)"))
                    entries.run(target, Array(bytes))
                    replayed += 1
                }
            }
        }
        XCTAssertGreaterThan(replayed, 50)
    }

    // MARK: Regressions of inputs the fuzzer found

    /// `"width": 1e23` is valid JSON; converting it to pixels trapped.
    func testCOCOSizeBeyondAnyIntegerIsAMismatchNotATrap() throws {
        let folder = FixtureFolder()
        folder.write("images/a.jpg", FixtureImages.jpeg(width: 4, height: 3))
        folder.write("annotations/instances_train.json", text: """
            {"images": [{"id": 1, "file_name": "a.jpg", "width": 1e23, "height": 3}],
             "categories": [{"id": 1, "name": "x"}], "annotations": []}
            """)
        let dataset = try load(folder.path)
        let mismatch = dataset.issues(kind: "invalid_annotation").map(\.message)
        XCTAssertEqual(mismatch.count, 1, "\(mismatch)")
        XCTAssertTrue(mismatch.first?.contains("but the image is 4×3") ?? false, "\(mismatch)")
        var options = LoadOptions()
        options.readHeaders = false
        let trusted = try DatasetLoader.load(folder.path, options: options)
        XCTAssertEqual(trusted.images.first?.width, Int32.max)
        XCTAssertEqual(trusted.images.first?.height, 3)
    }

    // MARK: Zero-byte files of every kind

    func testZeroByteFilesOfEveryKind() throws {
        let folder = FixtureFolder()
        folder.write("data.yaml", [])
        let emptyYaml = loadError(folder.url("data.yaml")) ?? "loaded"
        XCTAssertTrue(emptyYaml.hasPrefix(folder.url("data.yaml") + ": "), emptyYaml)

        folder.write("data.yaml", text: "train: images\nnames: [a]\n")
        folder.image("images/a.jpg", width: 20, height: 10, label: "")
        folder.write("images/b.jpg", [])
        folder.write("metadata.csv", [])
        let dataset = try load(folder.path)
        XCTAssertEqual(dataset.images.count, 2)
        XCTAssertEqual(dataset.boxes.count, 0, "an empty label file is a background image")
        let unreadable = dataset.issues(kind: "unreadable_image")
        XCTAssertEqual(unreadable.map(\.image), ["images/b.jpg"])
        XCTAssertTrue(unreadable.first?.message.contains("empty") ?? false, unreadable.first?.message ?? "")
        let metadata = dataset.issues.filter { $0.ref == "metadata.csv" }
        XCTAssertEqual(metadata.map(\.message), ["metadata file is empty"])

        folder.write("predictions.json", [])
        var withPredictions = dataset
        do {
            try PredictionsLoader.attach(folder.url("predictions.json"), to: &withPredictions)
            XCTFail("an empty predictions file loaded")
        } catch {
            XCTAssertTrue(error.message.hasPrefix(folder.url("predictions.json") + ": "), error.message)
        }
        XCTAssertThrowsError(try AuditSheetReader.parse([], name: "audit.csv")) { error in
            XCTAssertTrue("\(error)".hasPrefix("audit.csv: "), "\(error)")
        }
    }

    // MARK: data.yaml

    func testDuplicateKeysInDataYamlAreAnErrorNamingFileAndLine() {
        let folder = FixtureFolder()
        folder.image("images/a.jpg", label: "0 0.5 0.5 0.1 0.1\n")
        folder.write("data.yaml", text: "train: images\nnames: [a, b]\nval: images\nnames: [c]\n")
        let message = loadError(folder.url("data.yaml")) ?? "loaded"
        XCTAssertTrue(message.hasPrefix(folder.url("data.yaml") + ":"), message)
        XCTAssertTrue(message.contains("names"), message)
        XCTAssertTrue(message.contains("more than once") || message.lowercased().contains("duplicate"), message)
        XCTAssertFalse(message.contains("\n"), "one line: \(message)")
    }

    func testDataYamlWithBOMAndCRLFLoads() throws {
        let folder = FixtureFolder()
        folder.image("images/a.jpg", label: "0 0.5 0.5 0.1 0.1\r\n1 0.5 0.5 0.2 0.2\r\n")
        folder.write("data.yaml", [0xEF, 0xBB, 0xBF] + Array("path: .\r\ntrain: images\r\nnames:\r\n  0: a\r\n  1: b\r\n".utf8))
        let dataset = try load(folder.url("data.yaml"))
        XCTAssertEqual(dataset.classNames, [0: "a", 1: "b"])
        XCTAssertEqual(dataset.boxes.count, 2)
        XCTAssertTrue(dataset.issues.isEmpty, "\(dataset.issues.map(\.message))")
    }

    func testDeeplyNestedDataYamlIsAnErrorNotAStackOverflow() {
        let folder = FixtureFolder()
        folder.image("images/a.jpg")
        for nested in [String(repeating: "[", count: 200_000), String(repeating: "{a: ", count: 100_000),
                       (0..<3000).map { String(repeating: " ", count: $0) + "- x:\n" }.joined()] {
            folder.write("data.yaml", text: "train: images\nnames: " + nested + "\n")
            let message = loadError(folder.url("data.yaml")) ?? "loaded"
            XCTAssertTrue(message.hasPrefix(folder.url("data.yaml") + ":"), String(message.prefix(300)))
            XCTAssertLessThan(message.count, 500)
        }
    }


    /// Found by the fuzzer: `nc: 2147483648` without names generated two billion class names.
    func testAbsurdClassCountsAreAnErrorNamingTheLine() throws {
        let folder = FixtureFolder()
        folder.image("images/a.jpg", label: "0 0.5 0.5 0.1 0.1\n")
        folder.write("data.yaml", text: "train: images\nnc: 2147483648\n")
        let dataset = try load(folder.url("data.yaml"))
        XCTAssertTrue(dataset.classNames.isEmpty)
        let nc = dataset.issues(kind: "invalid_label").map { "\($0.ref ?? "") \($0.message)" }
        XCTAssertEqual(nc.count, 1, "\(nc)")
        XCTAssertTrue(nc.first?.contains("data.yaml:2 nc is 2147483648") ?? false, "\(nc)")

        folder.write("data.yaml", text: "train: images\nnames:\n  0: a\n  4000000000: b\n")
        let names = try load(folder.url("data.yaml"))
        XCTAssertEqual(names.classNames, [0: "a"])
        let key = names.issues(kind: "invalid_label").map(\.message)
        XCTAssertEqual(key.count, 1, "\(key)")
        XCTAssertTrue(key.first?.contains("names key 4000000000 is outside") ?? false, "\(key)")
    }
    // MARK: Invalid UTF-8

    func testInvalidUTF8InEveryTextInput() throws {
        let folder = FixtureFolder()
        let bad: [UInt8] = [0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80]
        folder.write("data.yaml", Array("train: images\nnames: [".utf8) + bad + Array(", b]\n".utf8))
        folder.image("images/a.jpg", width: 100, height: 100, label: nil)
        folder.write("labels/a.txt", Array("0 0.5 0.5 0.1 0.1\n".utf8) + bad + Array(" 0.5 0.5 0.1 0.1\n".utf8))
        folder.write("metadata.csv", Array("image,scene\nimages/a.jpg,".utf8) + bad + [0x0A])
        let dataset = try load(folder.path)
        XCTAssertEqual(dataset.classNames.count, 2)
        XCTAssertEqual(dataset.boxes.count, 1)
        let invalid = dataset.issues(kind: "invalid_label")
        XCTAssertEqual(invalid.map(\.ref), ["labels/a.txt:2"])
        XCTAssertTrue(invalid.first?.message.contains("not a number") ?? false, invalid.first?.message ?? "")
        XCTAssertNotNil(dataset.metadata.rows.first?["scene"])

        // In COCO JSON, strings must be UTF-8: the file is refused, named.
        folder.write("coco/annotations/instances_train.json",
                     Array(#"{"images": [{"id": 1, "file_name": ""#.utf8) + bad + Array(#""}], "annotations": [], "categories": []}"#.utf8))
        folder.mkdir("coco/images/train")
        let message = loadError(folder.url("coco")) ?? "loaded"
        XCTAssertTrue(message.hasPrefix(folder.url("coco/annotations/instances_train.json") + ": not valid JSON"), message)
        XCTAssertTrue(message.contains("UTF-8") || message.contains("UTF8") || message.contains("utf8"), message)

        XCTAssertNoThrow(try AuditSheetReader.parse(Array("image,verdict\n".utf8) + bad + Array(",ok\n".utf8), name: "audit.csv"))
    }

    // MARK: Large inputs: capped findings, bounded work

    func testLargeLabelFileFindingsAreCappedAndCounted() throws {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: "train: images\nnames: [a]\n")
        folder.image("images/a.jpg", width: 64, height: 64)
        var text: [UInt8] = []
        let lines = 400_000
        text.reserveCapacity(lines * 20)
        for i in 0..<lines { text += Array((i % 100 == 0 ? "0 0.5 0.5 0.1 0.1\n" : "not a label line\n").utf8) }
        folder.write("labels/a.txt", text)
        let dataset = try load(folder.path)
        XCTAssertEqual(dataset.boxes.count, lines / 100)
        let invalid = dataset.issues(kind: "invalid_label")
        XCTAssertEqual(invalid.count, LoadOptions().maxFindingsPerFile + 1)
        XCTAssertEqual(invalid.last?.message,
                       "\(lines - lines / 100 - LoadOptions().maxFindingsPerFile) more invalid lines in this file not listed (only the first ones are)")
    }
}
