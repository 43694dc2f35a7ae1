/// The few TIFF/EXIF tags qcpass needs, read from a TIFF structure at `base` (the JPEG
/// APP1 "Exif" payload, a WebP EXIF chunk, or a TIFF file itself). Every offset is
/// bounds-checked against `length`; a malformed block yields what was read so far.
struct EXIFFields {
    var orientation: UInt8 = 1
    var model: String?
    var dateTimeOriginal: String?
    var dateTime: String?
    /// TIFF ImageWidth / ImageLength (0x0100 / 0x0101), for TIFF files.
    var width: Int?
    var height: Int?

    var date: String? { dateTimeOriginal ?? dateTime }
}

enum EXIFReader {
    static func read<Source: HeaderBytes>(_ source: inout Source, base: Int, length: Int) -> EXIFFields? {
        guard length >= 8 else { return nil }
        let little: Bool
        if source.matches(base, "II*\u{0}") {
            little = true
        } else if source.matches(base, "MM\u{0}*") {
            little = false
        } else {
            return nil
        }
        func u16(_ offset: Int) -> Int? {
            guard offset >= 0, offset + 2 <= length else { return nil }
            return little ? source.le16(base + offset) : source.be16(base + offset)
        }
        func u32(_ offset: Int) -> Int? {
            guard offset >= 0, offset + 4 <= length else { return nil }
            return little ? source.le32(base + offset) : source.be32(base + offset)
        }
        func ascii(count: Int, entry: Int) -> String? {
            guard count > 0, count <= 4096 else { return nil }
            let start = count <= 4 ? entry + 8 : (u32(entry + 8) ?? -1)
            guard start >= 0, start + count <= length,
                  let raw = source.bytes(at: base + start, count: count) else { return nil }
            var text = Array(raw.prefix(while: { $0 != 0 }))
            while let last = text.last, last == 0x20 { text.removeLast() }
            while let first = text.first, first == 0x20 { text.removeFirst() }
            if text.isEmpty { return nil }
            return String(decoding: text.prefix(256), as: UTF8.self)
        }
        /// SHORT or LONG scalar stored inline.
        func scalar(type: Int, entry: Int) -> Int? {
            switch type {
            case 3: return u16(entry + 8)
            case 4: return u32(entry + 8)
            default: return nil
            }
        }

        var fields = EXIFFields()
        var exifIFD: Int?
        var pending = [u32(4) ?? -1]
        var seen: Set<Int> = []
        while let ifd = pending.popLast() {
            guard ifd >= 8, seen.insert(ifd).inserted, let count = u16(ifd), count <= 1024 else { continue }
            for index in 0..<count {
                let entry = ifd + 2 + index * 12
                guard let tag = u16(entry), let type = u16(entry + 2), let n = u32(entry + 4) else { break }
                switch tag {
                case 0x0112:
                    if let value = scalar(type: type, entry: entry), (1...8).contains(value) {
                        fields.orientation = UInt8(value)
                    }
                case 0x0110 where type == 2:
                    fields.model = ascii(count: n, entry: entry)
                case 0x0132 where type == 2:
                    fields.dateTime = ascii(count: n, entry: entry)
                case 0x9003 where type == 2:
                    fields.dateTimeOriginal = ascii(count: n, entry: entry)
                case 0x0100:
                    if ifd == (u32(4) ?? -1) { fields.width = scalar(type: type, entry: entry) }
                case 0x0101:
                    if ifd == (u32(4) ?? -1) { fields.height = scalar(type: type, entry: entry) }
                case 0x8769:
                    if exifIFD == nil, let offset = scalar(type: type, entry: entry) {
                        exifIFD = offset
                        pending.append(offset)
                    }
                default:
                    break
                }
            }
        }
        return fields
    }
}
