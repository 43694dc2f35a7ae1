import Foundation
import XCTest
@testable import QCCore

final class LoaderHashingTests: XCTestCase {
    func testKnownXXH3Vectors() throws {
        let empty: [UInt8] = []
        XCTAssertEqual(ContentHash.xxh3_64(empty), 0x2D06_8005_38D3_94C2)
        XCTAssertEqual(ContentHash.xxh3_128Hex(empty), "99aa06d3014798d86001c324468d497f")
        let folder = FixtureFolder()
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let path = folder.write("blob.bin", bytes)
        XCTAssertEqual(try ContentHash.fileXXH3_128(path: path), ContentHash.xxh3_128Hex(bytes))
        XCTAssertThrowsError(try ContentHash.fileXXH3_128(path: folder.url("none")))
    }

    func testFingerprintIsStableAndSensitive() throws {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: "train: images\nnames: [a, b]\n")
        folder.image("images/a.jpg", label: "0 0.5 0.5 0.2 0.2\n")
        folder.image("images/b.jpg", label: "1 0.5 0.5 0.2 0.2\n")
        let first = try DatasetLoader.load(folder.path, options: LoadOptions()).fingerprint()
        XCTAssertEqual(first.count, 32)
        XCTAssertEqual(try DatasetLoader.load(folder.path, options: LoadOptions()).fingerprint(), first)
        folder.write("labels/b.txt", text: "1 0.5 0.5 0.2 0.21\n")
        XCTAssertNotEqual(try DatasetLoader.load(folder.path, options: LoadOptions()).fingerprint(), first)
    }

    func testNumberParserAgreesWithStrtod() {
        let samples = ["0", "-0", "1", "0.5", ".5", "5.", "+0.25", "1e-3", "1E+2", "0.123456", "0.1234567890123456789012",
                       "123456789012345678901234567890", "2.2250738585072014e-308", "4.9e-324", "1e300", "0.30000000000000004",
                       "9007199254740993", "3.0", "1e-400", "00012.5000"]
        for sample in samples {
            XCTAssertEqual(NumberParser.parse(sample), .value(strtod(sample, nil)), sample)
        }
        var rng = SplitMix(seed: 1)
        for _ in 0..<20000 {
            let digits = Int(rng.next() % 9) + 1
            let value = Double(rng.next() % 1_000_000_000) / pow(10, Double(digits))
            let text = String(format: "%.\(digits)f", value)
            XCTAssertEqual(NumberParser.parse(text), .value(strtod(text, nil)), text)
        }
        for bad in ["", "-", ".", "e5", "1e", "1e+", "0x10", "1,5", "1.2.3", "--1", "1_000", " 1"] {
            XCTAssertEqual(NumberParser.parse(bad), .notNumber, bad)
        }
        for nonFinite in ["nan", "NaN", "-inf", "+Infinity", "1e400", "-1e999"] {
            XCTAssertEqual(NumberParser.parse(nonFinite), .nonFinite, nonFinite)
        }
    }

    func testRawPathNormalisation() {
        XCTAssertEqual(RawPath("/a/./b//c/../d/").normalized().display, "/a/b/d")
        XCTAssertEqual(RawPath("../x/../../y").normalized().display, "../../y")
        XCTAssertEqual(RawPath("/..").normalized().display, "/")
        XCTAssertEqual(RawPath("/data/set/images/x.jpg").relative(to: RawPath("/data/set"))?.display, "images/x.jpg")
        XCTAssertNil(RawPath("/data/settle/x.jpg").relative(to: RawPath("/data/set")))
        XCTAssertEqual(YOLOLoader.labelPath(for: RawPath("/d/images/train/images/x.v2.JPG")).display, "/d/images/train/labels/x.v2.txt")
        XCTAssertEqual(YOLOLoader.labelPath(for: RawPath("/d/pics/x.jpg")).display, "/d/pics/x.txt")
        XCTAssertEqual(YOLOLoader.labelFolder(for: RawPath("/d/images")).display, "/d/labels")
    }
}
