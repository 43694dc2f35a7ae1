/// JPEG: walk the marker segments to the first frame header (SOF0–15 except DHT, JPG and
/// DAC), reading EXIF from the first "Exif" APP1 on the way. Segments are skipped by their
/// length, so only the bytes actually needed are read.
enum JPEGHeader {
    static func parse<Source: HeaderBytes>(_ source: inout Source) -> Result<ImageInfo, ImageHeaderError> {
        var offset = 2
        var exif: EXIFFields?
        while true {
            guard let byte = source.u8(offset) else {
                return .failure(ImageHeader.truncated("JPEG", "no frame header before byte \(offset)"))
            }
            guard byte == 0xFF else {
                return .failure(ImageHeaderError("JPEG has byte \(ImageHeader.hexByte(byte)) where a marker was expected at offset \(offset): corrupt"))
            }
            // Any number of 0xFF fill bytes may precede a marker.
            var markerOffset = offset + 1
            while source.u8(markerOffset) == 0xFF { markerOffset += 1 }
            guard let marker = source.u8(markerOffset) else {
                return .failure(ImageHeader.truncated("JPEG", "inside a marker at byte \(offset)"))
            }
            offset = markerOffset + 1
            switch marker {
            case 0x01, 0xD0...0xD8:
                continue // standalone markers carry no length
            case 0xD9:
                return .failure(ImageHeaderError("JPEG ends (EOI) before any frame header: no image data"))
            case 0xDA:
                return .failure(ImageHeaderError("JPEG scan starts before any frame header: corrupt"))
            case 0x00:
                return .failure(ImageHeaderError("JPEG has a stuffed 0xFF00 where a marker was expected at offset \(offset - 2): corrupt"))
            default:
                break
            }
            guard let length = source.be16(offset) else {
                return .failure(ImageHeader.truncated("JPEG", "segment length at byte \(offset)"))
            }
            guard length >= 2 else {
                return .failure(ImageHeaderError("JPEG segment at byte \(offset - 2) has length \(length), below the minimum 2: corrupt"))
            }
            let isFrame = (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
            if isFrame {
                guard length >= 8, let height = source.be16(offset + 3), let width = source.be16(offset + 5) else {
                    return .failure(ImageHeader.truncated("JPEG", "frame header at byte \(offset - 2)"))
                }
                let orientation = exif?.orientation ?? 1
                var info = ImageInfo(format: .jpeg, storedWidth: width, storedHeight: height, orientation: orientation)
                info.exifModel = exif?.model
                info.exifDate = exif?.date
                if !source.tailContains([0xFF, 0xD9], window: 64) {
                    info.warning = "JPEG does not end with an EOI marker: the image data is truncated or padded"
                }
                return .success(info)
            }
            if marker == 0xE1 && exif == nil && length >= 14 && source.matches(offset + 2, "Exif\u{0}") {
                exif = EXIFReader.read(&source, base: offset + 8, length: length - 8)
            }
            offset += length
        }
    }
}

extension ImageHeader {
    /// "0x3f" for messages.
    static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return "0x" + String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
    }
}
