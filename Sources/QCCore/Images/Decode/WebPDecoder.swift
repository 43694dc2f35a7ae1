import CWebP

/// WebP → small grayscale through libwebp. The only Swift file that calls it.
///
/// libwebp scales while it decodes (its rescaler averages areas, row by row), so only
/// the small output is allocated; asking for YUV output skips colour conversion, and
/// the luma plane is the gray image (expanded from video range 16–235 to 0–255).
enum WebPDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, targetSide: Int, maxPixels: Int,
                       looksTruncated: Bool) -> Result<GrayImage, DecodeError> {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return .failure(DecodeError(.empty, "WebP file is empty"))
        }
        var config = WebPDecoderConfig()
        let outWidth: Int, outHeight: Int
        switch prepare(&config, base, bytes.count, targetSide: targetSide, maxPixels: maxPixels, looksTruncated: looksTruncated) {
        case .success(let size): (outWidth, outHeight) = size
        case .failure(let e): return .failure(e)
        }
        config.output.colorspace = MODE_YUV
        let status = WebPDecode(base, bytes.count, &config)
        defer { WebPFreeDecBuffer(&config.output) }
        guard status == VP8_STATUS_OK, let luma = config.output.u.YUVA.y else {
            return .failure(failure(status, looksTruncated: looksTruncated))
        }
        let stride = Int(config.output.u.YUVA.y_stride)
        var pixels = [UInt8](repeating: 0, count: outWidth * outHeight)
        for y in 0..<outHeight {
            for x in 0..<outWidth {
                let video = Int(luma[y * stride + x])
                pixels[y * outWidth + x] = UInt8(clamping: ((video - 16) * 255 + 109) / 219)
            }
        }
        return .success(GrayImage(width: outWidth, height: outHeight, pixels: pixels))
    }

    private static func failure(_ status: VP8StatusCode, looksTruncated: Bool) -> DecodeError {
        switch status {
        case VP8_STATUS_NOT_ENOUGH_DATA:
            return DecodeError(.truncated, "WebP data stops early (truncated file)")
        case VP8_STATUS_UNSUPPORTED_FEATURE:
            return DecodeError(.unsupported, "WebP uses a feature libwebp cannot decode")
        case VP8_STATUS_OUT_OF_MEMORY:
            return DecodeError(.corrupt, "WebP decoding ran out of memory")
        default:
            if looksTruncated { return DecodeError(.truncated, "WebP data stops early (truncated file)") }
            return DecodeError(.corrupt, "WebP bitstream is corrupt (libwebp status \(status.rawValue))")
        }
    }
}

extension WebPDecoder {
    /// RGB, scaled by libwebp while decoding so each side is ≥ min(targetSide, side):
    /// the input of a gallery thumbnail.
    static func decodeRGB(_ bytes: UnsafeRawBufferPointer, targetSide: Int, maxPixels: Int) -> Result<RGBImage, DecodeError> {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return .failure(DecodeError(.empty, "WebP file is empty"))
        }
        var config = WebPDecoderConfig()
        let outWidth: Int, outHeight: Int
        switch prepare(&config, base, bytes.count, targetSide: targetSide, maxPixels: maxPixels, looksTruncated: false) {
        case .success(let size): (outWidth, outHeight) = size
        case .failure(let e): return .failure(e)
        }
        config.output.colorspace = MODE_RGB
        let status = WebPDecode(base, bytes.count, &config)
        defer { WebPFreeDecBuffer(&config.output) }
        guard status == VP8_STATUS_OK, let rgb = config.output.u.RGBA.rgba else {
            return .failure(failure(status, looksTruncated: false))
        }
        let stride = Int(config.output.u.RGBA.stride)
        var pixels = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        for y in 0..<outHeight {
            for x in 0..<outWidth * 3 { pixels[y * outWidth * 3 + x] = rgb[y * stride + x] }
        }
        return .success(RGBImage(width: outWidth, height: outHeight, pixels: pixels))
    }

    /// Lossy (quality 0–100) or lossless WebP from RGB pixels, for tests.
    static func encode(rgb: [UInt8], width: Int, height: Int, quality: Float? = 80) -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        let size = rgb.withUnsafeBufferPointer { pixels -> Int in
            if let quality {
                return WebPEncodeRGB(pixels.baseAddress, Int32(width), Int32(height), Int32(width * 3), quality, &output)
            }
            return WebPEncodeLosslessRGB(pixels.baseAddress, Int32(width), Int32(height), Int32(width * 3), &output)
        }
        defer { if let output { WebPFree(output) } }
        guard size > 0, let output else { return [] }
        return Array(UnsafeBufferPointer(start: output, count: size))
    }

    /// What both decode paths do first: start the decoder, read the features, refuse
    /// absurd sizes and animations, and ask libwebp to scale to the reduced size.
    private static func prepare(_ config: inout WebPDecoderConfig, _ base: UnsafePointer<UInt8>, _ count: Int,
                                targetSide: Int, maxPixels: Int, looksTruncated: Bool) -> Result<(Int, Int), DecodeError> {
        guard WebPInitDecoderConfig(&config) != 0 else {
            return .failure(DecodeError(.corrupt, "libwebp could not start a decoder (version mismatch)"))
        }
        let featureStatus = WebPGetFeatures(base, count, &config.input)
        guard featureStatus == VP8_STATUS_OK else {
            return .failure(failure(featureStatus, looksTruncated: looksTruncated))
        }
        let width = Int(config.input.width), height = Int(config.input.height)
        if let refusal = DecodeLimits.refusal(format: "WebP", width: width, height: height, maxPixels: maxPixels) {
            return .failure(refusal)
        }
        if config.input.has_animation != 0 {
            return .failure(DecodeError(.unsupported, "WebP is animated; qcpass hashes still images only"))
        }
        let (outWidth, outHeight) = GrayResize.reducedSize(width: width, height: height, targetSide: targetSide)
        if outWidth != width || outHeight != height {
            config.options.use_scaling = 1
            config.options.scaled_width = Int32(outWidth)
            config.options.scaled_height = Int32(outHeight)
        }
        return .success((outWidth, outHeight))
    }
}
