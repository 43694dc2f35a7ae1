/// An 8-bit grayscale image, rows top to bottom, no padding.
public struct GrayImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]
    /// A decoder warning that left the pixels usable (e.g. stray bytes before the JPEG end marker).
    public var warning: String?

    public init(width: Int, height: Int, pixels: [UInt8], warning: String? = nil) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height, "pixel count must be width × height")
        self.width = width
        self.height = height
        self.pixels = pixels
        self.warning = warning
    }

    public subscript(x: Int, y: Int) -> UInt8 { pixels[y * width + x] }

    /// The image as displayed for an EXIF orientation (1...8), the transform PIL's
    /// `ImageOps.exif_transpose` applies: 6 turns it 90° clockwise, 8 counter-clockwise.
    public func oriented(_ orientation: UInt8) -> GrayImage {
        guard (2...8).contains(orientation) else { return self }
        let w = width, h = height
        let swaps = orientation >= 5
        let outWidth = swaps ? h : w, outHeight = swaps ? w : h
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        // (sx, sy): the stored pixel shown at displayed (x, y).
                        let sx: Int, sy: Int
                        switch orientation {
                        case 2: sx = w - 1 - x; sy = y
                        case 3: sx = w - 1 - x; sy = h - 1 - y
                        case 4: sx = x; sy = h - 1 - y
                        case 5: sx = y; sy = x
                        case 6: sx = y; sy = h - 1 - x
                        case 7: sx = w - 1 - y; sy = h - 1 - x
                        default: sx = w - 1 - y; sy = x // 8
                        }
                        target[y * outWidth + x] = source[sy * w + sx]
                    }
                }
            }
        }
        return GrayImage(width: outWidth, height: outHeight, pixels: out, warning: warning)
    }
}

/// Why an image could not be decoded. The `message` is one sentence for an
/// `unreadable_image` finding; `kind` lets callers and tests tell the cases apart.
public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The file could not be opened or read (missing, permissions, I/O error).
        case unreadableFile
        /// 0 bytes.
        case empty
        /// A format qcpass does not decode (GIF, TIFF, HEIF, CMYK-less oddities, animated WebP, RLE BMP…).
        case unsupported
        /// The header claims a size no real image has; refused before any pixel is decoded.
        case absurdDimensions
        /// The pixel data stops early.
        case truncated
        /// The codec rejected the data.
        case corrupt
    }

    public var kind: Kind
    public var message: String
    /// xxh3-128 of the file's bytes when they could be read, so exact duplicates of a
    /// broken file are still found and a cache can key the failure by content.
    public var content: ContentDigest?
    public var fileSize: Int64?

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
