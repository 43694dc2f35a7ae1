import Foundation

/// Real, decodable PNG files for test datasets, written without any image library:
/// stored (uncompressed) deflate blocks, CRC-32 and Adler-32 by hand. A uniform grey
/// image, or with a `seed` a blocky pattern of its own, so that pictures of one fixture
/// are not each other's duplicates.
enum FixtureImages {
    static func png(width: Int, height: Int, gray: UInt8 = 128, seed: UInt64? = nil) -> Data {
        var raw: [UInt8] = []
        var state = seed ?? 0
        let blocks = (0..<64).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        for y in 0..<height {
            raw.append(0)
            for x in 0..<width {
                raw.append(seed == nil ? gray : blocks[(y * 8 / max(1, height)) * 8 + x * 8 / max(1, width)])
            }
        }
        var z: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65535, raw.count - offset)
            let final: UInt8 = offset + n == raw.count ? 1 : 0
            z += [final, UInt8(n & 0xff), UInt8(n >> 8), UInt8(~n & 0xff), UInt8((~n >> 8) & 0xff)]
            z += raw[offset..<offset + n]
            offset += n
        } while offset < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        z += be32((b << 16) | a)
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        out += chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height)) + [8, 0, 0, 0, 0])
        out += chunk("IDAT", z)
        out += chunk("IEND", [])
        return Data(out)
    }

    private static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(UInt32(data.count)) + body + be32(crc32(body))
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1 }
        return c
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xff)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

/// A YOLO dataset in a temp folder, built file by file.
struct YOLOFixture {
    let root: URL
    var names = ["forklift", "person", "pallet"]

    init(_ name: String = #function) {
        root = CLI.tempDir(name)
    }

    func image(_ rel: String, width: Int = 64, height: Int = 48) throws {
        let url = root.appendingPathComponent(rel)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Each path its own picture (FNV-1a of the path as the pattern's seed).
        let seed = rel.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
        try FixtureImages.png(width: width, height: height, seed: seed).write(to: url)
    }

    func label(_ rel: String, _ text: String) throws {
        let url = root.appendingPathComponent(rel)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func labelBytes(_ rel: String, _ bytes: [UInt8]) throws {
        let url = root.appendingPathComponent(rel)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    func yaml(splits: [String] = ["train", "val"]) throws {
        var text = "path: .\n"
        for s in splits { text += "\(s): images/\(s)\n" }
        text += "names:\n" + names.enumerated().map { "  \($0.offset): \($0.element)" }.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: root.appendingPathComponent("data.yaml"))
    }

    func write(_ rel: String, _ text: String) throws {
        let url = root.appendingPathComponent(rel)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
}
