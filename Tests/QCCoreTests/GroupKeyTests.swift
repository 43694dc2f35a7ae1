@testable import QCCore
import XCTest

/// DESIGN.md's default group key, rung by rung.
final class GroupKeyTests: XCTestCase {
    func dataset(_ paths: [String], meta: [[String: String]] = []) -> Dataset {
        var ds = Dataset(name: "t", root: "/r", format: .yolo, source: "/r/data.yaml", splits: ["train", "val"], classNames: [0: "a"])
        ds.images = paths.enumerated().map { ImageRecord(path: $1, absolutePath: "/r/\($1)", split: Int32($0 % 2)) }
        ds.metadata.rows = paths.indices.map { $0 < meta.count ? meta[$0] : [:] }
        return ds
    }

    func testSceneBeatsCameraDayBeatsEXIF() {
        let ds = dataset(["a.jpg", "b.jpg", "c.jpg", "d.jpg"], meta: [
            ["scene": "dock", "camera": "c1", "day": "mon"],
            ["camera": "c1", "day": "mon"],
            ["exif_model": "Canon", "exif_date": "2024:05:09 10:00:00"],
            ["camera": "c1"],  // camera without day: no key
        ])
        XCTAssertEqual(DefaultGroupKey.keys(for: ds, minRun: 3), ["scene:dock", "camera-day:c1|mon", "exif:Canon|2024:05:09", nil])
    }

    func testFrameRunsNeedMinRunConsecutiveNumbers() {
        let ds = dataset(["v/cam1_000101.jpg", "v/cam1_000102.jpg", "v/cam1_000103.jpg",
                          "v/IMG_0042.jpg", "v/IMG_0044.jpg", "v/cam2_0007.jpg", "v/cam2_0008.jpg"])
        let keys = DefaultGroupKey.keys(for: ds, minRun: 3)
        XCTAssertEqual(Array(keys[0...2]), ["frames:v/cam1_", "frames:v/cam1_", "frames:v/cam1_"])
        XCTAssertEqual(Array(keys[3...6]), [nil, nil, nil, nil], "gaps and runs shorter than min_run do not merge")
    }

    func testAllDigitNamesAreIdsNotFrames() {
        let ds = dataset(["images/train/000000000001.jpg", "images/train/000000000002.jpg", "images/train/000000000003.jpg"])
        XCTAssertEqual(DefaultGroupKey.keys(for: ds, minRun: 3), [nil, nil, nil])
    }
}
