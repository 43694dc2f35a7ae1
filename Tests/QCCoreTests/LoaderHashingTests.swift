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

    /// The line parser's shortcut must give `parse`'s exact bits, stop at the delimiter, and
    /// decline (nil) every token it cannot take, so the general path still sees those.
    func testPlainDecimalShortcutAgreesWithParse() {
        var rng = SplitMix(seed: 7)
        let alphabet = Array("0123456789000.-+eE x\t\n".utf8) + [UInt8(ascii: "a"), 0x0B, 0x0D]
        let delimiters: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C]
        var taken = 0
        func check(_ token: [UInt8], trailer: [UInt8]) {
            let line = token + trailer
            line.withUnsafeBytes { bytes in
                guard let (value, next) = NumberParser.scanPlainDecimal(bytes, from: 0) else {
                    return
                }
                taken += 1
                XCTAssertEqual(next, token.count, String(decoding: line, as: UTF8.self))
                let expected = token.withUnsafeBytes { NumberParser.parse($0) }
                guard case .value(let parsed) = expected else {
                    return XCTFail("shortcut took \(String(decoding: token, as: UTF8.self)), parse gives \(expected)")
                }
                XCTAssertEqual(value.bitPattern, parsed.bitPattern, String(decoding: token, as: UTF8.self))
            }
        }
        for _ in 0..<60000 {
            let length = Int(rng.next() % 24) + 1
            var token = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            // Cut at the first delimiter: a token never holds one.
            if let cut = token.firstIndex(where: { delimiters.contains($0) }) { token = Array(token[..<cut]) }
            guard !token.isEmpty else { continue }
            check(token, trailer: rng.next() % 2 == 0 ? [] : [[0x20, 0x09, 0x0A, 0x0D][Int(rng.next() % 4)], 0x31])
        }
        for text in ["0", "-0", "-0.0", "+0.25", ".5", "5.", "0.123456", "00012.5000", "9007199254740993",
                     "1234567890123456789", "0.1234567890123456789", "3.0", "0.30000000000000004"] {
            check(Array(text.utf8), trailer: [0x20])
        }
        XCTAssertGreaterThan(taken, 5000)
        // Declined: the general path decides these (exponent, > 19 digits, words, bad syntax).
        // 20 digits that wrap a UInt64 to 5 (and to 0.5): they must never be read as such.
        for text in ["18446744073709551621", "1844674407370955162.1"] { check(Array(text.utf8), trailer: []) }
        for text in ["1e5", "12345678901234567890", "18446744073709551621", "nan", "-", ".", "1.2.3", "1,5", "0x10", "5a"] {
            Array(text.utf8).withUnsafeBytes { XCTAssertNil(NumberParser.scanPlainDecimal($0, from: 0), text) }
        }
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
