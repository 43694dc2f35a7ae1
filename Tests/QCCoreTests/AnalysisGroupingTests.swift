import XCTest
@testable import QCCore

final class AnalysisGroupingTests: XCTestCase {
    func testGroupsSplitsAndMembers() {
        let keys: [String?] = ["s1", "s1", nil, "s2", "s1", ""]
        let idx = ImageGrouping.build(keys: keys, splits: [0, 0, 1, 1, 1, 0], splitCount: 2)
        XCTAssertEqual(idx.groups.map(\.key), ["s1", "s2"])
        XCTAssertEqual(idx.groups[0].imagesPerSplit, [2, 1])
        XCTAssertEqual(idx.groups[0].splits, [0, 1])
        XCTAssertTrue(idx.groups[0].isLeaking)
        XCTAssertEqual(idx.groups[0].majoritySplit, 0)
        XCTAssertEqual(idx.groups[1].imagesPerSplit, [0, 1])
        XCTAssertFalse(idx.groups[1].isLeaking)
        XCTAssertEqual(idx.groupOfImage, [0, 0, -1, 1, 0, -1])
        XCTAssertEqual(Array(idx.images(of: 0)), [0, 1, 4])
        XCTAssertEqual(Array(idx.images(of: 1)), [3])
        XCTAssertEqual(idx.leakingGroups, [0])
        XCTAssertEqual(idx.ungroupedCount, 2)
    }

    func testDatasetConvenienceAndOutOfRangeSplit() {
        var ds = Dataset(name: "g", root: "/g", format: .yolo, source: "/g/data.yaml",
                         splits: ["train", "val", "test"], classNames: [:])
        for (i, s) in [0, 2, 2, 7].enumerated() {
            ds.images.append(ImageRecord(path: "\(i).jpg", absolutePath: "/g/\(i).jpg", split: Int32(s)))
        }
        let idx = ImageGrouping.build(dataset: ds, keys: ["cam|1", "cam|1", "cam|1", "cam|1"])
        XCTAssertEqual(idx.groups.count, 1)
        XCTAssertEqual(idx.groups[0].imagesPerSplit, [1, 0, 2])
        XCTAssertEqual(idx.groups[0].imageCount, 4)
        XCTAssertEqual(idx.groups[0].majoritySplit, 2)
    }

    func testLargeInputStaysLinear() {
        let n = 120_000
        let keys: [String?] = (0..<n).map { "scene\($0 / 40)" }
        let splits = (0..<n).map { Int32(($0 / 40) % 10 == 0 ? 1 : 0) }
        let idx = ImageGrouping.build(keys: keys, splits: splits, splitCount: 2)
        XCTAssertEqual(idx.groups.count, 3000)
        XCTAssertEqual(idx.leakingGroups, [])
        XCTAssertEqual(idx.memberImages.count, n)
    }
}
