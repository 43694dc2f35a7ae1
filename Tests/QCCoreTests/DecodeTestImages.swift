@testable import QCCore

/// Deterministic test pictures and the transforms near-duplicates are made of. The
/// encoders are the codec libraries themselves, through QCCore's narrow files.
enum DecodeTestImages {
    struct RNG {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    }

    /// RGB pixels of a photo-like picture: soft coloured blobs over a gradient, plus a few
    /// hard-edged rectangles (structure at every scale pHash looks at), mostly within
    /// 30–225 so that ±10% brightness rarely clips. Different seeds give unrelated pictures.
    static func photo(width: Int, height: Int, seed: UInt64) -> [UInt8] {
        var rng = RNG(state: seed)
        struct Blob { var x, y, radius: Double; var color: (Double, Double, Double) }
        let blobs = (0..<14).map { _ in
            Blob(x: rng.unit() * Double(width), y: rng.unit() * Double(height),
                 radius: (0.05 + rng.unit() * 0.25) * Double(min(width, height)),
                 color: (rng.unit() * 160 - 80, rng.unit() * 160 - 80, rng.unit() * 160 - 80))
        }
        let rectangles = (0..<5).map { _ -> (Int, Int, Int, Int, Double) in
            let w = rng.int(width / 10...width / 3), h = rng.int(height / 10...height / 3)
            return (rng.int(0...(width - w)), rng.int(0...(height - h)), w, h, rng.unit() * 80 - 40)
        }
        let tilt = (rng.unit() - 0.5, rng.unit() - 0.5)
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                var c = [128 + 60 * tilt.0 * Double(x) / Double(width) * 2, 128 + 60 * tilt.1 * Double(y) / Double(height) * 2, 128.0]
                for blob in blobs {
                    let dx = Double(x) - blob.x, dy = Double(y) - blob.y
                    let weight = exp(-(dx * dx + dy * dy) / (2 * blob.radius * blob.radius))
                    c[0] += weight * blob.color.0; c[1] += weight * blob.color.1; c[2] += weight * blob.color.2
                }
                for r in rectangles where x >= r.0 && x < r.0 + r.2 && y >= r.1 && y < r.1 + r.3 {
                    c[0] += r.4; c[1] += r.4; c[2] += r.4
                }
                for k in 0..<3 { out[(y * width + x) * 3 + k] = UInt8(max(0, min(255, c[k].rounded()))) }
            }
        }
        return out
    }

    /// Luma of RGB pixels (BT.601, as libjpeg).
    static func gray(_ rgb: [UInt8]) -> [UInt8] {
        stride(from: 0, to: rgb.count, by: 3).map { BMPDecoder.luma(r: Int(rgb[$0]), g: Int(rgb[$0 + 1]), b: Int(rgb[$0 + 2])) }
    }

    /// Area resize of RGB pixels, channel by channel.
    static func resize(_ rgb: [UInt8], width: Int, height: Int, to w: Int, _ h: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: w * h * 3)
        for channel in 0..<3 {
            let plane = stride(from: channel, to: rgb.count, by: 3).map { rgb[$0] }
            var target = [Float](repeating: 0, count: w * h)
            plane.withUnsafeBufferPointer { source in
                target.withUnsafeMutableBufferPointer {
                    GrayResize.area(source, width: width, height: height, into: $0, outWidth: w, outHeight: h)
                }
            }
            for i in 0..<(w * h) { out[i * 3 + channel] = UInt8(max(0, min(255, target[i].rounded()))) }
        }
        return out
    }

    static func crop(_ rgb: [UInt8], width: Int, x: Int, y: Int, w: Int, h: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(w * h * 3)
        for row in y..<(y + h) { out += rgb[((row * width + x) * 3)..<((row * width + x + w) * 3)] }
        return out
    }

    static func brightness(_ rgb: [UInt8], _ factor: Double) -> [UInt8] {
        rgb.map { UInt8(max(0, min(255, (Double($0) * factor).rounded()))) }
    }

    /// A JPEG with an EXIF APP1 carrying `orientation`, right after SOI.
    static func withOrientation(_ jpeg: [UInt8], _ orientation: Int) -> [UInt8] {
        let tiff = FixtureImages.tiff(FixtureImages.EXIF(orientation: orientation))
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        return [0xFF, 0xD8, 0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload + jpeg.dropFirst(2)
    }

    static func decoded(_ bytes: [UInt8], side: Int = 32) -> GrayImage? {
        if case .success(let image) = HashDecoder.decodeGray(bytes: bytes, targetSide: side) { return image }
        return nil
    }

    static func failure(_ bytes: [UInt8], side: Int = 32) -> DecodeError? {
        if case .failure(let error) = HashDecoder.decodeGray(bytes: bytes, targetSide: side) { return error }
        return nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
