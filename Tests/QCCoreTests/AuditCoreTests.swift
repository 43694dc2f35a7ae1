@testable import QCCore
import XCTest

/// The audit's building blocks: the seeded generator, the sheet's CSV both ways, and
/// thumbnails from every decoded format.
final class AuditCoreTests: XCTestCase {
    func testSeededRandomIsSplitMix64AndShufflesReproducibly() {
        // SplitMix64's published first output for seed 0.
        var zero = SeededRandom(seed: 0)
        XCTAssertEqual(zero.next(), 0xE220_A839_7B1D_CDAF)
        var a = SeededRandom(seed: 9), b = SeededRandom(seed: 9), c = SeededRandom(seed: 10)
        let items = Array(0..<50)
        let first = a.shuffled(items)
        XCTAssertEqual(first, b.shuffled(items))
        XCTAssertNotEqual(first, c.shuffled(items))
        XCTAssertEqual(first.sorted(), items)
        var r = SeededRandom(seed: 1)
        XCTAssertTrue((0..<1000).allSatisfy { _ in (0..<7).contains(r.below(7)) })
    }

    func testSheetQuotesWhatCSVNeedsAndReadsItBack() throws {
        let rows = [AuditSheet.Row(image: "images/a,b.jpg", bucket: "flagged", reason: "input/invalid_label: field 3 \"0.5x\"", findingId: "f1"),
                    AuditSheet.Row(image: "images/c.jpg", bucket: "per_class", reason: "class pallet", note: "two\nlines")]
        let text = AuditSheet(rows: rows).csv()
        XCTAssertTrue(text.hasPrefix("image,bucket,reason,finding_id,box_ref,verdict,corrected_class,note\n"))
        XCTAssertTrue(text.contains("\"images/a,b.jpg\",flagged,\"input/invalid_label: field 3 \"\"0.5x\"\"\",f1,,,,\n"), text)
        let back = try AuditSheetReader.parse(Array(text.utf8), name: "audit.csv")
        XCTAssertEqual(back.rows.map(\.image), rows.map(\.image))
        XCTAssertEqual(back.rows.map(\.reason), rows.map(\.reason))
        XCTAssertEqual(back.rows[1].note, "two\nlines")
        XCTAssertEqual(back.rows.map(\.line), [2, 3])
    }

    func testSheetErrorsNameTheLine() {
        func failure(_ text: String) -> String {
            do { _ = try AuditSheetReader.parse(Array(text.utf8), name: "s.csv"); return "no error" } catch { return error.description }
        }
        XCTAssertEqual(failure("image,verdict\na.jpg,ok\nb.jpg,maybe\n"),
                       "s.csv:3: unknown verdict 'maybe' (known: ok, mislabeled, missing_labels, bad_box, duplicate, other, or empty for not reviewed)")
        XCTAssertTrue(failure("image,verdict\na.jpg,\"ok\n").hasPrefix("s.csv:2: a quoted field"))
        XCTAssertTrue(failure("image,verdict\n,ok\n").hasPrefix("s.csv:2: the image column is empty"))
        XCTAssertTrue(failure("").hasPrefix("s.csv: the audit sheet is empty"))
    }

    func testThumbnailsOfEveryFormatAreSmallJPEGsInDisplayedOrientation() throws {
        let width = 640, height = 360
        let rgb = DecodeTestImages.photo(width: width, height: height, seed: 5)
        let files: [(String, [UInt8])] = [
            ("jpeg", JPEGDecoder.encode(pixels: rgb, width: width, height: height, channels: 3)),
            ("png", PNGDecoder.encode(pixels: rgb, width: width, height: height, channels: 3)),
            ("webp", WebPDecoder.encode(rgb: rgb, width: width, height: height)),
            ("bmp", BMPDecoder.encode(rgb: rgb, width: width, height: height)),
        ]
        for (format, bytes) in files {
            let thumb = try ThumbnailMaker.jpeg(of: bytes).get()
            XCTAssertEqual(Array(thumb.prefix(2)), [0xFF, 0xD8], format)
            let decoded = try HashDecoder.decodeGray(bytes: thumb, targetSide: 1000).get()
            XCTAssertEqual([decoded.width, decoded.height], [256, 144], format)
            XCTAssertLessThan(thumb.count, 30_000, format)
        }
        // Small images are not enlarged; unreadable bytes are an error, not a crash.
        let tiny = JPEGDecoder.encode(pixels: [UInt8](repeating: 90, count: 40 * 30 * 3), width: 40, height: 30, channels: 3)
        let small = try HashDecoder.decodeGray(bytes: try ThumbnailMaker.jpeg(of: tiny).get(), targetSide: 1000).get()
        XCTAssertEqual([small.width, small.height], [40, 30])
        XCTAssertThrowsError(try ThumbnailMaker.jpeg(of: Array("not an image".utf8)).get())
        XCTAssertThrowsError(try ThumbnailMaker.jpeg(of: Array(files[0].1.prefix(300))).get())
    }

    func testRGBOrientationTurnsLikeTheGrayImage() {
        // 2×1: red then blue; orientation 6 (90° clockwise) gives 1×2, red on top.
        let image = RGBImage(width: 2, height: 1, pixels: [255, 0, 0, 0, 0, 255])
        let turned = image.oriented(6)
        XCTAssertEqual([turned.width, turned.height], [1, 2])
        XCTAssertEqual(turned.pixels, [255, 0, 0, 0, 0, 255])
        XCTAssertEqual(image.oriented(8).pixels, [0, 0, 255, 255, 0, 0])
    }
}
