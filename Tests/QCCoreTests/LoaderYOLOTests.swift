import Foundation
import XCTest
@testable import QCCore

final class LoaderYOLOTests: XCTestCase {
    private func load(_ path: String, _ configure: (inout LoadOptions) -> Void = { _ in }) throws -> Dataset {
        var options = LoadOptions()
        options.jobs = 2
        configure(&options)
        do {
            return try DatasetLoader.load(path, options: options)
        } catch {
            XCTFail("load failed: \(error.message)")
            throw error
        }
    }

    private func loadError(_ path: String, _ configure: (inout LoadOptions) -> Void = { _ in }) -> String? {
        var options = LoadOptions()
        configure(&options)
        do {
            _ = try DatasetLoader.load(path, options: options)
            return nil
        } catch {
            return error.message
        }
    }

    private func standardSet() -> FixtureFolder {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: """
            path: .
            train: images/train
            val: images/val
            names: [cat, dog]
            """)
        folder.image("images/train/a.jpg", width: 640, height: 480, label: "0 0.5 0.5 0.25 0.5\n1 0.25 0.25 0.1 0.1\n")
        folder.image("images/train/b.jpg", width: 100, height: 200, label: "")   // empty label: background
        folder.image("images/train/sub/c.jpg", width: 10, height: 10)             // no label: background
        folder.image("images/val/d.jpg", width: 50, height: 50, label: "1 0.5 0.5 1 1\n")
        return folder
    }

    func testFolderSplitsPixelsAndBackgrounds() throws {
        let folder = standardSet()
        let dataset = try load(folder.path)
        XCTAssertEqual(dataset.format, .yolo)
        XCTAssertEqual(dataset.splits, ["train", "val"])
        XCTAssertEqual(dataset.classNames, [0: "cat", 1: "dog"])
        XCTAssertEqual(dataset.images.map(\.path), ["images/train/a.jpg", "images/train/b.jpg", "images/train/sub/c.jpg", "images/val/d.jpg"])
        XCTAssertEqual(dataset.images.map(\.split), [0, 0, 0, 1])
        XCTAssertEqual(dataset.root, folder.path)
        XCTAssertEqual(dataset.source, folder.path + "/data.yaml")
        XCTAssertTrue(dataset.issues.isEmpty, "\(dataset.issues)")

        let a = try XCTUnwrap(dataset.image(named: "images/train/a.jpg"))
        XCTAssertEqual(a.labelPath, "labels/train/a.txt")
        XCTAssertEqual([a.width, a.height], [640, 480])
        XCTAssertEqual(a.absolutePath, folder.path + "/images/train/a.jpg")
        XCTAssertNil(a.rawAbsolutePath)
        XCTAssertGreaterThan(a.fileSize, 0)
        let boxes = Array(dataset.boxes(of: a))
        XCTAssertEqual(boxes, [
            BoxLabel(classId: 0, x1: 240, y1: 120, x2: 400, y2: 360, line: 1),
            BoxLabel(classId: 1, x1: 128, y1: 96, x2: 192, y2: 144, line: 2),
        ])
        XCTAssertEqual(dataset.place(of: boxes[1], in: a), "labels/train/a.txt:2")
        XCTAssertEqual(dataset.image(named: "images/train/b.jpg")?.boxCount, 0)
        XCTAssertEqual(dataset.image(named: "images/train/sub/c.jpg")?.labelPath, "labels/train/sub/c.txt")
        XCTAssertEqual(dataset.image(named: "images/train/sub/c.jpg")?.boxCount, 0)
        XCTAssertEqual(Array(dataset.boxes(of: dataset.images[3])), [BoxLabel(classId: 1, x1: 0, y1: 0, x2: 50, y2: 50, line: 1)])
    }

    func testLoadingTheYamlDirectlyAndASingleOtherYamlInTheFolder() throws {
        let folder = standardSet()
        XCTAssertEqual(try load(folder.url("data.yaml")).images.count, 4)
        try FileManager.default.moveItem(atPath: folder.url("data.yaml"), toPath: folder.url("coco8.yaml"))
        XCTAssertEqual(try load(folder.path).images.count, 4)
        folder.write("other.yml", text: "train: images/train\nnames: [a]\n")
        XCTAssertTrue(loadError(folder.path)?.contains("several YAML files") ?? false)
    }

    func testNamesMapNcMismatchAndKptShape() throws {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: "train: images/train\nnc: 3\nnames:\n  0: person\n  2: car\n")
        folder.image("images/train/a.jpg", label: "2 0.5 0.5 0.1 0.1\n")
        let dataset = try load(folder.path)
        XCTAssertEqual(dataset.classNames, [0: "person", 2: "car"])
        let mismatch = dataset.issues(kind: "invalid_label")
        XCTAssertEqual(mismatch.map(\.ref), ["data.yaml:2"])
        XCTAssertEqual(mismatch.first?.message, "nc is 3 but names has 2 entries")

        folder.write("data.yaml", text: "train: images/train\nnc: 2\n")
        XCTAssertEqual(try load(folder.path).classNames, [0: "class_0", 1: "class_1"])
    }

    func testTxtListsListsOfBothAndPathForms() throws {
        let folder = FixtureFolder()
        folder.image("data/images/a.jpg", label: "0 0.5 0.5 0.2 0.2\n")
        folder.image("data/images/b.jpg")
        folder.image("data/extra/images/c.jpg", label: "0 0.1 0.1 0.1 0.1\n")
        folder.image("data/more/d.png")
        folder.write("data/more/d.png", FixtureImages.png(width: 30, height: 20))
        folder.write("data/train.txt", text: "\u{FEFF}./images/a.jpg\r\nimages/b.jpg\r\n\r\n  \(folder.url("data/more/d.png"))  \r\n")
        // The yaml lives in configs/, the data elsewhere: path is relative to the yaml.
        folder.write("configs/data.yaml", text: """
            path: ../data
            train: train.txt
            val: [extra/images, train.txt]
            names: {0: thing}
            """)
        let dataset = try load(folder.url("configs/data.yaml"))
        XCTAssertEqual(dataset.root, folder.url("data"))
        XCTAssertEqual(dataset.name, "configs")
        XCTAssertEqual(dataset.images.filter { $0.split == 0 }.map(\.path), ["images/a.jpg", "images/b.jpg", "more/d.png"])
        XCTAssertEqual(dataset.images.filter { $0.split == 1 }.map(\.path), ["extra/images/c.jpg", "images/a.jpg", "images/b.jpg", "more/d.png"])
        XCTAssertEqual(dataset.image(named: "more/d.png")?.width, 30)
        XCTAssertEqual(dataset.image(named: "extra/images/c.jpg")?.labelPath, "extra/labels/c.txt")
        XCTAssertEqual(dataset.image(named: "extra/images/c.jpg")?.boxCount, 1)
        XCTAssertTrue(dataset.issues.isEmpty, "\(dataset.issues.map(\.message))")

        // Absolute path, and a path outside the yaml's folder.
        folder.write("configs/abs.yaml", text: "path: \(folder.url("data"))\ntrain: images\nnames: [thing]\n")
        let absolute = try load(folder.url("configs/abs.yaml"))
        XCTAssertEqual(absolute.images.map(\.path), ["images/a.jpg", "images/b.jpg"])
        XCTAssertEqual(absolute.boxes.count, 1)

        // Missing path = the yaml's folder; images outside the root are absolute.
        folder.write("data/plain.yaml", text: "train: \(folder.url("data/extra/images"))\nval: images\nnames: [thing]\n")
        let plain = try load(folder.url("data/plain.yaml"))
        XCTAssertEqual(plain.root, folder.url("data"))
        XCTAssertEqual(plain.images.map(\.path), ["extra/images/c.jpg", "images/a.jpg", "images/b.jpg"])
        folder.write("configs/outside.yaml", text: "train: \(folder.url("data/images"))\nnames: [thing]\n")
        let outside = try load(folder.url("configs/outside.yaml"))
        XCTAssertEqual(outside.images.first?.path, folder.url("data/images/a.jpg"))
        XCTAssertEqual(outside.images.first?.labelPath, folder.url("data/labels/a.txt"))
    }

    func testRoboflowStyleParentPaths() throws {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: "train: ../train/images\nval: ../valid/images\nnc: 1\nnames: ['box']\n")
        folder.image("train/images/a.jpg", label: "0 0.5 0.5 0.5 0.5\n")
        folder.image("valid/images/b.jpg")
        let dataset = try load(folder.path)
        XCTAssertEqual(dataset.images.map(\.path), ["train/images/a.jpg", "valid/images/b.jpg"])
        XCTAssertEqual(dataset.images.first?.labelPath, "train/labels/a.txt")
        XCTAssertEqual(dataset.boxes.count, 1)
    }

    func testPolygonPoseAndOBBRows() throws {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: "train: images\nnames: [a, b]\n")
        folder.image("images/seg.jpg", width: 100, height: 100, label: "1 0.1 0.2 0.5 0.1 0.4 0.9\n")
        folder.image("images/obb.jpg", width: 200, height: 100, label: "0 0.1 0.1 0.9 0.1 0.9 0.5 0.1 0.5\n")
        var dataset = try load(folder.path)
        XCTAssertEqual(Array(dataset.boxes(of: dataset.image(named: "images/seg.jpg")!)).map { [$0.x1, $0.y1, $0.x2, $0.y2] },
                       [[10, 10, 50, 90]])
        XCTAssertEqual(Array(dataset.boxes(of: dataset.image(named: "images/obb.jpg")!)).map { [$0.x1, $0.y1, $0.x2, $0.y2] },
                       [[20, 10, 180, 50]])

        let pose = FixtureFolder()
        pose.write("data.yaml", text: "train: images\nnames: [person]\nkpt_shape: [2, 3]\n")
        pose.image("images/p.jpg", width: 100, height: 100, label: "0 0.5 0.5 0.2 0.4 0.45 0.4 2 0.55 0.6 1\n0 0.5 0.5 0.2 0.2\n")
        dataset = try load(pose.path)
        XCTAssertEqual(dataset.keypointShape, [2, 3])
        XCTAssertEqual(dataset.boxes.map { [$0.x1, $0.y1, $0.x2, $0.y2] }, [[40, 30, 60, 70]])
        XCTAssertEqual(dataset.issues(kind: "invalid_label").map(\.ref), ["labels/p.txt:2"])
        XCTAssertEqual(dataset.issues.first?.message, "expected 11 values (cls cx cy w h + 2×3 keypoints) for kpt_shape [2, 3]; got 5")
    }

    func testCRLFBOMBlankLinesTabsAndTrailingSpacesAreValid() throws {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: "train: images\nnames: [a, b]\n")
        folder.image("images/x.jpg", width: 100, height: 100,
                     label: "\u{FEFF}0 0.5 0.5 0.2 0.2\r\n\r\n   \r\n1\t0.5\t0.5\t0.4\t0.4   \r\n\n0 0.1 0.1 0.1 0.1 \t")
        let dataset = try load(folder.path)
        XCTAssertTrue(dataset.issues.isEmpty, "\(dataset.issues.map(\.message))")
        XCTAssertEqual(dataset.boxes.map(\.line), [1, 4, 6])
        XCTAssertEqual(dataset.boxes.map(\.classId), [0, 1, 0])
    }

    /// 1,000 hostile lines: exactly one finding per bad line, with its line number; unknown
    /// classes with valid coordinates and slight overhangs stay boxes.
    func testHostileLabelFile() throws {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: "train: images\nnames: [a, b, c]\n")
        var lines: [String] = []
        var bad: [Int: String] = [:]     // line → expected message prefix
        var goodBoxes = 0
        var rng = SplitMix(seed: 7)
        let hostile: [(String, String)] = [
            ("garbage here now", "expected 5 values"),
            ("0 0.5 0.5 0.1", "expected 5 values (cls cx cy w h), a polygon or a pose row; got 4"),
            ("0 0.5 0.5 0.1 0.1 0.9", "expected 5 values (cls cx cy w h), a polygon or a pose row; got 6"),
            ("0 0.5 0.5 0.1 0.1 0.2 0.3 0.4", "expected 5 values"),
            ("0 nan 0.5 0.1 0.1", "field 2 \"nan\" is not a finite number"),
            ("0 0.5 inf 0.1 0.1", "field 3 \"inf\" is not a finite number"),
            ("0 0.5 0.5 -Infinity 0.1", "field 4 \"-Infinity\" is not a finite number"),
            ("0 0.5 0.5 0.1 1e400", "field 5 \"1e400\" is not a finite number"),
            ("0 1e300 0.5 0.1 0.1", "field 2 (x_center) is \"1e300\", far outside 0–1: looks like pixels, not normalised"),
            ("-1 0.5 0.5 0.1 0.1", "class \"-1\" is negative"),
            ("1.5 0.5 0.5 0.1 0.1", "class \"1.5\" is not an integer"),
            ("abc 0.5 0.5 0.1 0.1", "field 1 \"abc\" is not a number"),
            ("0 320 240 50 60", "field 2 (x_center) is \"320\", far outside 0–1: looks like pixels, not normalised"),
            ("0 0.5 0.5 -0.2 0.1", "field 4 (width) is \"-0.2\": a box cannot have a negative size"),
            ("0 0.5 0.5 0.2 -0.1", "field 5 (height) is \"-0.1\": a box cannot have a negative size"),
            ("0,0.5,0.5,0.1,0.1", "expected 5 values"),
            ("0 0.5 0.5 0.1 0.1x", "field 5 \"0.1x\" is not a number"),
            ("0 0x10 0.5 0.1 0.1", "field 2 \"0x10\" is not a number"),
            ("1e400 0.5 0.5 0.1 0.1", "field 1 \"1e400\" is not a finite number"),
            ("0 0.5 0.5 0.1 0.1 0.5 5.0 0.6 0.7", "field 7 is \"5.0\", far outside 0–1"),
            ("\u{0}\u{1}\u{2} 0 0 0 0", "field 1"),
        ]
        let good: [String] = [
            "0 0.5 0.5 0.1 0.1",
            "3.0 0.5 0.5 0.1 0.1",         // integral float class
            "7 0.5 0.5 0.2 0.2",           // unknown class: a box for wrong_classes
            "2 1.02 0.5 0.1 0.1",          // slight overhang: box_fit judges it
            "1 .5 +0.5 5e-1 0.25E0",
            "0 0.5 0.5 0 0",               // degenerate: box_fit judges it
        ]
        for number in 1...1000 {
            if rng.next() % 3 == 0 {
                let (text, message) = hostile[Int(rng.next() % UInt64(hostile.count))]
                lines.append(text)
                bad[number] = message
            } else if rng.next() % 5 == 0 {
                lines.append("")
            } else {
                lines.append(good[Int(rng.next() % UInt64(good.count))])
                goodBoxes += 1
            }
        }
        folder.image("images/h.jpg", width: 200, height: 100, label: lines.joined(separator: "\n"))
        let dataset = try load(folder.path)
        let findings = dataset.issues(kind: "invalid_label")
        XCTAssertEqual(findings.count, bad.count)
        XCTAssertEqual(dataset.issues.count, bad.count)
        XCTAssertEqual(dataset.boxes.count, goodBoxes)
        for finding in findings {
            let line = Int(finding.ref!.split(separator: ":").last!)!
            XCTAssertEqual(finding.ref, "labels/h.txt:\(line)")
            XCTAssertEqual(finding.severity, .error)
            XCTAssertEqual(finding.image, "images/h.jpg")
            XCTAssertEqual(finding.split, "train")
            let expected = try XCTUnwrap(bad[line], "line \(line) was valid: \(lines[line - 1])")
            XCTAssertTrue(finding.message.hasPrefix(expected), "line \(line): \(finding.message) vs \(expected)")
        }
        XCTAssertTrue(dataset.boxes.contains { $0.classId == 7 })
        XCTAssertTrue(dataset.boxes.contains { $0.classId == 3 })
    }

    func testFindingsPerFileAreCapped() throws {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: "train: images\nnames: [a]\n")
        folder.image("images/x.jpg", label: String(repeating: "bad line\n", count: 15))
        let dataset = try load(folder.path) { $0.maxFindingsPerFile = 10 }
        XCTAssertEqual(dataset.issues.count, 11)
        XCTAssertEqual(dataset.issues.last?.message, "5 more invalid lines in this file not listed (only the first ones are)")
        XCTAssertEqual(dataset.issues.last?.ref, "labels/x.txt")
    }

    func testOrphanLabels() throws {
        let folder = standardSet()
        folder.write("labels/train/ghost.txt", text: "0 0.5 0.5 0.1 0.1\n")
        folder.write("labels/train/classes.txt", text: "cat\ndog\n")
        let dataset = try load(folder.path)
        let orphans = dataset.issues(kind: "orphan_label")
        XCTAssertEqual(orphans.map(\.ref), ["labels/train/ghost.txt"])
        XCTAssertEqual(orphans.first?.severity, .warning)
        XCTAssertEqual(orphans.first?.message, "label file has no image: no images/train/ghost.* with an image extension exists")
    }

    func testEXIFOrientationIsAppliedBeforeConvertingBoxes() throws {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: "train: images\nnames: [a]\n")
        folder.image("images/r.jpg", width: 400, height: 200, label: "0 0.5 0.5 0.5 0.5\n",
                     exif: .init(orientation: 6, model: "Phone", dateTimeOriginal: "2024:02:03 04:05:06"))
        let dataset = try load(folder.path)
        let image = dataset.images[0]
        XCTAssertEqual([image.width, image.height], [200, 400])
        XCTAssertEqual(image.orientation, 6)
        XCTAssertEqual(dataset.boxes.map { [$0.x1, $0.y1, $0.x2, $0.y2] }, [[50, 100, 150, 300]])
        XCTAssertEqual(dataset.metadata.columns, ["exif_model", "exif_date"])
        XCTAssertEqual(dataset.metadata.value("exif_model", image: 0), "Phone")
        XCTAssertEqual(dataset.metadata.value("exif_date", image: 0), "2024:02:03 04:05:06")
    }

    func testUnreadableImages() throws {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: "train: images\nnames: [a]\n")
        folder.write("images/empty.jpg", [])
        folder.write("labels/empty.txt", text: "0 0.5 0.5 0.1 0.1\n0 0.2 0.2 0.1 0.1\nbad\n")
        folder.write("images/garbage.png", Array("not really a png at all".utf8))
        folder.write("images/cut.jpg", Array(FixtureImages.jpeg(width: 10, height: 10, exif: .init(orientation: 3)).prefix(20)))
        folder.write("images/huge.png", FixtureImages.png(width: 500_000, height: 10))
        folder.write("images/notes.gif", FixtureImages.gif(width: 8, height: 8))
        folder.write("images/noend.jpg", FixtureImages.jpeg(width: 10, height: 10, endMarker: false))
        let dataset = try load(folder.path)
        XCTAssertEqual(dataset.images.map(\.path), ["images/cut.jpg", "images/empty.jpg", "images/garbage.png",
                                                    "images/huge.png", "images/noend.jpg", "images/notes.gif"])
        let unreadable = dataset.issues(kind: "unreadable_image")
        XCTAssertEqual(unreadable.filter { $0.severity == .error }.map(\.image),
                       ["images/cut.jpg", "images/empty.jpg", "images/garbage.png", "images/huge.png"])
        XCTAssertEqual(unreadable.filter { $0.severity == .warning }.map(\.image), ["images/noend.jpg"])
        XCTAssertEqual(dataset.image(named: "images/empty.jpg")?.width, 0)
        XCTAssertEqual(dataset.image(named: "images/empty.jpg")?.boxCount, 0)
        XCTAssertEqual(unreadable.first { $0.image == "images/empty.jpg" }?.message,
                       "file is empty (0 bytes); its 2 label rows are not used")
        XCTAssertEqual(unreadable.first { $0.image == "images/huge.png" }?.message,
                       "PNG header claims 500000×10 pixels, not a plausible image size")
        // Its invalid line is still reported.
        XCTAssertEqual(dataset.issues(kind: "invalid_label").map(\.ref), ["labels/empty.txt:3"])
        XCTAssertEqual(dataset.image(named: "images/notes.gif")?.width, 8)
        XCTAssertEqual(dataset.image(named: "images/noend.jpg")?.width, 10)
    }

    func testMissingImageInAListIsUnreadable() throws {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: "train: list.txt\nnames: [a]\n")
        folder.image("images/a.jpg")
        folder.write("list.txt", text: "images/a.jpg\nimages/gone.jpg\nimages/a.jpg\nnotes/readme.md\n")
        let dataset = try load(folder.path)
        XCTAssertEqual(dataset.images.map(\.path), ["images/a.jpg", "images/gone.jpg"])
        let unreadable = dataset.issues(kind: "unreadable_image")
        XCTAssertEqual(unreadable.map(\.ref), ["list.txt:3", "list.txt:4", nil])
        XCTAssertEqual(unreadable.last?.message, "file is missing")
        XCTAssertEqual(unreadable.last?.image, "images/gone.jpg")
    }

    func testLabelOfAnImageNoSplitListsIsAnOrphanSayingSo() throws {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: "train: train.txt\nnames: [a]\n")
        folder.image("images/a.jpg", label: "0 0.5 0.5 0.1 0.1\n")
        folder.image("images/b.png", label: "0 0.5 0.5 0.1 0.1\n")
        folder.write("train.txt", text: "./images/a.jpg\n")
        let dataset = try DatasetLoader.load(folder.path, options: LoadOptions())
        XCTAssertEqual(dataset.issues.map(\.ref), ["labels/b.txt"])
        XCTAssertEqual(dataset.issues.first?.message, "label file's image images/b.png is not in any split")
    }

    func testHeadersOffKeepsNormalisedBoxes() throws {
        let folder = standardSet()
        let dataset = try load(folder.path) { $0.readHeaders = false }
        XCTAssertTrue(dataset.normalizedBoxes)
        XCTAssertEqual(dataset.images.map(\.width), [0, 0, 0, 0])
        XCTAssertEqual(dataset.boxes.first.map { [$0.x1, $0.y1, $0.x2, $0.y2] }, [0.375, 0.25, 0.625, 0.75])
    }

    func testOnlySplit() throws {
        let folder = standardSet()
        let dataset = try load(folder.path) { $0.onlySplit = "val" }
        XCTAssertEqual(dataset.splits, ["val"])
        XCTAssertEqual(dataset.images.map(\.path), ["images/val/d.jpg"])
        XCTAssertEqual(dataset.images[0].split, 0)
        XCTAssertTrue(dataset.issues.isEmpty)
        XCTAssertEqual(loadError(folder.path) { $0.onlySplit = "test" },
                       "\(folder.path)/data.yaml: no split named \"test\" (it has train, val)")
    }

    func testInputsThatCannotBeReadAtAll() {
        let folder = FixtureFolder()
        XCTAssertEqual(loadError(folder.url("nothing")), "\(folder.url("nothing")): no such file or folder")
        XCTAssertTrue(loadError(folder.path)?.contains("no data.yaml and no annotations/instances_<split>.json") ?? false)
        folder.write("data.yaml", text: "train: [images\nnames: {a\n")
        let yamlError = loadError(folder.url("data.yaml")) ?? ""
        XCTAssertTrue(yamlError.hasPrefix(folder.url("data.yaml") + ":"), yamlError)
        XCTAssertTrue(yamlError.contains("not valid YAML"), yamlError)
        folder.write("data.yaml", text: "- just\n- a list\n")
        XCTAssertTrue(loadError(folder.url("data.yaml"))?.contains("not a YOLO data.yaml") ?? false)
        folder.write("data.yaml", text: "train: missing/images\nval: also/missing\nnames: [a]\n")
        let noSplits = loadError(folder.url("data.yaml")) ?? ""
        XCTAssertTrue(noSplits.contains("no usable train, val or test split"), noSplits)
        XCTAssertTrue(noSplits.contains("train: missing/images does not exist"), noSplits)
    }

    func testTwoSplitsMayNameTheSameFolder() throws {
        let folder = standardSet()
        folder.write("data.yaml", text: "train: images/train\nval: images/train\nnames: [cat, dog]\n")
        let dataset = try load(folder.path)
        XCTAssertEqual(dataset.images.filter { $0.split == 0 }.count, 3)
        XCTAssertEqual(dataset.images.filter { $0.split == 1 }.count, 3)
    }

    func testMissingSplitFolderIsAFindingWhenOthersExist() throws {
        let folder = standardSet()
        folder.write("data.yaml", text: "train: images/train\nval: images/val\ntest: images/test\nnames: [cat, dog]\n")
        let dataset = try load(folder.path)
        XCTAssertEqual(dataset.splits, ["train", "val"])
        XCTAssertEqual(dataset.issues.map(\.ref), ["data.yaml:3"])
    }

    func testNonUTF8AndSpacedNamesAndSymlinkLoops() throws {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: "train: images\nnames: [a]\n")
        folder.image("images/with space.jpg", label: "0 0.5 0.5 0.5 0.5\n")
        // A file name with invalid UTF-8 (0xFF) and its label.
        let rawName: [UInt8] = Array(folder.url("images/bad").utf8) + [0xFF, 0x2E] + Array("jpg".utf8)
        let rawLabel: [UInt8] = Array(folder.url("labels/bad").utf8) + [0xFF, 0x2E] + Array("txt".utf8)
        XCTAssertTrue(writeRaw(rawName, FixtureImages.jpeg(width: 20, height: 10)))
        XCTAssertTrue(writeRaw(rawLabel, Array("0 0.5 0.5 1 1\n".utf8)))
        try FileManager.default.createSymbolicLink(atPath: folder.url("images/loop"), withDestinationPath: folder.url("images"))
        let dataset = try load(folder.path)
        XCTAssertEqual(dataset.images.count, 2)
        let bad = try XCTUnwrap(dataset.images.first { $0.rawAbsolutePath != nil })
        XCTAssertEqual(bad.rawAbsolutePath, rawName)
        XCTAssertEqual(bad.path, "images/bad\u{FFFD}.jpg")
        XCTAssertEqual([bad.width, bad.height], [20, 10])
        XCTAssertEqual(Array(dataset.boxes(of: bad)).map { [$0.x1, $0.x2] }, [[0, 20]])
        XCTAssertEqual(try FileIO.readFile(of: bad).count, FixtureImages.jpeg(width: 20, height: 10).count)
        XCTAssertEqual(dataset.image(named: "images/with space.jpg")?.boxCount, 1)
    }

    private func writeRaw(_ path: [UInt8], _ bytes: [UInt8]) -> Bool {
        let cPath = path.map { CChar(bitPattern: $0) } + [0]
        let fd = open(cPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
    }

    func testResultsDoNotDependOnJobCount() throws {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: "train: images\nval: images/v\nnames: [a, b]\n")
        for index in 0..<1500 {
            let label = index % 7 == 0 ? "x y z\n1 0.5 0.5 0.1 0.1\n" : "0 0.\(index % 9 + 1) 0.5 0.1 0.1\n"
            folder.image(String(format: "images/%05d.jpg", index), width: 100 + index % 50, height: 80, label: label)
        }
        folder.image("images/v/z.jpg")
        let one = try load(folder.path) { $0.jobs = 1 }
        let many = try load(folder.path) { $0.jobs = 4 }
        XCTAssertEqual(one.images.count, 1502, "images/v/z.jpg is in train (recursive) and in val")
        XCTAssertEqual(one.fingerprint(), many.fingerprint())
        XCTAssertEqual(one.issues, many.issues)
        XCTAssertEqual(one.boxes, many.boxes)
        XCTAssertEqual(one.issues.count, (0..<1500).filter { $0 % 7 == 0 }.count)
    }

    func testProgressIsReported() throws {
        let folder = standardSet()
        final class Phases: @unchecked Sendable {
            let lock = NSLock()
            var seen: [String: Int] = [:]
        }
        let phases = Phases()
        _ = try load(folder.path) { options in
            options.progress = { phase, done, total in
                phases.lock.lock()
                phases.seen[phase] = max(phases.seen[phase] ?? 0, done)
                phases.lock.unlock()
                XCTAssertLessThanOrEqual(done, total)
            }
        }
        XCTAssertEqual(phases.seen["images"], 4)
    }
}
