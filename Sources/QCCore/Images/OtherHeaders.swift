/// BMP: BITMAPCOREHEADER (12 bytes, 16-bit sizes) or BITMAPINFOHEADER and later (≥ 40
/// bytes, signed 32-bit sizes; a negative height means top-down rows).
enum BMPHeader {
    static func parse<Source: HeaderBytes>(_ source: inout Source) -> Result<ImageInfo, ImageHeaderError> {
        guard let headerSize = source.le32(14) else {
            return .failure(ImageHeader.truncated("BMP", "no DIB header"))
        }
        switch headerSize {
        case 12:
            guard let width = source.le16(18), let height = source.le16(20) else {
                return .failure(ImageHeader.truncated("BMP", "BITMAPCOREHEADER"))
            }
            return .success(ImageInfo(format: .bmp, storedWidth: width, storedHeight: height))
        case 16, 40, 52, 56, 64, 108, 124:
            guard let rawWidth = source.le32(18), let rawHeight = source.le32(22) else {
                return .failure(ImageHeader.truncated("BMP", "BITMAPINFOHEADER"))
            }
            let width = Int(Int32(truncatingIfNeeded: rawWidth))
            let height = Int(Int32(truncatingIfNeeded: rawHeight))
            guard width > 0, height != 0, height != Int(Int32.min) else {
                return .failure(ImageHeaderError("BMP header claims \(width)×\(height) pixels, not a plausible image size"))
            }
            return .success(ImageInfo(format: .bmp, storedWidth: width, storedHeight: abs(height)))
        default:
            return .failure(ImageHeaderError("BMP DIB header size \(headerSize) is not a known BMP version: corrupt"))
        }
    }
}

/// GIF: logical screen size right after the signature.
enum GIFHeader {
    static func parse<Source: HeaderBytes>(_ source: inout Source) -> Result<ImageInfo, ImageHeaderError> {
        guard let width = source.le16(6), let height = source.le16(8) else {
            return .failure(ImageHeader.truncated("GIF", "logical screen descriptor"))
        }
        return .success(ImageInfo(format: .gif, storedWidth: width, storedHeight: height))
    }
}

/// TIFF (best effort): ImageWidth/ImageLength and orientation from the first IFD.
enum TIFFHeader {
    static func parse<Source: HeaderBytes>(_ source: inout Source) -> Result<ImageInfo, ImageHeaderError> {
        guard let fields = EXIFReader.read(&source, base: 0, length: source.size),
              let width = fields.width, let height = fields.height else {
            return .failure(ImageHeaderError("TIFF has no readable ImageWidth/ImageLength in its first IFD"))
        }
        var info = ImageInfo(format: .tiff, storedWidth: width, storedHeight: height, orientation: fields.orientation)
        info.exifModel = fields.model
        info.exifDate = fields.date
        return .success(info)
    }
}
