import Foundation
import QCCore
@testable import QCLua
import XCTest

/// The large candidate lists reach Lua as pre-encoded tapes (`LuaTapeBuilder`): what a
/// rule reads must be exactly what the `LuaValue` records give, field for field.
final class EncodedRecordTests: XCTestCase {
    private func roundTrip(_ value: LuaValue) throws -> LuaValue {
        let sandbox = try makeSandbox()
        let identity = try XCTUnwrap(sandbox.run(source: "return function(x) return x end", chunkName: "id.lua").first?.asFunction)
        return try XCTUnwrap(sandbox.call(identity, [value]).first)
    }

    func testBuilderWritesWhatTheTreeEncodes() throws {
        var b = LuaTapeBuilder()
        b.table(array: 2, fields: 5)
        b.item(); b.int(-7)
        b.item(); b.xyxy(1.5, 2, 3, 4e300)
        b.key("text"); b.string("ünïcödé \0 nul")
        b.key("flag"); b.bool(false)
        b.key("empty"); b.table(array: 0, fields: 0); b.end()
        b.key("n"); b.number(-0.25)
        b.key("nested"); b.table(array: 0, fields: 1); b.key("deep"); b.bool(true); b.end()
        b.end()
        let tree: LuaValue = .table(LuaTable(
            array: [.int(-7), .xyxy(1.5, 2, 3, 4e300)],
            fields: [(.string("text"), .string("ünïcödé \0 nul")), (.string("flag"), .bool(false)),
                     (.string("empty"), .table(LuaTable())), (.string("n"), .number(-0.25)),
                     (.string("nested"), ["deep": true])]))
        XCTAssertEqual(try roundTrip(b.value), tree)
        XCTAssertEqual(try roundTrip(.table(LuaTable(array: [b.value, "after"]))), .table(LuaTable(array: [tree, "after"])),
                       "an encoded value nested in a tree")
    }

    func testCandidateRecordsMatchTheirLuaValueForms() throws {
        let root = RuleExampleTests.repoRoot.appendingPathComponent("samples").path
        for path in ["\(root)/yolo_forklift/data.yaml", "\(root)/coco_forklift/annotations/instances_train.json"] {
            var ds = try DatasetLoader.load(path, options: LoadOptions())
            // One prediction per box, shifted, so every image that has boxes has predictions.
            var predictions: [PredictionBox] = []
            for i in ds.images.indices {
                ds.images[i].predictionStart = Int32(predictions.count)
                for b in ds.boxes(of: ds.images[i]) {
                    predictions.append(PredictionBox(classId: b.classId, x1: b.x1 + 1, y1: b.y1, x2: b.x2 + 1, y2: b.y2, confidence: 0.75))
                }
                ds.images[i].predictionEnd = Int32(predictions.count)
            }
            ds.predictions = predictions
            let data = RunData(dataset: ds, groupKeys: [String?](repeating: nil, count: ds.images.count), today: "2026-01-01")
            var pairs: [(label: Int, prediction: Int, image: Int)] = []
            for i in ds.images.indices {
                for (k, l) in (Int(ds.images[i].boxStart)..<Int(ds.images[i].boxEnd)).enumerated() {
                    pairs.append((l, Int(ds.images[i].predictionStart) + k, i))
                }
            }
            XCTAssertGreaterThan(pairs.count, 20, path)
            XCTAssertTrue(pairs.contains { data.dataset.place(of: ds.boxes[$0.label], image: $0.image) != nil }, "refs are covered")
            let encoded = LabelCheckBindings.encodedList(pairs, total: pairs.count + 3) { b, p in
                b.table(array: 0, fields: 2)
                b.key("box"); LabelCheckBindings.writeLabel(&b, data, p.label, p.image)
                b.key("prediction"); LabelCheckBindings.writePrediction(&b, data, p.prediction)
                b.end()
            }
            let tree = LabelCheckBindings.listWithTotal(pairs.count + 3, pairs.map { p in
                .record([("box", LabelCheckBindings.label(data, p.label, p.image)),
                         ("prediction", LabelCheckBindings.prediction(data, p.prediction))])
            })
            XCTAssertEqual(try roundTrip(encoded), try roundTrip(tree), path)
        }
    }
}

/// emit's field check is a switch for speed; it must accept exactly the documented fields.
final class FindingFieldTests: XCTestCase {
    func testTheFieldSwitchAcceptsExactlyTheKnownFields() {
        for name in FindingDecoding.knownFields { XCTAssertTrue(FindingDecoding.isKnownField(name), name) }
        for name in ["", "Kind", "kinds", "box ", "messages", "id", "check"] {
            XCTAssertFalse(FindingDecoding.isKnownField(name), name)
        }
    }
}
