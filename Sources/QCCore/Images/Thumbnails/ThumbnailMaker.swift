/// A small JPEG of an image, in its displayed orientation, for the HTML gallery: decoded
/// only as large as the thumbnail needs (libjpeg's DCT scaling, libwebp's rescaler),
/// then area-averaged to `maxSide` on the longer side.
public enum ThumbnailMaker {
    public static let defaultMaxSide = 256

    public static func jpeg(of bytes: [UInt8], maxSide: Int = defaultMaxSide, quality: Int = 80) -> Result<[UInt8], DecodeError> {
        decodeRGB(bytes, maxSide: maxSide).flatMap { image in
            let small = image.fitted(maxSide: maxSide)
            let encoded = JPEGDecoder.encode(pixels: small.pixels, width: small.width, height: small.height,
                                             channels: 3, quality: quality)
            return encoded.isEmpty ? .failure(DecodeError(.corrupt, "the thumbnail could not be encoded")) : .success(encoded)
        }
    }

    /// Displayed-orientation RGB whose longer side is at least `maxSide` (when the image is that large).
    static func decodeRGB(_ bytes: [UInt8], maxSide: Int) -> Result<RGBImage, DecodeError> {
        if bytes.isEmpty { return .failure(DecodeError(.empty, "image file is empty (0 bytes)")) }
        return bytes.withUnsafeBytes { raw -> Result<RGBImage, DecodeError> in
            var source = MemoryHeaderBytes(buffer: raw)
            let parsed: Result<ImageInfo, ImageHeaderError>
            if source.be16(0) == 0xFFD8 { parsed = JPEGHeader.parse(&source) }
            else if source.be32(0) == 0x8950_4E47 { parsed = PNGHeader.parse(&source) }
            else if source.matches(0, "RIFF") && source.matches(8, "WEBP") { parsed = WebPHeader.parse(&source) }
            else if source.matches(0, "BM") { parsed = BMPHeader.parse(&source) }
            else { return .failure(DecodeError(.unsupported, "not a JPEG, PNG, WebP or BMP file")) }
            let info: ImageInfo
            switch parsed {
            case .success(let i): info = i
            case .failure(let e): return .failure(DecodeError(.corrupt, e.message))
            }
            // The shorter side's target that leaves the longer side at ≥ maxSide.
            let longer = max(info.storedWidth, info.storedHeight), shorter = min(info.storedWidth, info.storedHeight)
            let target = longer > 0 ? max(1, (maxSide * shorter + longer - 1) / longer) : maxSide
            let decoded: Result<RGBImage, DecodeError>
            switch info.format {
            case .jpeg: decoded = JPEGDecoder().decodeRGB(raw, targetSide: target, maxPixels: DecodeLimits.maxPixels)
            case .png: decoded = PNGDecoder.decodeRGB(raw, targetSide: target, maxPixels: DecodeLimits.maxPixels)
            case .webp: decoded = WebPDecoder.decodeRGB(raw, targetSide: target, maxPixels: DecodeLimits.maxPixels)
            case .bmp: decoded = BMPDecoder.decode(raw, targetSide: target, maxPixels: DecodeLimits.maxPixels).map(RGBImage.init(gray:))
            case .gif, .tiff: return .failure(DecodeError(.unsupported, "\(info.format.rawValue.uppercased()) images get no thumbnail"))
            }
            return decoded.map { $0.oriented(info.orientation) }
        }
    }
}
