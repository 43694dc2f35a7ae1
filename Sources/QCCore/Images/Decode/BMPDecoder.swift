/// BMP → grayscale in Swift (the format is a header and raw rows; no library needed).
///
/// Uncompressed 1/2/4/8-bit palette, 16/24/32-bit direct colour and BI_BITFIELDS, in
/// both row orders. RLE and embedded JPEG/PNG BMPs are `.unsupported` (rare in
/// training sets). Every read is bounds-checked; missing rows are `.truncated`.
enum BMPDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, targetSide: Int, maxPixels: Int) -> Result<GrayImage, DecodeError> {
        func le16(_ offset: Int) -> Int? {
            offset >= 0 && offset + 2 <= bytes.count ? Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 : nil
        }
        func le32(_ offset: Int) -> Int? {
            guard let low = le16(offset), let high = le16(offset + 2) else { return nil }
            return low | high << 16
        }
        guard let dataOffset = le32(10), let dibSize = le32(14) else {
            return .failure(DecodeError(.truncated, "BMP file ends inside its header (truncated)"))
        }
        var width = 0, height = 0, bitsPerPixel = 0, compression = 0, colorsUsed = 0
        var paletteOffset = 0, paletteEntry = 4
        if dibSize == 12 {
            guard let w = le16(18), let h = le16(20), let bpp = le16(24) else {
                return .failure(DecodeError(.truncated, "BMP file ends inside its header (truncated)"))
            }
            (width, height, bitsPerPixel) = (w, h, bpp)
            paletteOffset = 26
            paletteEntry = 3
        } else if dibSize >= 16 && dibSize <= 124 {
            guard let w = le32(18), let h = le32(22), let bpp = le16(28) else {
                return .failure(DecodeError(.truncated, "BMP file ends inside its header (truncated)"))
            }
            width = Int(Int32(truncatingIfNeeded: w))
            height = Int(Int32(truncatingIfNeeded: h))
            bitsPerPixel = bpp
            compression = dibSize >= 20 ? (le32(30) ?? 0) : 0
            colorsUsed = dibSize >= 36 ? (le32(46) ?? 0) : 0
            paletteOffset = 14 + dibSize
            if dibSize == 40 && compression == 3 { paletteOffset += 12 }
            if dibSize == 40 && compression == 6 { paletteOffset += 16 }
        } else {
            return .failure(DecodeError(.corrupt, "BMP DIB header size \(dibSize) is not a known BMP version"))
        }
        let topDown = height < 0
        height = abs(height)
        if let refusal = DecodeLimits.refusal(format: "BMP", width: width, height: height, maxPixels: maxPixels) {
            return .failure(refusal)
        }
        guard compression == 0 || compression == 3 || compression == 6 else {
            let name = [1: "RLE8", 2: "RLE4", 4: "embedded JPEG", 5: "embedded PNG"][compression] ?? "compression \(compression)"
            return .failure(DecodeError(.unsupported, "BMP uses \(name), which qcpass does not decode"))
        }
        guard [1, 2, 4, 8, 16, 24, 32].contains(bitsPerPixel) else {
            return .failure(DecodeError(.corrupt, "BMP claims \(bitsPerPixel) bits per pixel"))
        }

        // Gray value of each palette index, or the channel masks of direct colour.
        var paletteGray = [UInt8](repeating: 0, count: 256)
        if bitsPerPixel <= 8 {
            let count = min(colorsUsed > 0 ? colorsUsed : 1 << bitsPerPixel, 256)
            for index in 0..<count {
                let offset = paletteOffset + index * paletteEntry
                guard offset + 3 <= bytes.count else { break }
                paletteGray[index] = luma(r: Int(bytes[offset + 2]), g: Int(bytes[offset + 1]), b: Int(bytes[offset]))
            }
        }
        var masks = bitsPerPixel == 16 ? [0x7C00, 0x03E0, 0x001F] : [0xFF_0000, 0x00_FF00, 0x00_00FF]
        if compression == 3 || compression == 6 {
            guard let r = le32(54), let g = le32(58), let b = le32(62) else {
                return .failure(DecodeError(.truncated, "BMP file ends inside its colour masks (truncated)"))
            }
            masks = [r, g, b]
        }
        let channels = masks.map(MaskChannel.init)

        let stride = (width * bitsPerPixel + 31) / 32 * 4
        let lastRowBytes = (width * bitsPerPixel + 7) / 8
        guard dataOffset >= 14, dataOffset + stride * (height - 1) + lastRowBytes <= bytes.count else {
            return .failure(DecodeError(.truncated, "BMP pixel data stops early (truncated file)"))
        }
        var pixels = [UInt8](repeating: 0, count: width * height)
        pixels.withUnsafeMutableBufferPointer { out in
            for row in 0..<height {
                let y = topDown ? row : height - 1 - row
                let start = dataOffset + row * stride
                let target = y * width
                switch bitsPerPixel {
                case 24:
                    for x in 0..<width {
                        let p = start + 3 * x
                        out[target + x] = luma(r: Int(bytes[p + 2]), g: Int(bytes[p + 1]), b: Int(bytes[p]))
                    }
                case 32, 16:
                    let size = bitsPerPixel / 8
                    for x in 0..<width {
                        let p = start + size * x
                        var value = Int(bytes[p]) | Int(bytes[p + 1]) << 8
                        if size == 4 { value |= Int(bytes[p + 2]) << 16 | Int(bytes[p + 3]) << 24 }
                        out[target + x] = luma(r: channels[0].value(value), g: channels[1].value(value),
                                               b: channels[2].value(value))
                    }
                default:
                    let perByte = 8 / bitsPerPixel
                    let mask = (1 << bitsPerPixel) - 1
                    for x in 0..<width {
                        let byte = Int(bytes[start + x / perByte])
                        let shift = 8 - bitsPerPixel * (x % perByte + 1)
                        out[target + x] = paletteGray[(byte >> shift) & mask]
                    }
                }
            }
        }
        return .success(GrayResize.reduce(GrayImage(width: width, height: height, pixels: pixels), toAtLeast: targetSide))
    }

    /// BT.601 luma, as libjpeg computes gray from RGB.
    @inline(__always)
    static func luma(r: Int, g: Int, b: Int) -> UInt8 {
        UInt8((19595 * r + 38470 * g + 7471 * b + 32768) >> 16)
    }

    /// One colour channel of a BI_BITFIELDS pixel, scaled to 0–255.
    struct MaskChannel {
        let mask: Int
        let shift: Int
        let maximum: Int

        init(_ mask: Int) {
            self.mask = mask
            shift = mask == 0 ? 0 : mask.trailingZeroBitCount
            maximum = mask == 0 ? 0 : (mask >> shift)
        }

        @inline(__always)
        func value(_ pixel: Int) -> Int {
            maximum == 0 ? 0 : ((pixel & mask) >> shift) * 255 / maximum
        }
    }
}

extension BMPDecoder {
    /// A 24-bit bottom-up BMP from RGB pixels, for tests.
    static func encode(rgb: [UInt8], width: Int, height: Int) -> [UInt8] {
        let stride = (width * 3 + 3) / 4 * 4
        func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)] }
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        var out: [UInt8] = Array("BM".utf8) + le32(54 + stride * height) + le32(0) + le32(54)
        out += le32(40) + le32(width) + le32(height) + le16(1) + le16(24) + le32(0) + le32(stride * height)
        out += le32(2835) + le32(2835) + le32(0) + le32(0)
        for row in 0..<height {
            let y = height - 1 - row
            for x in 0..<width {
                let p = 3 * (y * width + x)
                out += [rgb[p + 2], rgb[p + 1], rgb[p]]
            }
            out += [UInt8](repeating: 0, count: stride - width * 3)
        }
        return out
    }
}
