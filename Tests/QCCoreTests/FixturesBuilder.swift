import Foundation
@testable import QCCore

/// Minimal but valid image headers and dataset trees, written to a fresh temp folder.
enum FixtureImages {
    struct EXIF {
        var orientation: Int?
        var model: String?
        var dateTime: String?
        var dateTimeOriginal: String?
        var littleEndian = false
    }

    /// A TIFF block: IFD0 (orientation, model, DateTime, ExifIFD pointer) and an Exif IFD.
    static func tiff(_ exif: EXIF, width: Int? = nil, height: Int? = nil) -> [UInt8] {
        let little = exif.littleEndian
        func u16(_ v: Int) -> [UInt8] { little ? [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] : [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] {
            let be = [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
            return little ? be.reversed() : be
        }
        enum Value { case short(Int), long(Int), ascii(String), pointer }
        var ifd0: [(Int, Value)] = []
        if let width { ifd0.append((0x0100, .long(width))) }
        if let height { ifd0.append((0x0101, .short(height))) }
        if let model = exif.model { ifd0.append((0x0110, .ascii(model))) }
        if let orientation = exif.orientation { ifd0.append((0x0112, .short(orientation))) }
        if let date = exif.dateTime { ifd0.append((0x0132, .ascii(date))) }
        var sub: [(Int, Value)] = []
        if let original = exif.dateTimeOriginal { sub.append((0x9003, .ascii(original))) }
        if !sub.isEmpty { ifd0.append((0x8769, .pointer)) }

        var out: [UInt8] = little ? Array("II".utf8) + u16(42) : Array("MM".utf8) + u16(42)
        out += u32(8)
        let ifd0Size = 2 + ifd0.count * 12 + 4
        let subOffset = 8 + ifd0Size
        let subSize = sub.isEmpty ? 0 : 2 + sub.count * 12 + 4
        var dataOffset = subOffset + subSize
        var data: [UInt8] = []
        func entries(_ list: [(Int, Value)]) -> [UInt8] {
            var bytes = u16(list.count)
            for (tag, value) in list {
                bytes += u16(tag)
                switch value {
                case .short(let v): bytes += u16(3) + u32(1) + u16(v) + [0, 0]
                case .long(let v): bytes += u16(4) + u32(1) + u32(v)
                case .pointer: bytes += u16(4) + u32(1) + u32(subOffset)
                case .ascii(let s):
                    let text = Array(s.utf8) + [0]
                    bytes += u16(2) + u32(text.count)
                    if text.count <= 4 {
                        bytes += text + [UInt8](repeating: 0, count: 4 - text.count)
                    } else {
                        bytes += u32(dataOffset + data.count)
                        data += text
                    }
                }
            }
            return bytes + u32(0)
        }
        // Data offsets are assigned while writing entries, so lay out both IFDs first.
        dataOffset = subOffset + subSize
        let first = entries(ifd0)
        let second = sub.isEmpty ? [] : entries(sub)
        out += first + second + data
        return out
    }

    static func jpeg(width: Int, height: Int, exif: EXIF? = nil, paddingSegment: Int = 0,
                     frameMarker: UInt8 = 0xC0, endMarker: Bool = true) -> [UInt8] {
        var out: [UInt8] = [0xFF, 0xD8]
        if let exif {
            let payload = Array("Exif".utf8) + [0, 0] + tiff(exif)
            let length = payload.count + 2
            out += [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        }
        var remaining = paddingSegment
        while remaining > 0 {
            let chunk = min(remaining, 65_000)
            let length = chunk + 2
            out += [0xFF, 0xE2, UInt8(length >> 8), UInt8(length & 0xFF)] + [UInt8](repeating: 0x41, count: chunk)
            remaining -= chunk
        }
        // DQT-free minimal frame: SOFn with 3 components.
        out += [0xFF, frameMarker, 0x00, 0x11, 0x08, UInt8(height >> 8), UInt8(height & 0xFF),
                UInt8(width >> 8), UInt8(width & 0xFF), 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]
        if endMarker { out += [0xFF, 0xD9] }
        return out
    }

    static func png(width: Int, height: Int, withEnd: Bool = true, corruptCRC: Bool = false) -> [UInt8] {
        func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            var crc = body.withUnsafeBytes { CRC32.checksum($0) }
            if corruptCRC && type == "IHDR" { crc ^= 1 }
            return be32(data.count) + body + be32(Int(crc))
        }
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        out += chunk("IHDR", be32(width) + be32(height) + [8, 2, 0, 0, 0])
        out += chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
        if withEnd { out += chunk("IEND", []) }
        return out
    }

    private static func riff(_ chunks: [UInt8]) -> [UInt8] {
        let size = 4 + chunks.count
        return Array("RIFF".utf8) + le32(size) + Array("WEBP".utf8) + chunks
    }

    static func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)] }
    static func le24(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF)] }
    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }

    static func webpVP8X(width: Int, height: Int, exif: EXIF? = nil) -> [UInt8] {
        var chunks = Array("VP8X".utf8) + le32(10) + [exif == nil ? 0 : 0x08, 0, 0, 0] + le24(width - 1) + le24(height - 1)
        chunks += Array("VP8L".utf8) + le32(5) + [0x2F] + le32((width - 1) | (height - 1) << 14) + [0]
        if let exif {
            let block = tiff(exif)
            chunks += Array("EXIF".utf8) + le32(block.count) + block + (block.count % 2 == 1 ? [0] : [])
        }
        return riff(chunks)
    }

    static func webpVP8L(width: Int, height: Int) -> [UInt8] {
        riff(Array("VP8L".utf8) + le32(5) + [0x2F] + le32((width - 1) | (height - 1) << 14) + [0])
    }

    static func webpVP8(width: Int, height: Int) -> [UInt8] {
        riff(Array("VP8 ".utf8) + le32(10) + [0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A] + le16(width) + le16(height))
    }

    static func bmp(width: Int, height: Int, core: Bool = false) -> [UInt8] {
        var out = Array("BM".utf8) + le32(0) + le32(0) + le32(54)
        if core {
            out += le32(12) + le16(width) + le16(height) + le16(1) + le16(24)
        } else {
            out += le32(40) + le32(width & 0xFFFF_FFFF) + le32(height & 0xFFFF_FFFF) + le16(1) + le16(24)
            out += [UInt8](repeating: 0, count: 24)
        }
        return out
    }

    static func gif(width: Int, height: Int) -> [UInt8] {
        Array("GIF89a".utf8) + le16(width) + le16(height) + [0, 0, 0, 0x3B]
    }
}

/// A temp folder removed when the test object goes away.
final class FixtureFolder {
    let path: String

    init() {
        let template = NSTemporaryDirectory() + "qcpass-fixture-XXXXXX"
        var bytes = Array(template.utf8CString)
        let made = mkdtemp(&bytes)!
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func url(_ relative: String) -> String { relative.hasPrefix("/") ? relative : path + "/" + relative }

    @discardableResult
    func write(_ relative: String, _ bytes: [UInt8]) -> String {
        let full = url(relative)
        let folder = (full as NSString).deletingLastPathComponent
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: full, contents: Data(bytes))
        return full
    }

    @discardableResult
    func write(_ relative: String, text: String) -> String { write(relative, Array(text.utf8)) }

    func mkdir(_ relative: String) {
        try! FileManager.default.createDirectory(atPath: url(relative), withIntermediateDirectories: true)
    }

    /// A JPEG image plus (when given) its label text at the Ultralytics label path.
    func image(_ relative: String, width: Int = 640, height: Int = 480, label: String? = nil, exif: FixtureImages.EXIF? = nil) {
        write(relative, FixtureImages.jpeg(width: width, height: height, exif: exif))
        if let label {
            let labelPath = YOLOLoader.labelPath(for: RawPath(url(relative))).display
            write(labelPath, text: label)
        }
    }
}

extension Dataset {
    func image(named path: String) -> ImageRecord? { images.first { $0.path == path } }
    func issues(kind: String) -> [Finding] { issues.filter { $0.kind == kind } }
}
