import XCTest
@testable import QCCore

final class HeaderTests: XCTestCase {
    private func info(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> ImageInfo? {
        switch ImageHeader.read(bytes: bytes) {
        case .success(let info): return info
        case .failure(let error):
            XCTFail("unexpected header error: \(error.message)", file: file, line: line)
            return nil
        }
    }

    private func failure(_ bytes: [UInt8]) -> String? {
        if case .failure(let error) = ImageHeader.read(bytes: bytes) { return error.message }
        return nil
    }

    func testJPEGSizeAndFrameKinds() {
        let baseline = info(FixtureImages.jpeg(width: 640, height: 480))
        XCTAssertEqual(baseline?.format, .jpeg)
        XCTAssertEqual(baseline?.width, 640)
        XCTAssertEqual(baseline?.height, 480)
        XCTAssertNil(baseline?.warning)
        let progressive = info(FixtureImages.jpeg(width: 33, height: 17, frameMarker: 0xC2))
        XCTAssertEqual(progressive?.width, 33)
        XCTAssertEqual(progressive?.height, 17)
    }

    func testJPEGOrientationSwapsOnlyFiveToEight() {
        for orientation in 1...8 {
            let bytes = FixtureImages.jpeg(width: 640, height: 480, exif: .init(orientation: orientation))
            let header = info(bytes)
            XCTAssertEqual(header?.orientation, UInt8(orientation))
            XCTAssertEqual(header?.storedWidth, 640)
            XCTAssertEqual(header?.width, orientation >= 5 ? 480 : 640, "orientation \(orientation)")
            XCTAssertEqual(header?.height, orientation >= 5 ? 640 : 480, "orientation \(orientation)")
        }
        // Out-of-range orientation is ignored, as PIL's exif_transpose does.
        XCTAssertEqual(info(FixtureImages.jpeg(width: 10, height: 20, exif: .init(orientation: 9)))?.orientation, 1)
    }

    func testEXIFModelAndDatesInBothByteOrders() {
        for little in [false, true] {
            var exif = FixtureImages.EXIF(orientation: 6, model: "Canon EOS R5", dateTime: "2024:01:02 03:04:05",
                                          dateTimeOriginal: "2023:12:31 23:59:58")
            exif.littleEndian = little
            let header = info(FixtureImages.jpeg(width: 100, height: 50, exif: exif))
            XCTAssertEqual(header?.exifModel, "Canon EOS R5")
            XCTAssertEqual(header?.exifDate, "2023:12:31 23:59:58", "DateTimeOriginal wins")
            XCTAssertEqual(header?.width, 50)
        }
        let onlyDateTime = info(FixtureImages.jpeg(width: 1, height: 1, exif: .init(model: "X", dateTime: "2020:05:05 10:00:00")))
        XCTAssertEqual(onlyDateTime?.exifDate, "2020:05:05 10:00:00")
        XCTAssertEqual(onlyDateTime?.exifModel, "X", "a model of ≤ 4 bytes is stored inline")
    }

    func testJPEGFrameAfterLargeSegmentsIsFoundFromFile() throws {
        let folder = FixtureFolder()
        let bytes = FixtureImages.jpeg(width: 4000, height: 3000, exif: .init(orientation: 8), paddingSegment: 150_000)
        let path = folder.write("big.jpg", bytes)
        let header = try ImageHeader.read(path: path).get()
        XCTAssertEqual(header.width, 3000)
        XCTAssertEqual(header.height, 4000)
        XCTAssertEqual(header.fileSize, Int64(bytes.count))
        XCTAssertGreaterThan(header.mtime, 0)
    }

    func testJPEGWithoutEndMarkerIsAWarningNotAFailure() {
        let header = info(FixtureImages.jpeg(width: 64, height: 64, endMarker: false))
        XCTAssertEqual(header?.width, 64)
        XCTAssertNotNil(header?.warning)
    }

    func testPNG() {
        let header = info(FixtureImages.png(width: 1920, height: 1080))
        XCTAssertEqual(header?.format, .png)
        XCTAssertEqual(header?.width, 1920)
        XCTAssertEqual(header?.height, 1080)
        XCTAssertNil(header?.warning)
        XCTAssertNotNil(info(FixtureImages.png(width: 5, height: 5, withEnd: false))?.warning)
        XCTAssertEqual(failure(FixtureImages.png(width: 5, height: 5, corruptCRC: true)), "PNG IHDR checksum does not match: corrupt")
        var badSignature = FixtureImages.png(width: 5, height: 5)
        badSignature[3] = 0x58
        XCTAssertNotNil(failure(badSignature))
    }

    func testWebPVariants() {
        XCTAssertEqual(info(FixtureImages.webpVP8X(width: 800, height: 600)).map { [$0.width, $0.height] }, [800, 600])
        XCTAssertEqual(info(FixtureImages.webpVP8L(width: 321, height: 123)).map { [$0.width, $0.height] }, [321, 123])
        XCTAssertEqual(info(FixtureImages.webpVP8(width: 1000, height: 16383)).map { [$0.width, $0.height] }, [1000, 16383])
        let rotated = info(FixtureImages.webpVP8X(width: 800, height: 600, exif: .init(orientation: 6, model: "Pixel 8")))
        XCTAssertEqual(rotated.map { [$0.width, $0.height] }, [600, 800])
        XCTAssertEqual(rotated?.exifModel, "Pixel 8")
    }

    func testBMPAndGIF() {
        XCTAssertEqual(info(FixtureImages.bmp(width: 300, height: 200)).map { [$0.width, $0.height] }, [300, 200])
        XCTAssertEqual(info(FixtureImages.bmp(width: 300, height: -200)).map { [$0.width, $0.height] }, [300, 200],
                       "a negative height is a top-down bitmap")
        XCTAssertEqual(info(FixtureImages.bmp(width: 30, height: 20, core: true)).map { [$0.width, $0.height] }, [30, 20])
        XCTAssertEqual(info(FixtureImages.gif(width: 48, height: 32)).map { [$0.format.rawValue] }, ["gif"])
    }

    func testTIFFBestEffort() {
        let bytes = FixtureImages.tiff(.init(orientation: 1), width: 1234, height: 567)
        XCTAssertEqual(info(bytes).map { [$0.width, $0.height] }, [1234, 567])
    }

    func testAbsurdDimensionsAreRefusedWithTheClaimedSize() {
        XCTAssertEqual(failure(FixtureImages.png(width: 200_000, height: 10)),
                       "PNG header claims 200000×10 pixels, not a plausible image size")
        XCTAssertEqual(failure(FixtureImages.jpeg(width: 0, height: 480)),
                       "JPEG header claims 0×480 pixels, not a plausible image size")
        XCTAssertNotNil(failure(FixtureImages.webpVP8X(width: 16_000_000, height: 2)))
    }

    func testEmptyGarbageAndTruncatedInputsFailCleanly() {
        XCTAssertEqual(failure([]), "file is empty (0 bytes)")
        XCTAssertTrue(failure(Array("hello, world".utf8))?.hasPrefix("not a JPEG, PNG, WebP, BMP, GIF or TIFF file") ?? false)
        let jpeg = FixtureImages.jpeg(width: 640, height: 480, exif: .init(orientation: 6, model: "Model"))
        for cut in [2, 3, 5, 12, 30, jpeg.count - 14] {
            XCTAssertNotNil(failure(Array(jpeg.prefix(cut))), "JPEG cut at \(cut)")
        }
        let png = FixtureImages.png(width: 10, height: 10)
        for cut in [8, 12, 20, 29] { XCTAssertNotNil(failure(Array(png.prefix(cut))), "PNG cut at \(cut)") }
        let webp = FixtureImages.webpVP8X(width: 10, height: 10)
        for cut in [12, 16, 22, 28] { XCTAssertNotNil(failure(Array(webp.prefix(cut))), "WebP cut at \(cut)") }
        XCTAssertNotNil(failure(Array(FixtureImages.bmp(width: 10, height: 10).prefix(20))))
    }

    func testMissingFileAndFolderFromPath() {
        let folder = FixtureFolder()
        if case .failure(let error) = ImageHeader.read(path: folder.url("nope.jpg")) {
            XCTAssertEqual(error.message, "file is missing")
        } else {
            XCTFail("missing file read")
        }
        if case .success = ImageHeader.read(path: folder.path) { XCTFail("a folder is not an image") }
    }

    /// Random truncations and byte flips of valid headers must never crash or hang.
    func testMutatedHeadersNeverCrash() {
        var rng = SplitMix(seed: 42)
        let seeds: [[UInt8]] = [
            FixtureImages.jpeg(width: 640, height: 480, exif: .init(orientation: 6, model: "M", dateTime: "2020:01:01 00:00:00", dateTimeOriginal: "2020:01:01 00:00:00")),
            FixtureImages.png(width: 640, height: 480),
            FixtureImages.webpVP8X(width: 64, height: 64, exif: .init(orientation: 3)),
            FixtureImages.webpVP8(width: 64, height: 64),
            FixtureImages.bmp(width: 64, height: 64),
            FixtureImages.tiff(.init(orientation: 5, model: "Model"), width: 10, height: 10),
        ]
        var outcomes = 0
        for _ in 0..<4000 {
            var bytes = seeds[Int(rng.next() % UInt64(seeds.count))]
            for _ in 0..<(1 + Int(rng.next() % 6)) {
                let position = Int(rng.next() % UInt64(bytes.count))
                bytes[position] = UInt8(truncatingIfNeeded: rng.next())
            }
            if rng.next() % 2 == 0 { bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count + 1)))) }
            switch ImageHeader.read(bytes: bytes) {
            case .success(let header):
                XCTAssertTrue((1...ImageHeader.maxSide).contains(header.width))
                XCTAssertTrue((1...ImageHeader.maxSide).contains(header.height))
            case .failure(let error):
                XCTAssertFalse(error.message.isEmpty)
            }
            outcomes += 1
        }
        XCTAssertEqual(outcomes, 4000)
    }
}

/// Deterministic generator for fuzz-style tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
