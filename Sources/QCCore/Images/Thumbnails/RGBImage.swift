/// An 8-bit RGB image, rows top to bottom, 3 bytes per pixel, no padding: what a
/// gallery thumbnail is made of.
public struct RGBImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3, "pixel count must be width × height × 3")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Gray expanded to three equal channels (formats decoded only in gray: BMP, CMYK JPEG).
    public init(gray: GrayImage) {
        var out = [UInt8](repeating: 0, count: gray.pixels.count * 3)
        for (i, v) in gray.pixels.enumerated() { out[3 * i] = v; out[3 * i + 1] = v; out[3 * i + 2] = v }
        self.init(width: gray.width, height: gray.height, pixels: out)
    }

    /// The image as displayed for an EXIF orientation, through the gray implementation
    /// one channel at a time (orientation is a pure permutation of pixels).
    public func oriented(_ orientation: UInt8) -> RGBImage {
        guard (2...8).contains(orientation) else { return self }
        let planes = channels().map { GrayImage(width: width, height: height, pixels: $0).oriented(orientation) }
        return Self.interleave(planes)
    }

    /// Reduced by area averaging so the longer side is at most `maxSide`.
    public func fitted(maxSide: Int) -> RGBImage {
        let longer = max(width, height)
        guard longer > maxSide, maxSide > 0 else { return self }
        let scale = Double(maxSide) / Double(longer)
        let w = max(1, Int((Double(width) * scale).rounded())), h = max(1, Int((Double(height) * scale).rounded()))
        return resized(width: w, height: h)
    }

    /// Reduced so each side is ≥ min(targetSide, side), as the gray decoders reduce.
    func reduced(toAtLeast targetSide: Int) -> RGBImage {
        let (w, h) = GrayResize.reducedSize(width: width, height: height, targetSide: targetSide)
        return w == width && h == height ? self : resized(width: w, height: h)
    }

    func resized(width w: Int, height h: Int) -> RGBImage {
        let planes = channels().map { plane -> GrayImage in
            var values = [Float](repeating: 0, count: w * h)
            plane.withUnsafeBufferPointer { source in
                values.withUnsafeMutableBufferPointer { target in
                    GrayResize.area(source, width: width, height: height, into: target, outWidth: w, outHeight: h)
                }
            }
            return GrayImage(width: w, height: h, pixels: values.map { UInt8(min(255, max(0, $0.rounded()))) })
        }
        return Self.interleave(planes)
    }

    private func channels() -> [[UInt8]] {
        let count = width * height
        var planes = [[UInt8]](repeating: [UInt8](repeating: 0, count: count), count: 3)
        for i in 0..<count {
            planes[0][i] = pixels[3 * i]; planes[1][i] = pixels[3 * i + 1]; planes[2][i] = pixels[3 * i + 2]
        }
        return planes
    }

    private static func interleave(_ planes: [GrayImage]) -> RGBImage {
        let w = planes[0].width, h = planes[0].height
        var out = [UInt8](repeating: 0, count: w * h * 3)
        for i in 0..<(w * h) {
            out[3 * i] = planes[0].pixels[i]; out[3 * i + 1] = planes[1].pixels[i]; out[3 * i + 2] = planes[2].pixels[i]
        }
        return RGBImage(width: w, height: h, pixels: out)
    }
}
