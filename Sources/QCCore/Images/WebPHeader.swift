/// WebP: RIFF container with a VP8 (lossy), VP8L (lossless) or VP8X (extended) first chunk.
/// VP8X files may carry EXIF in a later chunk; its orientation is honoured like a JPEG's.
enum WebPHeader {
    static func parse<Source: HeaderBytes>(_ source: inout Source) -> Result<ImageInfo, ImageHeaderError> {
        guard let riffSize = source.le32(4), let chunkSize = source.le32(16), source.bytes(at: 12, count: 4) != nil else {
            return .failure(ImageHeader.truncated("WebP", "no chunk after the RIFF header"))
        }
        var info: ImageInfo
        if source.matches(12, "VP8 ") {
            guard let tag = source.u8(20), source.bytes(at: 20, count: 10) != nil else {
                return .failure(ImageHeader.truncated("WebP", "VP8 frame header"))
            }
            guard tag & 1 == 0 else {
                return .failure(ImageHeaderError("WebP VP8 data does not start with a key frame: corrupt"))
            }
            guard source.u8(23) == 0x9D, source.u8(24) == 0x01, source.u8(25) == 0x2A else {
                return .failure(ImageHeaderError("WebP VP8 frame lacks its start code: corrupt"))
            }
            info = ImageInfo(format: .webp, storedWidth: (source.le16(26) ?? 0) & 0x3FFF,
                             storedHeight: (source.le16(28) ?? 0) & 0x3FFF)
        } else if source.matches(12, "VP8L") {
            guard let signature = source.u8(20), let bits = source.le32(21) else {
                return .failure(ImageHeader.truncated("WebP", "VP8L header"))
            }
            guard signature == 0x2F else {
                return .failure(ImageHeaderError("WebP VP8L signature is \(ImageHeader.hexByte(signature)), expected 0x2f: corrupt"))
            }
            info = ImageInfo(format: .webp, storedWidth: (bits & 0x3FFF) + 1, storedHeight: ((bits >> 14) & 0x3FFF) + 1)
        } else if source.matches(12, "VP8X") {
            guard let flags = source.u8(20), let widthMinusOne = source.le24(24), let heightMinusOne = source.le24(27) else {
                return .failure(ImageHeader.truncated("WebP", "VP8X header"))
            }
            var exif: EXIFFields?
            if flags & 0x08 != 0 { exif = findEXIF(&source, from: 20 + chunkSize + (chunkSize & 1)) }
            info = ImageInfo(format: .webp, storedWidth: widthMinusOne + 1, storedHeight: heightMinusOne + 1,
                             orientation: exif?.orientation ?? 1)
            info.exifModel = exif?.model
            info.exifDate = exif?.date
        } else {
            let name = source.bytes(at: 12, count: 4).map { String(decoding: $0, as: UTF8.self) } ?? "?"
            return .failure(ImageHeaderError("WebP first chunk is \"\(name)\", not VP8, VP8L or VP8X: corrupt"))
        }
        if riffSize + 8 > source.size {
            info.warning = "WebP RIFF header declares \(riffSize + 8) bytes but the file has \(source.size): truncated"
        }
        return .success(info)
    }

    /// Walks chunks after VP8X (at most 64, within the file) to an "EXIF" chunk.
    private static func findEXIF<Source: HeaderBytes>(_ source: inout Source, from start: Int) -> EXIFFields? {
        var offset = start
        for _ in 0..<64 {
            guard let size = source.le32(offset + 4) else { return nil }
            if source.matches(offset, "EXIF") {
                // Some writers keep JPEG's "Exif\0\0" prefix inside the chunk.
                let skip = source.matches(offset + 8, "Exif\u{0}\u{0}") ? 6 : 0
                return EXIFReader.read(&source, base: offset + 8 + skip, length: min(size - skip, source.size - offset - 8 - skip))
            }
            offset += 8 + size + (size & 1)
        }
        return nil
    }
}
