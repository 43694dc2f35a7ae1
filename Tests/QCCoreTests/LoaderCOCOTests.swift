import Foundation
import XCTest
@testable import QCCore

final class LoaderCOCOTests: XCTestCase {
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

    private let valJSON = """
        {"info": {"year": 2017},
         "images": [
           {"id": 10, "file_name": "b.jpg", "width": 640, "height": 480},
           {"id": 7, "file_name": "a.jpg", "width": 320, "height": 200},
           {"id": 12, "file_name": "a.jpg", "width": 320, "height": 200},
           {"id": 13, "file_name": "gone.jpg", "width": 10, "height": 10},
           {"id": 14, "file_name": "rot.jpg", "width": 400, "height": 300},
           {"file_name": "noid.jpg"}
         ],
         "categories": [{"id": 1, "name": "person"}, {"id": 18, "name": "dog"}, {"id": 90, "name": "toothbrush"}],
         "annotations": [
           {"id": 5531, "image_id": 10, "category_id": 18, "bbox": [10, 20, 30, 40], "area": 1200, "iscrowd": 0,
            "segmentation": [[10, 20, 40, 20, 40, 60]]},
           {"id": 5532, "image_id": 10, "category_id": 1, "bbox": [0.5, 1.5, 100, 50.25], "iscrowd": 1,
            "segmentation": {"counts": [1, 2], "size": [480, 640]}},
           {"id": 5533, "image_id": 7, "category_id": 90, "bbox": [1, 2, 3, 4]},
           {"id": 5534, "image_id": 12, "category_id": 90, "bbox": [5, 6, 7, 8]},
           {"id": 5535, "image_id": 999, "category_id": 1, "bbox": [1, 1, 1, 1]},
           {"id": 5536, "image_id": 10, "category_id": 55, "bbox": [1, 1, 1, 1]},
           {"id": 5537, "image_id": 10, "category_id": 1, "bbox": [1, 1, 1]},
           {"image_id": 10, "category_id": 1, "bbox": [2, 2, 2, 2]},
           {"image_id": 10, "category_id": 1, "bbox": [1, 2, "3", 4]},
           {"id": 5540, "category_id": 1, "bbox": [1, 1, 1, 1]},
           {"id": 5541, "image_id": 10, "category_id": 1, "bbox": [1, 1, -5, 1]},
           {"id": 5542, "image_id": 13, "category_id": 1, "bbox": [1, 1, 1, 1]}
         ]}
        """

    private func cocoFolder() -> FixtureFolder {
        let folder = FixtureFolder()
        folder.write("annotations/instances_val.json", text: valJSON)
        folder.write("annotations/instances_train.json", text: """
            {"images": [{"id": 1, "file_name": "t.png", "width": 30, "height": 20}],
             "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2]}],
             "categories": [{"id": 1, "name": "person"}]}
            """)
        folder.write("annotations/person_keypoints_val.json", text: "{}")
        folder.write("images/val/b.jpg", FixtureImages.jpeg(width: 640, height: 480))
        folder.write("images/val/a.jpg", FixtureImages.jpeg(width: 320, height: 200))
        // Stored 400×300 but EXIF-rotated to 300×400: the JSON's size is the stored one.
        folder.write("images/val/rot.jpg", FixtureImages.jpeg(width: 400, height: 300, exif: .init(orientation: 6)))
        folder.write("images/train/t.png", FixtureImages.png(width: 30, height: 20))
        return folder
    }

    func testFolderLayoutIdsCrowdSparseCategoriesAndFindings() throws {
        let folder = cocoFolder()
        let dataset = try load(folder.path)
        XCTAssertEqual(dataset.format, .coco)
        XCTAssertEqual(dataset.splits, ["train", "val"])
        XCTAssertEqual(dataset.classNames, [1: "person", 18: "dog", 90: "toothbrush"])
        XCTAssertEqual(dataset.source, folder.url("annotations/instances_train.json"))
        XCTAssertEqual(dataset.images.map(\.path), ["images/train/t.png", "images/val/a.jpg", "images/val/b.jpg",
                                                    "images/val/gone.jpg", "images/val/rot.jpg"])
        XCTAssertEqual(dataset.images.map(\.cocoId), [1, 7, 10, 13, 14])
        XCTAssertEqual(dataset.images[1].labelPath, "annotations/instances_val.json")

        let b = try XCTUnwrap(dataset.image(named: "images/val/b.jpg"))
        let boxes = Array(dataset.boxes(of: b))
        XCTAssertEqual(boxes.map(\.annotationId), [5531, 5532, -1])
        XCTAssertEqual(boxes.map(\.classId), [18, 1, 1])
        XCTAssertEqual(boxes.map(\.isCrowd), [false, true, false])
        XCTAssertEqual(boxes[0], BoxLabel(classId: 18, x1: 10, y1: 20, x2: 40, y2: 60, line: 1, annotationId: 5531))
        XCTAssertEqual(boxes[2].line, 8, "an annotation without id keeps its place (index 7, line 8)")
        XCTAssertEqual(dataset.place(of: boxes[0], in: b), "annotations/instances_val.json#id=5531")
        XCTAssertEqual(dataset.place(of: boxes[2], in: b), "annotations/instances_val.json#index=7")

        // Duplicate file_name: merged under the first id.
        let a = try XCTUnwrap(dataset.image(named: "images/val/a.jpg"))
        XCTAssertEqual(Array(dataset.boxes(of: a)).map(\.annotationId), [5533, 5534])

        let refs = dataset.issues.compactMap(\.ref)
        let messages = Dictionary(dataset.issues.compactMap { f in f.ref.map { ($0, f.message) } }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(messages["annotations/instances_val.json#image_id=12"],
                       "image ids 7 and 12 both name a.jpg; their annotations are merged under id 7")
        XCTAssertEqual(messages["annotations/instances_val.json#image_index=5"], "image entry: \"id\" is missing")
        XCTAssertEqual(messages["annotations/instances_val.json#id=5535"],
                       "annotation refers to image_id 999, which is not in \"images\"")
        XCTAssertEqual(messages["annotations/instances_val.json#id=5536"],
                       "annotation refers to category_id 55, which is not in \"categories\"")
        XCTAssertEqual(messages["annotations/instances_val.json#id=5537"],
                       "annotation: \"bbox\" has 3 values, expected 4 (x, y, width, height)")
        XCTAssertEqual(messages["annotations/instances_val.json#index=8"],
                       "annotation: \"bbox\" value 3 is \"3\", not a number")
        XCTAssertEqual(messages["annotations/instances_val.json#id=5540"], "annotation: \"image_id\" is missing")
        XCTAssertEqual(messages["annotations/instances_val.json#id=5541"], "bbox width -5 is negative")
        XCTAssertTrue(refs.allSatisfy { !$0.contains("instances_train") })

        // Missing on disk: unreadable, its annotation not used.
        let gone = dataset.issues.first { $0.kind == "unreadable_image" }
        XCTAssertEqual(gone?.image, "images/val/gone.jpg")
        XCTAssertEqual(gone?.message, "file is missing; its 1 annotation is not used")
        XCTAssertEqual(dataset.image(named: "images/val/gone.jpg")?.boxCount, 0)

        // JSON size vs header: header wins, mismatch reported with the orientation hint.
        let rot = try XCTUnwrap(dataset.image(named: "images/val/rot.jpg"))
        XCTAssertEqual([rot.width, rot.height], [300, 400])
        let mismatch = try XCTUnwrap(messages["annotations/instances_val.json#image_id=14"])
        XCTAssertTrue(mismatch.hasPrefix("JSON says 400×300 but the image is 300×400 (EXIF orientation 6"), mismatch)
        XCTAssertTrue(dataset.issues.filter { $0.kind == "invalid_annotation" }.allSatisfy { $0.severity == .error })
    }

    func testHeadersOffTrustsJSONSizesWithoutTouchingImages() throws {
        let folder = cocoFolder()
        try FileManager.default.removeItem(atPath: folder.url("images"))
        let dataset = try load(folder.path) { $0.readHeaders = false }
        XCTAssertEqual(dataset.image(named: "images/val/rot.jpg").map { [$0.width, $0.height] }, [400, 300])
        XCTAssertEqual(dataset.image(named: "images/val/gone.jpg")?.boxCount, 1)
        XCTAssertFalse(dataset.issues.contains { $0.kind == "unreadable_image" })
        XCTAssertFalse(dataset.normalizedBoxes)
        // With headers on, a missing images folder cannot be checked at all.
        XCTAssertTrue(loadError(folder.path)?.contains("does not exist (use --images DIR") ?? false)
    }

    func testOnlySplitAndLoneFiles() throws {
        let folder = cocoFolder()
        let val = try load(folder.path) { $0.onlySplit = "val" }
        XCTAssertEqual(val.splits, ["val"])
        XCTAssertEqual(val.images.count, 4)

        // The file inside annotations/: root is the folder above, images/<split> found.
        let lone = try load(folder.url("annotations/instances_train.json"))
        XCTAssertEqual(lone.root, folder.path)
        XCTAssertEqual(lone.name, "instances_train")
        XCTAssertEqual(lone.images.map(\.path), ["images/train/t.png"])
        XCTAssertEqual(lone.images.first?.width, 30)

        // A lone file elsewhere, images given explicitly (outside the root: absolute paths).
        let other = FixtureFolder()
        other.write("export.json", text: """
            {"images": [{"id": 3, "file_name": "t.png", "width": 30, "height": 20}], "annotations": [], "categories": []}
            """)
        let explicit = try load(other.url("export.json")) { $0.imagesDirectory = folder.url("images/train") }
        XCTAssertEqual(explicit.images.map(\.path), [folder.url("images/train/t.png")])
        XCTAssertEqual(explicit.splits, ["export"])
        XCTAssertTrue(explicit.issues.isEmpty)

        // Default: a sibling images/ folder.
        other.write("images/t.png", FixtureImages.png(width: 30, height: 20))
        XCTAssertEqual(try load(other.url("export.json")).images.map(\.path), ["images/t.png"])
    }

    func testBrokenJSONIsALoadErrorNamingTheFile() {
        let folder = FixtureFolder()
        let truncated = String(valJSON.prefix(300))
        folder.write("cut.json", text: truncated)
        let cut = loadError(folder.url("cut.json")) ?? ""
        XCTAssertTrue(cut.hasPrefix(folder.url("cut.json") + ": not valid JSON: "), cut)

        folder.write("deep.json", text: String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000))
        let deep = loadError(folder.url("deep.json")) ?? ""
        XCTAssertTrue(deep.hasPrefix(folder.url("deep.json") + ": not valid JSON: "), deep)
        XCTAssertTrue(deep.lowercased().contains("deep"), deep)

        folder.write("array.json", text: "[1, 2, 3]")
        XCTAssertTrue(loadError(folder.url("array.json"))?.contains("not a COCO instances object") ?? false)
        folder.write("noimages.json", text: "{\"annotations\": []}")
        XCTAssertTrue(loadError(folder.url("noimages.json"))?.contains("no \"images\" array") ?? false)
        folder.write("bom.json", [0xEF, 0xBB, 0xBF] + Array("{\"images\": [], \"annotations\": []}".utf8))
        XCTAssertNil(loadError(folder.url("bom.json")) { $0.readHeaders = false }, "a UTF-8 BOM is tolerated")
        folder.write("empty.json", [])
        XCTAssertEqual(loadError(folder.url("empty.json")), "\(folder.url("empty.json")): not valid JSON: Empty: no JSON found")
        folder.write("text.json", text: "hello")
        XCTAssertTrue(loadError(folder.url("text.json"))?.contains("not valid JSON") ?? false)
    }

    func testShimEntryErrorsAndBytesEntryPoint() throws {
        let json = """
            {"images": [{"id": "x", "file_name": "a.jpg"}, {"id": 2, "file_name": 5}, 7],
             "categories": [{"id": 1.0, "name": "a"}, {"name": "b"}],
             "annotations": [{"id": 1, "image_id": 2, "category_id": 1, "bbox": [0, 0, 1, 1], "iscrowd": 2}]}
            """
        let document = try COCODocument.parse(bytes: Array(json.utf8), kind: .instances).get()
        XCTAssertEqual(document.imageCount, 3)
        XCTAssertEqual(document.image(0).error, "\"id\" is \"x\", not an integer")
        XCTAssertEqual(document.image(1).error, "\"file_name\" is 5, not a string")
        XCTAssertEqual(document.image(2).error, "image entry is a number, not an object")
        XCTAssertEqual(document.category(0).id, 1)
        XCTAssertEqual(document.category(1).error, "\"id\" is missing")
        XCTAssertEqual(document.annotation(0).error, "\"iscrowd\" is 2, not 0 or 1")
    }

    // MARK: The On-Demand shim

    private func shimError(_ json: String, kind: COCODocument.Kind = .instances) -> String? {
        switch COCODocument.parse(bytes: Array(json.utf8), kind: kind) {
        case .success: return nil
        case .failure(let error): return error.message
        }
    }

    func testKeysInAnyOrderAndEscapedKeys() throws {
        // "annotations" first, as some exporters write it; keys with escapes still count.
        let json = #"""
            {"annotations": [{"segmentation": [[1, 2, 3, 4, 5, 6]], "i\u0064": 7, "image_id": 3, "category_id": 2,
                              "bbox": [1, 2, 3, 4], "iscrowd": false, "area": 12.5}],
             "info": {"nested": [{"deep": [[[]]]}, "text", true, null]},
             "categories": [{"supercategory": "x", "name": "car", "id": 2}],
             "images": [{"width": 8, "height": 6, "file_name": "a\u00e9.jpg", "id": 3, "license": 1}]}
            """#
        let document = try COCODocument.parse(bytes: Array(json.utf8), kind: .instances).get()
        XCTAssertEqual(document.imageCount, 1)
        XCTAssertEqual(document.image(0).fileName, "aé.jpg")
        XCTAssertEqual(document.image(0).width, 8)
        XCTAssertEqual(document.category(0).name, "car")
        let annotation = document.annotation(0)
        XCTAssertNil(annotation.error)
        XCTAssertEqual(annotation.id, 7)
        XCTAssertEqual([annotation.x, annotation.y, annotation.width, annotation.height], [1, 2, 3, 4])
        XCTAssertEqual(annotation.isCrowd, false)
    }

    func testBrokenJSONInsideSkippedValuesIsStillBroken() {
        let good = """
            {"images": [{"id": 1, "file_name": "a.jpg"}], "categories": [],
             "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 1, 1], "segmentation": SEG}]}
            """
        XCTAssertNil(shimError(good.replacingOccurrences(of: "SEG", with: "[[1, 2, 3]]")))
        // Structure, literals and escapes are checked even where nothing is read.
        for broken in ["[[1, 2 3]]", "[[1, 2,, 3]]", "[[1, 2]", "[[1, 2}}", "{\"counts\": \"x\": 1}",
                       "[[tru]]", "[nul]", "{\"counts\": \"a\\qb\"}", "[[1, x]]"] {
            let message = shimError(good.replacingOccurrences(of: "SEG", with: broken)) ?? "loaded"
            XCTAssertTrue(message.hasPrefix("not valid JSON: "), "\(broken): \(message)")
        }
        let deep = String(repeating: "[", count: 1100) + String(repeating: "]", count: 1100)
        let tooDeep = shimError(good.replacingOccurrences(of: "SEG", with: deep)) ?? ""
        XCTAssertTrue(tooDeep.hasPrefix("not valid JSON: ") && tooDeep.lowercased().contains("deep"), tooDeep)
        XCTAssertTrue(shimError(good + " {}")?.hasPrefix("not valid JSON: ") ?? false, "content after the root value")
        // Numbers that are read are parsed strictly.
        for broken in ["[1, 2, 3, 0640]", "[1, 2, 3, -e2]", "[1, 2, 3, 123456789012345678901234567890]"] {
            let json = good.replacingOccurrences(of: "SEG", with: "[]").replacingOccurrences(of: "[1, 1, 1, 1]", with: broken)
            XCTAssertTrue(shimError(json)?.hasPrefix("not valid JSON: ") ?? false, broken)
        }
    }

    func testEveryTruncationIsACleanError() {
        let json = #"""
            {"info":{"v":[1,true,null,"s"]},"images":[{"id":1,"file_name":"a\u00e9.jpg","width":4,"height":3}],"categories":[{"id":1,"name":"x"}],"annotations":[{"id":5,"image_id":1,"category_id":1,"bbox":[1,2.5,3,-0],"iscrowd":1,"segmentation":{"counts":"ab\\c","size":[3,4]}}]}
            """#
        XCTAssertNil(shimError(json))
        let bytes = Array(json.utf8)
        for cut in 0..<bytes.count {
            let message: String
            switch COCODocument.parse(bytes: Array(bytes[0..<cut]), kind: .instances) {
            case .success: message = "loaded"
            case .failure(let error): message = error.message
            }
            XCTAssertTrue(message.hasPrefix("not valid JSON: "), "cut at \(cut): \(message)")
        }
        XCTAssertEqual(shimError(""), "not valid JSON: Empty: no JSON found")
    }

    func testResultsShapes() throws {
        let wrapped = """
            {"info": {"a": [1, 2]}, "annotations": [{"image_id": "stem", "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5},
                                                   {"image_id": 2, "category_id": 3, "bbox": [1, 2, 3, 4], "score": "high"},
                                                   {"image_id": 2, "category_id": 3, "bbox": [1, 2, 3, 4]}]}
            """
        let document = try COCODocument.parse(bytes: Array(wrapped.utf8), kind: .results).get()
        XCTAssertEqual(document.annotationCount, 3)
        XCTAssertEqual(document.annotation(0).imageText, "stem")
        XCTAssertEqual(document.annotation(0).score, 0.5)
        XCTAssertEqual(document.annotation(1).error, "\"score\" is \"high\", not a number")
        XCTAssertEqual(document.annotation(2).error, "\"score\" is missing")
        XCTAssertEqual(shimError("{\"annotations\": 5}", kind: .results),
                       "the top level is an object, not an array of detections (image_id, category_id, bbox, score)")
        XCTAssertEqual(shimError("7", kind: .results),
                       "the top level is a number, not an array of detections (image_id, category_id, bbox, score)")
        XCTAssertEqual(shimError("{\"images\": {}}"), "\"images\" is an object, not an array")
    }

    /// Files over a few MB take the large-file path (structural index made ready up front,
    /// passed pages of the mapping dropped): same results, and a break near the end, in a
    /// value nothing reads, is still found.
    func testLargeFileMatchesAndBreaksAreFound() throws {
        let polygon = (0..<60).map { "\($0 * 7 % 640).25" }.joined(separator: ",")
        let annotation = "{\"segmentation\":[[\(polygon)]],\"area\":10.5,\"iscrowd\":0,\"image_id\":1,\"bbox\":[1,2,3,4],\"category_id\":1,\"id\":9}"
        let count = 90_000
        let body = Array(repeating: annotation, count: count).joined(separator: ",\n")
        let head = "{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":640,\"height\":480}],\"categories\":[{\"id\":1,\"name\":\"x\"}],\"annotations\":["
        let folder = FixtureFolder()
        let path = folder.write("big.json", text: head + body + "]}")
        XCTAssertGreaterThan(body.utf8.count, 40 << 20)
        let document = try COCODocument.parse(RawPath(path), kind: .instances).get()
        XCTAssertEqual(document.annotationCount, count)
        XCTAssertNil(document.annotation(count - 1).error)
        XCTAssertEqual(document.annotation(count - 1).height, 4)

        // Commas missing in the last polygon: only the structure check reads that far.
        let lastBroken = annotation.replacingOccurrences(of: ".25,", with: ".25 ")
        let brokenBody = Array(repeating: annotation, count: count - 1).joined(separator: ",\n") + ",\n" + lastBroken
        let broken = folder.write("broken.json", text: head + brokenBody + "]}")
        switch COCODocument.parse(RawPath(broken), kind: .instances) {
        case .success: XCTFail("missing commas near the end were not found")
        case .failure(let error): XCTAssertTrue(error.message.hasPrefix("not valid JSON: "), error.message)
        }
    }

    func testKeyOrderDoesNotChangeTheDataset() throws {
        let images = #""images": [{"id": 4, "file_name": "b.jpg", "width": 10, "height": 8}, {"id": 2, "file_name": "a.jpg", "width": 5, "height": 5}, {"id": 4, "file_name": "c.jpg"}]"#
        let categories = #""categories": [{"id": 3, "name": "cat"}]"#
        let annotations = #""annotations": [{"id": 1, "image_id": 4, "category_id": 3, "bbox": [1, 1, 2, 2], "segmentation": [[1, 1, 3, 3]]}, {"id": 2, "image_id": 9, "category_id": 3, "bbox": [1, 1, 2, 2]}, {"id": 3, "image_id": 2, "category_id": 7, "bbox": [0, 0, 1, 1]}]"#
        let folder = FixtureFolder()
        folder.write("usual/instances_x.json", text: "{\(images), \(categories), \(annotations)}")
        folder.write("reversed/instances_x.json", text: "{\(annotations), \(categories), \(images)}")
        let usual = try load(folder.url("usual/instances_x.json")) { $0.readHeaders = false }
        let reversed = try load(folder.url("reversed/instances_x.json")) { $0.readHeaders = false }
        XCTAssertEqual(usual.images.map(\.path), ["a.jpg", "b.jpg"])
        XCTAssertEqual(reversed.images.map(\.path), usual.images.map(\.path))
        XCTAssertEqual(reversed.boxes, usual.boxes)
        XCTAssertEqual(usual.boxes.map(\.annotationId), [1])
        XCTAssertEqual(reversed.issues.map(\.message), usual.issues.map(\.message))
        XCTAssertEqual(usual.issues.map(\.message), [
            "image id 4 appears twice; the second entry (c.jpg) is ignored",
            "annotation refers to image_id 9, which is not in \"images\"",
            "annotation refers to category_id 7, which is not in \"categories\"",
        ])
    }

    func testIdIndexDenseAndSparse() {
        let dense = COCOIdIndex([5, 9, 7, 9, -2])
        XCTAssertEqual([5, 9, 7, -2, 6, 100, .min, .max].map { dense.position(of: $0) }, [0, 1, 2, 4, nil, nil, nil, nil])
        let sparse = COCOIdIndex([.max, 3, .min, 1 << 40, 3])
        XCTAssertEqual([.max, 3, .min, 1 << 40, 4, 0].map { sparse.position(of: $0) }, [0, 1, 2, 3, nil, nil])
        XCTAssertNil(COCOIdIndex([]).position(of: 0))
    }
}
