import XCTest
@testable import QCCore

final class AnalysisHistogramTests: XCTestCase {
    /// train: a (person 10px, forklift 100px), b (person 40px, person 20px), c (background);
    /// val: d 100×100 (forklift 50px, unknown class 7), e size unreadable (person 30px).
    func dataset() -> Dataset {
        var ds = Dataset(name: "h", root: "/h", format: .yolo, source: "/h/data.yaml",
                         splits: ["train", "val"], classNames: [0: "person", 1: "forklift"])
        func add(_ name: String, _ split: Int32, _ w: Int32, _ h: Int32, _ boxes: [(Int32, Double)]) {
            var r = ImageRecord(path: "images/\(name).jpg", absolutePath: "/h/images/\(name).jpg", split: split)
            r.width = w; r.height = h
            r.boxStart = Int32(ds.boxes.count)
            for (c, side) in boxes { ds.boxes.append(BoxLabel(classId: c, x1: 0, y1: 0, x2: side, y2: side)) }
            r.boxEnd = Int32(ds.boxes.count)
            ds.images.append(r)
        }
        add("a", 0, 640, 480, [(0, 10), (1, 100)])
        add("b", 0, 640, 480, [(0, 40), (0, 20)])
        add("c", 0, 640, 480, [])
        add("d", 1, 100, 100, [(1, 50), (7, 10)])
        add("e", 1, 0, 0, [(0, 30)])
        return ds
    }

    func testCountsPerClassAndSplit() {
        let h = ClassHistogram.build(dataset())
        XCTAssertEqual(h.classIds, [0, 1, 7])
        XCTAssertEqual(h.perClassSplit.count, 6)
        let personTrain = h.row(classId: 0, split: 0)!
        XCTAssertEqual(personTrain.instances, 3)
        XCTAssertEqual(personTrain.images, 2)
        XCTAssertEqual(personTrain.splitName, "train")
        XCTAssertEqual([personTrain.small, personTrain.medium, personTrain.large], [2, 1, 0])
        XCTAssertEqual(h.row(classId: 0, split: 1)!.instances, 1)
        XCTAssertEqual(h.row(classId: 0)!.instances, 4)
        XCTAssertEqual(h.row(classId: 0)!.images, 3)
        XCTAssertEqual(h.row(classId: 1, split: 0)!.images, 1)
        XCTAssertEqual(h.row(classId: 1)!.large, 1)
        let unknown = h.row(classId: 7)!
        XCTAssertFalse(unknown.isKnown)
        XCTAssertEqual(unknown.className, "#7")
        XCTAssertEqual(h.row(classId: 7, split: 0)!.instances, 0, "zero rows are kept")
        XCTAssertNil(h.row(classId: 3))
        XCTAssertNil(h.row(classId: 0, split: 5))
    }

    func testSplitRowsAndBackground() {
        let h = ClassHistogram.build(dataset())
        let train = h.perSplit[0], val = h.perSplit[1]
        XCTAssertEqual([train.images, train.backgroundImages, train.boxes], [3, 1, 4])
        XCTAssertEqual(train.boxCountHistogram, [1, 0, 2])
        XCTAssertEqual(train.backgroundShare, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual([val.images, val.backgroundImages, val.boxes], [2, 0, 3])
        XCTAssertEqual(val.boxCountHistogram, [0, 1, 1])
        XCTAssertEqual([h.total.images, h.total.backgroundImages, h.total.boxes], [5, 1, 7])
        XCTAssertEqual(h.total.boxCountHistogram, [1, 1, 3])
        XCTAssertEqual(h.total.boxesPerImage.median, 2)
        XCTAssertEqual(h.total.boxesPerImage.mean, 1.4, accuracy: 1e-12)
        XCTAssertNil(h.total.split)
    }

    func testBoxSizes() {
        let h = ClassHistogram.build(dataset())
        let personTrain = h.row(classId: 0, split: 0)!
        XCTAssertEqual(personTrain.absoluteSize.median, 20)
        XCTAssertEqual(personTrain.absoluteSize.max, 40)
        let imageSide = (640.0 * 480).squareRoot()
        XCTAssertEqual(personTrain.relativeSize.median, 20 / imageSide, accuracy: 1e-12)
        let personVal = h.row(classId: 0, split: 1)!
        XCTAssertEqual(personVal.absoluteSize.count, 1)
        XCTAssertEqual(personVal.relativeSize.count, 0, "image size unknown: no relative size")
        XCTAssertEqual(h.row(classId: 1)!.absoluteSize.median, 75)
        XCTAssertEqual(h.row(classId: 1, split: 1)!.relativeSize.median, 0.5)

        let countsOnly = ClassHistogram.build(dataset(), sizeStatistics: false)
        XCTAssertEqual(countsOnly.row(classId: 0)!.instances, 4)
        XCTAssertEqual(countsOnly.row(classId: 0)!.absoluteSize, .empty)
    }

    func testEmptyDataset() {
        let ds = Dataset(name: "e", root: "/e", format: .coco, source: "/e/a.json", splits: ["val"], classNames: [:])
        let h = ClassHistogram.build(ds)
        XCTAssertEqual(h.classIds, [])
        XCTAssertEqual(h.perSplit.first?.images, 0)
        XCTAssertEqual(h.total.boxCountHistogram, [])
    }
}
