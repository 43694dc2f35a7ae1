import XCTest
@testable import QCCore

final class HashTests: XCTestCase {
    typealias T = DecodeTestImages

    // MARK: the DCT

    func testTruncatedDCTMatchesTheNaiveFormula() {
        var rng = T.RNG(state: 21)
        let n = PerceptualHash.side
        let pixels = (0..<(n * n)).map { _ in Float(rng.unit() * 255) }
        let fast = pixels.withUnsafeBufferPointer { PerceptualHash.lowFrequencies($0) }
        let k = PerceptualHash.kept
        for v in 0..<k {
            for u in 0..<k {
                var naive = 0.0
                for y in 0..<n { for x in 0..<n {
                    naive += Double(pixels[y * n + x]) * cos(Double.pi * Double(2 * y + 1) * Double(v) / Double(2 * n))
                        * cos(Double.pi * Double(2 * x + 1) * Double(u) / Double(2 * n))
                } }
                XCTAssertEqual(Double(fast[v * k + u]), naive, accuracy: 0.05 + abs(naive) * 1e-4, "(\(v), \(u))")
            }
        }
    }

    func testFullSeparableDCTMatchesTheNaiveFormula() {
        var rng = T.RNG(state: 22)
        let n = 8
        let pixels = (0..<(n * n)).map { _ in rng.unit() * 100 - 50 }
        let fast = PerceptualHash.dct2D(pixels, size: n)
        for v in 0..<n { for u in 0..<n {
            var naive = 0.0
            for y in 0..<n { for x in 0..<n {
                naive += pixels[y * n + x] * cos(Double.pi * Double(2 * y + 1) * Double(v) / Double(2 * n))
                    * cos(Double.pi * Double(2 * x + 1) * Double(u) / Double(2 * n))
            } }
            XCTAssertEqual(fast[v * n + u], naive, accuracy: 1e-9)
        } }
        // A constant image has only a DC term.
        let flat = PerceptualHash.dct2D([Double](repeating: 3, count: 16), size: 4)
        XCTAssertEqual(flat[0], 48, accuracy: 1e-12)
        XCTAssertEqual(flat.dropFirst().map(abs).max()!, 0, accuracy: 1e-12)
    }

    func testAreaResizeAveragesExactly() {
        // 4×2 → 2×1: each output is the mean of a 2×2 block.
        let source: [UInt8] = [0, 10, 20, 30, 40, 50, 60, 70]
        var out = [Float](repeating: 0, count: 2)
        source.withUnsafeBufferPointer { s in out.withUnsafeMutableBufferPointer {
            GrayResize.area(s, width: 4, height: 2, into: $0, outWidth: 2, outHeight: 1)
        } }
        XCTAssertEqual(out, [25, 45])
        // 3 → 2 along a row: fractional coverage (0 + 0.5·30)/1.5 and (0.5·30 + 60)/1.5.
        let row: [UInt8] = [0, 30, 60]
        var two = [Float](repeating: 0, count: 2)
        row.withUnsafeBufferPointer { s in two.withUnsafeMutableBufferPointer {
            GrayResize.area(s, width: 3, height: 1, into: $0, outWidth: 2, outHeight: 1)
        } }
        XCTAssertEqual(two[0], 10, accuracy: 1e-4)
        XCTAssertEqual(two[1], 50, accuracy: 1e-4)
    }

    // MARK: pHash behaviour

    private func phash(_ rgb: [UInt8], _ w: Int, _ h: Int, quality: Int = 90) throws -> UInt64 {
        let jpeg = JPEGDecoder.encode(pixels: rgb, width: w, height: h, channels: 3, quality: quality)
        guard case .success(let hashes) = ImageHashing.hash(bytes: jpeg) else { throw XCTSkip("encode failed") }
        return hashes.phash
    }

    func testPHashHasHalfItsBitsSet() {
        for seed: UInt64 in 30..<36 {
            let image = GrayImage(width: 64, height: 48, pixels: T.gray(T.photo(width: 64, height: 48, seed: seed)))
            XCTAssertEqual(PerceptualHash.hash(image).nonzeroBitCount, 32, "median threshold over 64 coefficients")
        }
    }

    func testPHashIsStableUnderNearDuplicateEdits() throws {
        let w = 640, h = 480
        for seed: UInt64 in [40, 41, 42] {
            let rgb = T.photo(width: w, height: h, seed: seed)
            let original = try phash(rgb, w, h)
            let reencoded = try phash(rgb, w, h, quality: 40)
            let resized = try phash(T.resize(rgb, width: w, height: h, to: 448, 336), 448, 336)
            let cw = Int(Double(w) * 0.97), ch = Int(Double(h) * 0.97) // 6% of the area
            let cropped = try phash(T.crop(rgb, width: w, x: 5, y: 4, w: cw, h: ch), cw, ch)
            let brighter = try phash(T.brightness(rgb, 1.1), w, h)
            let darker = try phash(T.brightness(rgb, 0.9), w, h)
            for (name, hash, limit) in [("q40", reencoded, 6), ("resize 0.7", resized, 6), ("crop 6%", cropped, 10),
                                        ("brightness +10%", brighter, 6), ("brightness -10%", darker, 6)] {
                XCTAssertLessThanOrEqual(PerceptualHash.distance(original, hash), limit, "seed \(seed): \(name)")
            }
        }
    }

    func testPHashSeparatesDifferentPictures() throws {
        let hashes = try (50..<62).map { try phash(T.photo(width: 320, height: 240, seed: UInt64($0)), 320, 240) }
        var closest = 64
        for i in 0..<hashes.count { for j in (i + 1)..<hashes.count {
            closest = min(closest, PerceptualHash.distance(hashes[i], hashes[j]))
        } }
        XCTAssertGreaterThan(closest, 12, "unrelated pictures stay far apart")
    }

    func testPHashAgreesAcrossFormats() throws {
        let w = 320, h = 240
        let rgb = T.photo(width: w, height: h, seed: 60)
        let reference = try phash(rgb, w, h, quality: 95)
        for (name, bytes) in [("png", PNGDecoder.encode(pixels: rgb, width: w, height: h, channels: 3)),
                              ("webp", WebPDecoder.encode(rgb: rgb, width: w, height: h, quality: 90)),
                              ("bmp", BMPDecoder.encode(rgb: rgb, width: w, height: h))] {
            guard case .success(let hashes) = ImageHashing.hash(bytes: bytes) else { return XCTFail(name) }
            XCTAssertLessThanOrEqual(PerceptualHash.distance(hashes.phash, reference), 6, name)
        }
    }

    // MARK: content hash and the per-image record

    func testContentDigestIsXXH3OfTheBytes() throws {
        let bytes = JPEGDecoder.encode(pixels: T.photo(width: 64, height: 64, seed: 70), width: 64, height: 64, channels: 3)
        guard case .success(let hashes) = ImageHashing.hash(bytes: bytes) else { return XCTFail() }
        XCTAssertEqual(hashes.contentHex, ContentHash.xxh3_128Hex(bytes))
        XCTAssertEqual(hashes.fileSize, Int64(bytes.count))
        XCTAssertEqual([hashes.decodeWidth, hashes.decodeHeight], [32, 32], "64 px: 1/2 is the smallest scale ≥ 32")
        XCTAssertEqual(ContentDigest(hex: hashes.contentHex), hashes.content)
        XCTAssertNil(ContentDigest(hex: "xyz"))
        // xxh128sum's known value for the empty input.
        XCTAssertEqual([UInt8]().withUnsafeBytes { ContentHash.xxh3_128($0).hex }, "99aa06d3014798d86001c324468d497f")
    }

    func testBrokenImageStillCarriesItsContentDigest() {
        let bytes = Array("definitely not an image".utf8)
        guard case .failure(let error) = ImageHashing.hash(bytes: bytes) else { return XCTFail() }
        XCTAssertEqual(error.content?.hex, ContentHash.xxh3_128Hex(bytes), "exact copies of broken files are still found")
        XCTAssertEqual(error.fileSize, Int64(bytes.count))
    }

    func testHashAllInParallelMatchesOneJobAndReportsProgress() throws {
        let folder = FixtureFolder()
        var dataset = Dataset(name: "d", root: folder.path, format: .yolo, source: folder.path + "/data.yaml",
                              splits: ["train"], classNames: [0: "a"])
        for index in 0..<40 {
            let rgb = T.photo(width: 96, height: 72, seed: UInt64(100 + index % 30))
            let name = "images/\(index).jpg"
            let path = folder.write(name, JPEGDecoder.encode(pixels: rgb, width: 96, height: 72, channels: 3))
            dataset.images.append(ImageRecord(path: name, absolutePath: path, split: 0))
        }
        dataset.images.append(ImageRecord(path: "images/missing.jpg", absolutePath: folder.path + "/images/missing.jpg", split: 0))
        let broken = folder.write("images/broken.jpg", [0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0])
        dataset.images.append(ImageRecord(path: "images/broken.jpg", absolutePath: broken, split: 0))

        let serial = ImageHashing.hashAll(dataset, jobs: 1)
        let lock = NSLock()
        var reported: [Int] = []
        let parallel = ImageHashing.hashAll(dataset, jobs: 3) { done, total in
            XCTAssertEqual(total, 42)
            lock.lock(); reported.append(done); lock.unlock()
        }
        XCTAssertEqual(serial.count, 42)
        XCTAssertEqual(parallel, serial)
        XCTAssertEqual(reported.max(), 42)
        guard case .success(let first) = serial[0], case .success(let copy) = serial[30] else { return XCTFail() }
        XCTAssertEqual(first.content, copy.content, "images 0 and 30 are the same bytes")
        guard case .failure(let missing) = serial[40], case .failure(let corrupt) = serial[41] else { return XCTFail() }
        XCTAssertEqual(missing.kind, .unreadableFile)
        XCTAssertNil(missing.content)
        XCTAssertNotNil(corrupt.content)
    }

    func testReuseHookSkipsTheDecode() throws {
        let folder = FixtureFolder()
        let bytes = JPEGDecoder.encode(pixels: T.photo(width: 64, height: 64, seed: 80), width: 64, height: 64, channels: 3)
        let path = folder.write("a.jpg", bytes)
        let images = [ImageRecord(path: "a.jpg", absolutePath: path, split: 0)]
        let cached = ImageHashes(content: ContentDigest(high: 1, low: 2), fileSize: 3, phash: 42, decodeWidth: 1, decodeHeight: 1)
        var seen: ContentDigest?
        let results = ImageHashing.hash(images: images, jobs: 1, reuse: { index, digest, size in
            XCTAssertEqual(index, 0)
            XCTAssertEqual(size, Int64(bytes.count))
            seen = digest
            return .success(cached)
        })
        XCTAssertEqual(seen?.hex, ContentHash.xxh3_128Hex(bytes))
        XCTAssertEqual(results, [.success(cached)])
        let fresh = ImageHashing.hash(images: images, jobs: 1, reuse: { _, _, _ in nil })
        guard case .success(let computed) = fresh[0] else { return XCTFail() }
        XCTAssertNotEqual(computed.phash, 42)
    }
}
