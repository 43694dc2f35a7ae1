import CTurboJPEG

/// JPEG → small grayscale through libturbojpeg. The only Swift file that calls it.
///
/// DCT-domain scaling decodes at 1/8, 1/4, 3/8 or 1/2 of the stored size: at 1/8 each
/// 8×8 block becomes its mean (its DC coefficient), so a 640×480 photo costs an entropy
/// decode and 4,800 one-point IDCTs instead of 307,200 pixels; grayscale output skips the
/// chroma IDCT and colour conversion. One decoder per worker thread (the handle is not
/// thread-safe and is reused for every file that worker takes).
final class JPEGDecoder {
    private let handle: tjhandle?
    /// Holds a copy of a file that lacks its end marker, with one appended (see `decode`).
    private var patched: [UInt8] = []

    init() { handle = tjInitDecompress() }
    deinit { if let handle { tjDestroy(handle) } }

    /// Stored (not yet EXIF-oriented) grayscale pixels, each side ≥ min(targetSide, stored side).
    ///
    /// Warnings: libjpeg reports damage as warnings and fills what it could not decode
    /// with a flat continuation, which would give every truncated file a similar hash
    /// and cluster them as false near-duplicates. So a warning is an error, except
    /// "extraneous bytes before a marker" (stray padding, harmless, common from some
    /// cameras), which is kept as `GrayImage.warning`. A file that only misses its
    /// 2-byte end marker decodes from a copy with the marker appended: when every scan
    /// is complete that decodes cleanly and is accepted (with a warning); when data is
    /// missing, the early marker makes libjpeg warn and the file is `.truncated`.
    func decode(_ bytes: UnsafeRawBufferPointer, targetSide: Int, maxPixels: Int) -> Result<GrayImage, DecodeError> {
        let header: Header
        switch readHeader(bytes, maxPixels: maxPixels) {
        case .success(let h): header = h
        case .failure(let e): return .failure(e)
        }
        let (handle, base, width, height, colorspace) = (header.handle, header.base, header.width, header.height, header.colorspace)
        let factor = Self.scalingFactor(width: Int(width), height: Int(height), targetSide: targetSide)
        let outWidth = Int(Self.scaled(width, factor)), outHeight = Int(Self.scaled(height, factor))
        let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        let channels = isCMYK ? 4 : 1
        let format = isCMYK ? TJPF_CMYK : TJPF_GRAY
        var pixels = [UInt8](repeating: 0, count: outWidth * outHeight * channels)

        let endsWithEOI = Self.hasEndMarker(bytes)
        var status: Int32
        if endsWithEOI {
            status = pixels.withUnsafeMutableBufferPointer {
                tjDecompress2(handle, base, UInt(bytes.count), $0.baseAddress, Int32(outWidth), 0, Int32(outHeight),
                              Int32(format.rawValue), 0)
            }
        } else {
            patched.removeAll(keepingCapacity: true)
            patched.append(contentsOf: bytes)
            patched.append(contentsOf: [0xFF, 0xD9])
            status = patched.withUnsafeBufferPointer { source in
                pixels.withUnsafeMutableBufferPointer {
                    tjDecompress2(handle, source.baseAddress, UInt(source.count), $0.baseAddress, Int32(outWidth), 0,
                                  Int32(outHeight), Int32(format.rawValue), 0)
                }
            }
        }
        var warning: String? = endsWithEOI ? nil : "JPEG lacks its end marker (EOI); the image data is complete"
        if status != 0 {
            let text = errorText()
            if tjGetErrorCode(handle) != Int32(TJERR_WARNING.rawValue) {
                return .failure(DecodeError(.corrupt, "JPEG data is corrupt: \(text)"))
            }
            if !endsWithEOI || text.contains("Premature end") {
                return .failure(DecodeError(.truncated, "JPEG data stops early (truncated file): \(text)"))
            }
            guard text.contains("extraneous bytes") else {
                return .failure(DecodeError(.corrupt, "JPEG data is corrupt: \(text)"))
            }
            warning = text
        }
        if isCMYK { pixels = Self.grayFromCMYK(pixels) }
        return .success(GrayImage(width: outWidth, height: outHeight, pixels: pixels, warning: warning))
    }

    private func errorText() -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown error" }
        return String(cString: text)
    }

    /// The smallest DCT scaling (at most 1/1) whose output keeps each side ≥ min(targetSide, side).
    static func scalingFactor(width: Int, height: Int, targetSide: Int) -> tjscalingfactor {
        var count: Int32 = 0
        var best = tjscalingfactor(num: 1, denom: 1)
        guard let factors = tjGetScalingFactors(&count) else { return best }
        for index in 0..<Int(count) {
            let factor = factors[index]
            guard factor.num <= factor.denom else { continue }
            let w = Int(scaled(Int32(width), factor)), h = Int(scaled(Int32(height), factor))
            guard w >= min(targetSide, width), h >= min(targetSide, height) else { continue }
            if Int(factor.num) * Int(best.denom) < Int(best.num) * Int(factor.denom) { best = factor }
        }
        return best
    }

    /// TJSCALED: ceil(dimension × num / denom).
    static func scaled(_ dimension: Int32, _ factor: tjscalingfactor) -> Int32 {
        (dimension * factor.num + factor.denom - 1) / factor.denom
    }

    /// True when the last 0xFF byte (ignoring trailing zero padding) starts an EOI marker.
    static func hasEndMarker(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var end = bytes.count
        while end > 2 && bytes[end - 1] == 0 && bytes.count - end < 4096 { end -= 1 }
        return end >= 2 && bytes[end - 2] == 0xFF && bytes[end - 1] == 0xD9
    }

    /// Luma of Adobe-style (inverted) CMYK, as Photoshop writes it: value 255 means no ink.
    static func grayFromCMYK(_ cmyk: [UInt8]) -> [UInt8] {
        var gray = [UInt8](repeating: 0, count: cmyk.count / 4)
        for index in 0..<gray.count {
            let c = Int(cmyk[4 * index]), m = Int(cmyk[4 * index + 1])
            let y = Int(cmyk[4 * index + 2]), k = Int(cmyk[4 * index + 3])
            gray[index] = UInt8((299 * c + 587 * m + 114 * y) * k / 255_000)
        }
        return gray
    }
}

extension JPEGDecoder {
    /// Stored (not yet EXIF-oriented) RGB pixels, DCT-scaled so each side is ≥
    /// min(targetSide, stored side): the input of a gallery thumbnail. Unlike `decode`,
    /// libjpeg's damage warnings are accepted — a thumbnail with a grey band still shows
    /// the reviewer the picture, and the input check reports the damage anyway. CMYK
    /// files, rare in training sets, come out as gray.
    func decodeRGB(_ bytes: UnsafeRawBufferPointer, targetSide: Int, maxPixels: Int) -> Result<RGBImage, DecodeError> {
        let header: Header
        switch readHeader(bytes, maxPixels: maxPixels) {
        case .success(let h): header = h
        case .failure(let e): return .failure(e)
        }
        let (handle, base, width, height, colorspace) = (header.handle, header.base, header.width, header.height, header.colorspace)
        if colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue) {
            return decode(bytes, targetSide: targetSide, maxPixels: maxPixels).map(RGBImage.init(gray:))
        }
        let factor = Self.scalingFactor(width: Int(width), height: Int(height), targetSide: targetSide)
        let outWidth = Int(Self.scaled(width, factor)), outHeight = Int(Self.scaled(height, factor))
        var pixels = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        let status = pixels.withUnsafeMutableBufferPointer {
            tjDecompress2(handle, base, UInt(bytes.count), $0.baseAddress, Int32(outWidth), 0, Int32(outHeight),
                          Int32(TJPF_RGB.rawValue), 0)
        }
        if status != 0 && tjGetErrorCode(handle) != Int32(TJERR_WARNING.rawValue) {
            return .failure(DecodeError(.corrupt, "JPEG data is corrupt: \(errorText())"))
        }
        return .success(RGBImage(width: outWidth, height: outHeight, pixels: pixels))
    }

    /// Baseline JPEG from gray (1 channel), RGB (3) or CMYK (4) pixels: gallery
    /// thumbnails, and test inputs built with the same library that decodes them.
    static func encode(pixels: [UInt8], width: Int, height: Int, channels: Int, quality: Int = 90) -> [UInt8] {
        precondition([1, 3, 4].contains(channels) && pixels.count == width * height * channels)
        guard let compressor = tjInitCompress() else { return [] }
        defer { tjDestroy(compressor) }
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let format = channels == 1 ? TJPF_GRAY : channels == 3 ? TJPF_RGB : TJPF_CMYK
        let subsampling = channels == 1 ? TJSAMP_GRAY : channels == 3 ? TJSAMP_420 : TJSAMP_444
        let status = pixels.withUnsafeBufferPointer {
            tjCompress2(compressor, $0.baseAddress, Int32(width), 0, Int32(height), Int32(format.rawValue),
                        &output, &size, Int32(subsampling.rawValue), Int32(quality), 0)
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output else { return [] }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }

    /// What both decode paths need first: a started decoder, the bytes, and a header
    /// within the size limits.
    struct Header {
        var handle: tjhandle
        var base: UnsafePointer<UInt8>
        var width: Int32, height: Int32, colorspace: Int32
    }

    func readHeader(_ bytes: UnsafeRawBufferPointer, maxPixels: Int) -> Result<Header, DecodeError> {
        guard let handle else { return .failure(DecodeError(.corrupt, "libturbojpeg could not start a decoder")) }
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 2 else {
            return .failure(DecodeError(.truncated, "JPEG file has no image data"))
        }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        if tjDecompressHeader3(handle, base, UInt(bytes.count), &width, &height, &subsampling, &colorspace) != 0 {
            return .failure(DecodeError(.corrupt, "JPEG header is unreadable: \(errorText())"))
        }
        if let refusal = DecodeLimits.refusal(format: "JPEG", width: Int(width), height: Int(height), maxPixels: maxPixels) {
            return .failure(refusal)
        }
        return .success(Header(handle: handle, base: base, width: width, height: height, colorspace: colorspace))
    }
}
