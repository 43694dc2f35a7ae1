import CPNG

/// PNG → grayscale through libpng's simplified API. The only Swift file that calls libpng.
///
/// libpng reports errors by longjmp, which must never cross a Swift frame. The
/// simplified API (`png_image_*`) catches them inside libpng itself and returns 0 with
/// the message in `png_image.message`, so no C shim is needed. PNG has no DCT-domain
/// scaling: the whole image is decoded to 8-bit gray (alpha composited on black), then
/// reduced by area averaging; the pixel limit bounds that buffer.
enum PNGDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, targetSide: Int, maxPixels: Int,
                       looksTruncated: Bool) -> Result<GrayImage, DecodeError> {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else {
            return .failure(failure(&image, looksTruncated: looksTruncated))
        }
        let width = Int(image.width), height = Int(image.height)
        if let refusal = DecodeLimits.refusal(format: "PNG", width: width, height: height, maxPixels: maxPixels) {
            return .failure(refusal)
        }
        image.format = UInt32(PNG_FORMAT_GRAY)
        var pixels = [UInt8](repeating: 0, count: width * height)
        var black = png_color(red: 0, green: 0, blue: 0)
        let finished = pixels.withUnsafeMutableBytes {
            png_image_finish_read(&image, &black, $0.baseAddress, 0, nil)
        }
        guard finished != 0 else { return .failure(failure(&image, looksTruncated: looksTruncated)) }
        // libpng's warnings (colour profiles, ancillary CRCs) do not affect the pixels.
        return .success(GrayResize.reduce(GrayImage(width: width, height: height, pixels: pixels), toAtLeast: targetSide))
    }

    private static func failure(_ image: inout png_image, looksTruncated: Bool) -> DecodeError {
        let text = withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if looksTruncated { return DecodeError(.truncated, "PNG data stops early (truncated file): \(text)") }
        return DecodeError(.corrupt, "PNG data is corrupt: \(text)")
    }
}

extension PNGDecoder {
    /// RGB (alpha composited on white, as viewers show it), reduced by area averaging so
    /// each side is ≥ min(targetSide, side): the input of a gallery thumbnail.
    static func decodeRGB(_ bytes: UnsafeRawBufferPointer, targetSide: Int, maxPixels: Int) -> Result<RGBImage, DecodeError> {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else {
            return .failure(failure(&image, looksTruncated: false))
        }
        let width = Int(image.width), height = Int(image.height)
        if let refusal = DecodeLimits.refusal(format: "PNG", width: width, height: height, maxPixels: maxPixels) {
            return .failure(refusal)
        }
        image.format = UInt32(PNG_FORMAT_RGB)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        var white = png_color(red: 255, green: 255, blue: 255)
        let finished = pixels.withUnsafeMutableBytes {
            png_image_finish_read(&image, &white, $0.baseAddress, 0, nil)
        }
        guard finished != 0 else { return .failure(failure(&image, looksTruncated: false)) }
        return .success(RGBImage(width: width, height: height, pixels: pixels).reduced(toAtLeast: targetSide))
    }

    /// 8-bit gray (1 channel) or RGB (3 channels) PNG, for tests.
    static func encode(pixels: [UInt8], width: Int, height: Int, channels: Int) -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = channels == 1 ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_FLAG_COLOR)
        defer { png_image_free(&image) }
        var size = 0
        let measured = pixels.withUnsafeBytes {
            png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, 0, nil)
        }
        guard measured != 0, size > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBytes { target in
            pixels.withUnsafeBytes {
                png_image_write_to_memory(&image, target.baseAddress, &size, 0, $0.baseAddress, 0, nil)
            }
        }
        guard written != 0 else { return [] }
        return Array(out.prefix(size))
    }
}
