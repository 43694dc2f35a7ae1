/// Size limits checked from headers before any pixel buffer is allocated.
public enum DecodeLimits {
    /// Larger sides are refused (the header reader's limit).
    public static let maxSide = ImageHeader.maxSide
    /// 200 megapixels: a full PNG/BMP decode of that is 200 MB of gray per worker.
    public static let maxPixels = 200_000_000

    static func refusal(format: String, width: Int, height: Int, maxPixels: Int) -> DecodeError? {
        if width <= 0 || height <= 0 || width > maxSide || height > maxSide || width * height > maxPixels {
            return DecodeError(.absurdDimensions,
                               "\(format) header claims \(width)×\(height) pixels, beyond the \(maxSide)-per-side and \(maxPixels / 1_000_000)-megapixel limits")
        }
        return nil
    }
}

/// Decodes images only as large as a hash needs, in grayscale and displayed orientation.
///
/// EXIF orientation is applied (to the small decoded image, where it costs nothing):
/// a photo stored rotated with an orientation tag and the same photo saved upright
/// then hash alike, and hashes describe what annotators and Ultralytics see — the
/// orientation in which DESIGN.md defines box coordinates.
public enum HashDecoder {
    /// Decodes the image file of `record` (exact on-disk path bytes).
    public static func decodeGray(record: ImageRecord, targetSide: Int) -> Result<GrayImage, DecodeError> {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.readFile(of: record)
        } catch {
            return .failure(DecodeError(.unreadableFile, "cannot read the image file: \(error.reason)"))
        }
        return decodeGray(bytes: bytes, targetSide: targetSide)
    }

    /// Decodes image bytes in memory (tests, fuzzing, callers that already hold the file).
    public static func decodeGray(bytes: [UInt8], targetSide: Int,
                                  maxPixels: Int = DecodeLimits.maxPixels) -> Result<GrayImage, DecodeError> {
        let decoder = GrayDecoder()
        return bytes.withUnsafeBytes { decoder.decode($0, targetSide: targetSide, maxPixels: maxPixels) }
    }
}

/// One worker's decoders (the JPEG handle and its buffers are reused across files).
final class GrayDecoder {
    private let jpeg = JPEGDecoder()

    func decode(_ bytes: UnsafeRawBufferPointer, targetSide: Int,
                maxPixels: Int = DecodeLimits.maxPixels) -> Result<GrayImage, DecodeError> {
        if bytes.isEmpty { return .failure(DecodeError(.empty, "image file is empty (0 bytes)")) }
        // The format parsers directly (not `ImageHeader.read`), so an absurd size is told
        // apart from a corrupt header and refused here, before any pixel buffer exists.
        var source = MemoryHeaderBytes(buffer: bytes)
        let parsed: Result<ImageInfo, ImageHeaderError>
        if source.be16(0) == 0xFFD8 {
            parsed = JPEGHeader.parse(&source)
        } else if source.be32(0) == 0x8950_4E47 && source.be32(4) == 0x0D0A_1A0A {
            parsed = PNGHeader.parse(&source)
        } else if source.matches(0, "RIFF") && source.matches(8, "WEBP") {
            parsed = WebPHeader.parse(&source)
        } else if source.matches(0, "BM") {
            parsed = BMPHeader.parse(&source)
        } else {
            let what = source.matches(0, "GIF8") ? "GIF" : source.matches(0, "II*\u{0}") || source.matches(0, "MM\u{0}*") ? "TIFF"
                : source.matches(4, "ftyp") ? "HEIF/AVIF" : nil
            return .failure(DecodeError(.unsupported, what.map { "\($0) images are not decoded for hashing (convert to JPEG or PNG)" }
                ?? "not a JPEG, PNG, WebP or BMP file (starts with \(ImageHeader.leadingHex(&source)))"))
        }
        let info: ImageInfo
        switch parsed {
        case .success(let header): info = header
        case .failure(let error): return .failure(DecodeError(.corrupt, error.message))
        }
        if let refusal = DecodeLimits.refusal(format: info.format.rawValue.uppercased(), width: info.storedWidth,
                                              height: info.storedHeight, maxPixels: maxPixels) {
            return .failure(refusal)
        }
        let side = max(1, targetSide)
        let decoded: Result<GrayImage, DecodeError>
        switch info.format {
        case .jpeg: decoded = jpeg.decode(bytes, targetSide: side, maxPixels: maxPixels)
        case .png: decoded = PNGDecoder.decode(bytes, targetSide: side, maxPixels: maxPixels, looksTruncated: info.warning != nil)
        case .webp: decoded = WebPDecoder.decode(bytes, targetSide: side, maxPixels: maxPixels, looksTruncated: info.warning != nil)
        case .bmp: decoded = BMPDecoder.decode(bytes, targetSide: side, maxPixels: maxPixels)
        case .gif, .tiff:
            return .failure(DecodeError(.unsupported, "\(info.format.rawValue.uppercased()) images are not decoded for hashing"))
        }
        return decoded.map { $0.oriented(info.orientation) }
    }
}
