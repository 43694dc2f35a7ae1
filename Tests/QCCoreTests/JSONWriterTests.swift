import Foundation
import XCTest
@testable import QCCore

/// Strings written by JSONWriter read back unchanged, whatever characters they hold and
/// wherever those fall relative to the eight-byte blocks the escaper scans.
final class JSONWriterTests: XCTestCase {
    func testEveryStringRoundTrips() throws {
        let specials: [Character] = ["\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "é", "→", "😀", "/", " ", "a"]
        var random = SeededRandom(seed: 5)
        var strings = ["", "plain ascii only, longer than sixteen bytes", String(repeating: "\"", count: 17)]
        for length in 0..<40 {
            for _ in 0..<8 {
                strings.append(String((0..<length).map { _ in specials[Int(random.next() % UInt64(specials.count))] }))
            }
        }
        var w = JSONWriter(indent: 0, reserve: 1 << 16)
        w.beginArray()
        for s in strings { w.string(s) }
        w.endArray()
        let decoded = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(w.bytes)) as? [String])
        XCTAssertEqual(decoded, strings)
        // Control characters never appear raw in the output.
        XCTAssertFalse(w.bytes.contains { $0 < 0x20 })
    }

    func testBlockTestFindsEveryByteThatNeedsEscaping() {
        for special: UInt8 in Array(0..<0x20) + [0x22, 0x5C] {
            for position in 0..<8 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 8)
                bytes[position] = special
                let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                XCTAssertTrue(JSONWriter.mayNeedEscape(word), "byte \(special) at \(position)")
            }
        }
        let clean = Array("abcXYZ09".utf8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        XCTAssertFalse(JSONWriter.mayNeedEscape(clean))
    }
}
