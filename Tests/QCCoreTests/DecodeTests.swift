import XCTest
@testable import QCCore

final class DecodeTests: XCTestCase {
    typealias T = DecodeTestImages

    // MARK: real files of each format

    func testJPEGDecodesAtOneEighthInGrayWithBlockMeans() throws {
        let rgb = T.photo(width: 640, height: 480, seed: 1)
        let jpeg = JPEGDecoder.encode(pixels: rgb, width: 640, height: 480, channels: 3, quality: 95)
        let image = try XCTUnwrap(T.decoded(jpeg))
        XCTAssertEqual(image.width, 80, "1/8 is the smallest DCT scale keeping both sides ≥ 32")
        XCTAssertEqual(image.height, 60)
        XCTAssertNil(image.warning)
        // Each output pixel is the mean of an 8×8 block of the luma.
        let gray = T.gray(rgb)
        var worst = 0
        for by in stride(from: 0, to: 60, by: 7) {
            for bx in stride(from: 0, to: 80, by: 9) {
                var sum = 0
                for y in 0..<8 { for x in 0..<8 { sum += Int(gray[(by * 8 + y) * 640 + bx * 8 + x]) } }
                worst = max(worst, abs(sum / 64 - Int(image[bx, by])))
            }
        }
        XCTAssertLessThanOrEqual(worst, 6, "block means within JPEG q95 error")
    }

    func testJPEGScaleKeepsBothSidesAtLeastTheTarget() throws {
        for (w, h) in [(100, 60), (250, 250), (33, 200), (20, 10), (1280, 720)] {
            let jpeg = JPEGDecoder.encode(pixels: T.gray(T.photo(width: w, height: h, seed: 2)), width: w, height: h, channels: 1)
            let image = try XCTUnwrap(T.decoded(jpeg), "\(w)×\(h)")
            XCTAssertGreaterThanOrEqual(image.width, min(32, w), "\(w)×\(h)")
            XCTAssertGreaterThanOrEqual(image.height, min(32, h), "\(w)×\(h)")
            XCTAssertLessThanOrEqual(image.width, w)
            XCTAssertLessThan(image.width * image.height, max(4 * 64 * 64, w * h / 8), "\(w)×\(h) decoded small")
        }
        // 1280×720 → 160×90 (1/8); 100×60 → 63×38 (5/8, the first scale with 60 → ≥ 32)
        XCTAssertEqual(T.decoded(JPEGDecoder.encode(pixels: [UInt8](repeating: 9, count: 1280 * 720), width: 1280, height: 720, channels: 1)).map { [$0.width, $0.height] }, [160, 90])
    }

    func testCMYKJPEGBecomesLumaOfInvertedInks() throws {
        // Adobe-style CMYK: 255 = no ink. Four flat quadrants of 16×16.
        let quadrants: [[UInt8]] = [[255, 255, 255, 255], [255, 255, 255, 0], [0, 255, 255, 255], [200, 100, 50, 128]]
        var cmyk: [UInt8] = []
        for y in 0..<32 { for x in 0..<32 { cmyk += quadrants[(y / 16) * 2 + x / 16] } }
        let image = try XCTUnwrap(T.decoded(JPEGDecoder.encode(pixels: cmyk, width: 32, height: 32, channels: 4, quality: 100)))
        XCTAssertEqual([image.width, image.height], [32, 32])
        for (index, q) in quadrants.enumerated() {
            let expected = (299 * Int(q[0]) + 587 * Int(q[1]) + 114 * Int(q[2])) * Int(q[3]) / 255_000
            let pixel = image[(index % 2) * 16 + 8, (index / 2) * 16 + 8]
            XCTAssertEqual(Int(pixel), expected, accuracy: 4, "quadrant \(index)")
        }
    }

    func testPNGGrayAndRGBExactPixels() throws {
        let w = 20, h = 10
        let gray = (0..<(w * h)).map { UInt8(($0 * 7) % 256) }
        let decodedGray = try XCTUnwrap(T.decoded(PNGDecoder.encode(pixels: gray, width: w, height: h, channels: 1)))
        XCTAssertEqual(decodedGray.pixels, gray, "small images are returned at full size, lossless")
        // Neutral RGB colours convert to the same gray level.
        let neutral = gray.flatMap { [$0, $0, $0] }
        let decodedRGB = try XCTUnwrap(T.decoded(PNGDecoder.encode(pixels: neutral, width: w, height: h, channels: 3)))
        XCTAssertEqual(decodedRGB.width, w)
        XCTAssertLessThanOrEqual(zip(decodedRGB.pixels, gray).map { abs(Int($0) - Int($1)) }.max() ?? 0, 1)
    }

    func testPNGLargeIsReducedByAreaAveraging() throws {
        let rgb = T.photo(width: 640, height: 480, seed: 3)
        let image = try XCTUnwrap(T.decoded(PNGDecoder.encode(pixels: rgb, width: 640, height: 480, channels: 3)))
        XCTAssertEqual(image.height, 32)
        XCTAssertEqual(image.width, 43, "aspect kept, shorter side at the target")
    }

    func testWebPLossyAndLossless() throws {
        let w = 24, h = 16
        let gray = (0..<(w * h)).map { UInt8(($0 * 5) % 256) }
        let lossless = WebPDecoder.encode(rgb: gray.flatMap { [$0, $0, $0] }, width: w, height: h, quality: nil)
        let image = try XCTUnwrap(T.decoded(lossless))
        XCTAssertEqual([image.width, image.height], [w, h])
        XCTAssertLessThanOrEqual(zip(image.pixels, gray).map { abs(Int($0) - Int($1)) }.max() ?? 0, 3,
                                 "luma expanded from video range to 0–255")
        let photo = T.photo(width: 640, height: 480, seed: 4)
        let lossy = try XCTUnwrap(T.decoded(WebPDecoder.encode(rgb: photo, width: 640, height: 480, quality: 80)))
        XCTAssertEqual([lossy.width, lossy.height], [43, 32], "libwebp scales while decoding")
    }

    func testBMPTwentyFourBitAndPaletteAndTopDown() throws {
        let w = 7, h = 5 // odd width: rows are padded to 4 bytes
        let rgb = T.photo(width: w, height: h, seed: 5)
        let image = try XCTUnwrap(T.decoded(BMPDecoder.encode(rgb: rgb, width: w, height: h)))
        XCTAssertEqual(image.pixels, T.gray(rgb))

        // 8-bit palette, top-down (negative height), BITMAPINFOHEADER.
        func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)] }
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        let palette: [UInt8] = (0..<256).flatMap { [UInt8($0), UInt8($0), UInt8($0), 0] }
        let stride = 8
        let indices: [UInt8] = (0..<(stride * 2)).map { UInt8($0 * 10) }
        let offset = 14 + 40 + palette.count
        var bmp: [UInt8] = Array("BM".utf8) + le32(offset + indices.count) + le32(0) + le32(offset)
        bmp += le32(40) + le32(5) + le32(-2 & 0xFFFF_FFFF) + le16(1) + le16(8) + le32(0) + le32(indices.count) + le32(0) + le32(0) + le32(0) + le32(0)
        bmp += palette + indices
        let paletted = try XCTUnwrap(T.decoded(bmp))
        XCTAssertEqual([paletted.width, paletted.height], [5, 2])
        XCTAssertEqual(paletted.pixels, [0, 10, 20, 30, 40, 80, 90, 100, 110, 120], "top-down rows, padding skipped")
    }

    // MARK: orientation

    func testOrientedMatchesPILExifTranspose() {
        let stored = GrayImage(width: 3, height: 2, pixels: [1, 2, 3, 4, 5, 6])
        let expected: [UInt8: (Int, [UInt8])] = [
            1: (3, [1, 2, 3, 4, 5, 6]), 2: (3, [3, 2, 1, 6, 5, 4]), 3: (3, [6, 5, 4, 3, 2, 1]), 4: (3, [4, 5, 6, 1, 2, 3]),
            5: (2, [1, 4, 2, 5, 3, 6]), 6: (2, [4, 1, 5, 2, 6, 3]), 7: (2, [6, 3, 5, 2, 4, 1]), 8: (2, [3, 6, 2, 5, 1, 4]),
        ]
        for (orientation, (width, pixels)) in expected {
            let shown = stored.oriented(orientation)
            XCTAssertEqual(shown.width, width, "orientation \(orientation)")
            XCTAssertEqual(shown.pixels, pixels, "orientation \(orientation)")
        }
    }

    func testRotatedCopyWithOrientationTagHashesLikeTheUprightImage() throws {
        let w = 320, h = 240
        let upright = T.photo(width: w, height: h, seed: 6)
        // Stored turned 90° counter-clockwise, tagged 6 ("rotate 90° clockwise to display").
        var turned = [UInt8](repeating: 0, count: upright.count)
        for y in 0..<w { for x in 0..<h {
            let source = (x * w + (w - 1 - y)) * 3 // stored(x, y) = upright(w-1-y, x)
            for k in 0..<3 { turned[(y * h + x) * 3 + k] = upright[source + k] }
        } }
        let tagged = T.withOrientation(JPEGDecoder.encode(pixels: turned, width: h, height: w, channels: 3), 6)
        let plain = JPEGDecoder.encode(pixels: upright, width: w, height: h, channels: 3)
        let a = try XCTUnwrap(T.decoded(tagged)), b = try XCTUnwrap(T.decoded(plain))
        XCTAssertEqual([a.width, a.height], [b.width, b.height], "decoded in displayed orientation")
        XCTAssertLessThanOrEqual(PerceptualHash.distance(PerceptualHash.hash(a), PerceptualHash.hash(b)), 4)
        // Without applying the tag the hashes would be unrelated.
        let untagged = try XCTUnwrap(T.decoded(JPEGDecoder.encode(pixels: turned, width: h, height: w, channels: 3)))
        XCTAssertGreaterThan(PerceptualHash.distance(PerceptualHash.hash(untagged), PerceptualHash.hash(b)), 12)
    }

    // MARK: broken input is an error value, never a crash

    func testEmptyGarbageAndUnsupported() {
        XCTAssertEqual(T.failure([])?.kind, .empty)
        XCTAssertEqual(T.failure(Array("hello, not an image".utf8))?.kind, .unsupported)
        XCTAssertEqual(T.failure(FixtureImages.gif(width: 10, height: 10))?.kind, .unsupported)
        XCTAssertEqual(T.failure([0xFF, 0xD8])?.kind, .corrupt, "a JPEG signature and nothing else")
    }

    func testAbsurdDimensionsAreRefusedFromTheHeader() {
        // Headers only (no pixel data): refused before any decoding is attempted.
        let huge = T.failure(FixtureImages.jpeg(width: 60000, height: 60000))
        XCTAssertEqual(huge?.kind, .absurdDimensions, huge?.message ?? "")
        XCTAssertEqual(T.failure(FixtureImages.png(width: 200_000, height: 10))?.kind, .absurdDimensions)
        XCTAssertEqual(T.failure(FixtureImages.png(width: 20000, height: 20000))?.kind, .absurdDimensions)
        XCTAssertEqual(T.failure(FixtureImages.webpVP8X(width: 16000, height: 16000))?.kind, .absurdDimensions)
        XCTAssertEqual(T.failure(FixtureImages.png(width: 0, height: 10))?.kind, .absurdDimensions)
        // A custom limit applies to every format.
        let png = PNGDecoder.encode(pixels: [UInt8](repeating: 1, count: 100 * 100), width: 100, height: 100, channels: 1)
        if case .failure(let error) = HashDecoder.decodeGray(bytes: png, targetSide: 32, maxPixels: 5000) {
            XCTAssertEqual(error.kind, .absurdDimensions)
        } else { XCTFail("limit ignored") }
    }

    func testTruncatedFilesOfEveryFormat() {
        let rgb = T.photo(width: 256, height: 192, seed: 7)
        let files: [(String, [UInt8])] = [
            ("jpeg", JPEGDecoder.encode(pixels: rgb, width: 256, height: 192, channels: 3)),
            ("png", PNGDecoder.encode(pixels: rgb, width: 256, height: 192, channels: 3)),
            ("webp", WebPDecoder.encode(rgb: rgb, width: 256, height: 192, quality: 80)),
            ("bmp", BMPDecoder.encode(rgb: rgb, width: 256, height: 192)),
        ]
        for (name, bytes) in files {
            XCTAssertNotNil(T.decoded(bytes), name)
            for share in [0.3, 0.6, 0.9] {
                let cut = Array(bytes.prefix(Int(Double(bytes.count) * share)))
                let error = T.failure(cut)
                XCTAssertEqual(error?.kind, .truncated, "\(name) cut at \(share): \(error?.message ?? "decoded")")
            }
        }
    }

    func testJPEGMissingOnlyItsEndMarkerIsAcceptedWithAWarning() throws {
        let rgb = T.photo(width: 256, height: 192, seed: 8)
        let jpeg = JPEGDecoder.encode(pixels: rgb, width: 256, height: 192, channels: 3)
        XCTAssertEqual(Array(jpeg.suffix(2)), [0xFF, 0xD9])
        let whole = try XCTUnwrap(T.decoded(jpeg))
        let noEOI = try XCTUnwrap(T.decoded(Array(jpeg.dropLast(2))))
        XCTAssertEqual(noEOI.pixels, whole.pixels)
        XCTAssertNotNil(noEOI.warning)
        // Stray bytes before EOI are harmless.
        let padded = try XCTUnwrap(T.decoded(Array(jpeg.dropLast(2)) + [1, 2, 3, 0xFF, 0xD9]))
        XCTAssertEqual(padded.pixels, whole.pixels)
    }

    func testCorruptDataIsAnErrorNotACrash() {
        let rgb = T.photo(width: 128, height: 96, seed: 9)
        let jpeg = JPEGDecoder.encode(pixels: rgb, width: 128, height: 96, channels: 3)
        var smashed = jpeg
        for i in stride(from: jpeg.count / 3, to: jpeg.count - 10, by: 5) { smashed[i] = 0xFF } // markers mid-scan
        let error = T.failure(smashed)
        XCTAssertNotNil(error)
        XCTAssertTrue([.corrupt, .truncated].contains(error?.kind), error?.message ?? "")
        var png = PNGDecoder.encode(pixels: rgb, width: 128, height: 96, channels: 3)
        png[png.count / 2] ^= 0x55 // breaks the IDAT checksum and the zlib stream
        XCTAssertEqual(T.failure(png)?.kind, .corrupt)
    }

    func testRandomByteDamageNeverCrashes() {
        let rgb = T.photo(width: 96, height: 64, seed: 10)
        let files = [
            JPEGDecoder.encode(pixels: rgb, width: 96, height: 64, channels: 3),
            PNGDecoder.encode(pixels: rgb, width: 96, height: 64, channels: 3),
            WebPDecoder.encode(rgb: rgb, width: 96, height: 64, quality: 70),
            WebPDecoder.encode(rgb: rgb, width: 96, height: 64, quality: nil),
            BMPDecoder.encode(rgb: rgb, width: 96, height: 64),
        ]
        var rng = T.RNG(state: 11)
        var outcomes = [0, 0]
        for file in files {
            for _ in 0..<150 {
                var damaged = file
                for _ in 0..<rng.int(1...6) { damaged[rng.int(0...(damaged.count - 1))] = UInt8(truncatingIfNeeded: rng.next()) }
                if rng.int(0...3) == 0 { damaged = Array(damaged.prefix(rng.int(1...damaged.count))) }
                switch HashDecoder.decodeGray(bytes: damaged, targetSide: 32) {
                case .success(let image):
                    XCTAssertEqual(image.pixels.count, image.width * image.height)
                    outcomes[0] += 1
                case .failure(let error):
                    XCTAssertFalse(error.message.isEmpty)
                    outcomes[1] += 1
                }
            }
        }
        XCTAssertGreaterThan(outcomes[1], 0)
    }

    // MARK: files on disk

    func testRecordWithNonUTF8NameAndMissingFile() throws {
        let folder = FixtureFolder()
        let name: [UInt8] = Array(folder.path.utf8) + Array("/caf".utf8) + [0xE9] + Array(".png".utf8) // Latin-1 é
        let png = PNGDecoder.encode(pixels: [UInt8](repeating: 77, count: 40 * 30), width: 40, height: 30, channels: 1)
        let fd = open(name.map { CChar(bitPattern: $0) } + [0], O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        _ = png.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        var record = ImageRecord(path: "caf\u{FFFD}.png", absolutePath: String(decoding: name, as: UTF8.self), split: 0)
        record.rawAbsolutePath = name
        guard case .success(let image) = HashDecoder.decodeGray(record: record, targetSide: 32) else {
            return XCTFail("the raw path bytes open the file")
        }
        XCTAssertEqual([image.width, image.height], [40, 30])
        let missing = ImageRecord(path: "nope.jpg", absolutePath: folder.path + "/nope.jpg", split: 0)
        guard case .failure(let error) = HashDecoder.decodeGray(record: missing, targetSide: 32) else { return XCTFail() }
        XCTAssertEqual(error.kind, .unreadableFile)
    }
}
