#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The 64-bit DCT perceptual hash (pHash).
///
/// The gray image is area-averaged to 32×32, transformed with a 2-D DCT-II, and the 8×8
/// lowest frequencies without the DC term (rows and columns 1–8, as the original pHash
/// does) become 64 bits: 1 where the coefficient is above their median. Only those
/// coefficients are computed: the separable transform multiplies by the 9 needed rows of
/// the cosine table on each side (9·32·32 + 9·9·32 multiply-adds, not a full DCT).
/// Brightness and contrast changes shift DC and scale every coefficient alike, so they
/// leave the bits unchanged.
public enum PerceptualHash {
    public static let side = 32
    /// Frequencies 0…8 along each axis; the hash uses 1…8.
    static let kept = 9

    /// cos(π·(2n+1)·k / 2N) for k < kept, n < N (unnormalised DCT-II basis, row-major by k).
    static let cosines: [Float] = (0..<kept).flatMap { k in
        (0..<side).map { n in Float(cos(Double.pi * Double(2 * n + 1) * Double(k) / Double(2 * side))) }
    }

    /// pHash of a gray image of any size.
    public static func hash(_ image: GrayImage) -> UInt64 {
        var square = [Float](repeating: 0, count: side * side)
        image.pixels.withUnsafeBufferPointer { source in
            square.withUnsafeMutableBufferPointer { target in
                GrayResize.area(source, width: image.width, height: image.height,
                                into: target, outWidth: side, outHeight: side)
            }
        }
        return square.withUnsafeBufferPointer { hash(square32: $0) }
    }

    /// pHash of 32×32 gray values, row-major.
    static func hash(square32: UnsafeBufferPointer<Float>) -> UInt64 {
        let low = lowFrequencies(square32)
        var coefficients = [Float](repeating: 0, count: 64)
        for v in 1...8 { for u in 1...8 { coefficients[(v - 1) * 8 + (u - 1)] = low[v * kept + u] } }
        let sorted = coefficients.sorted()
        let median = (sorted[31] + sorted[32]) / 2
        var bits: UInt64 = 0
        for (index, value) in coefficients.enumerated() where value > median { bits |= 1 << UInt64(index) }
        return bits
    }

    /// DCT-II coefficients (v, u) for v, u < kept of a 32×32 block, as [v * kept + u]:
    /// X[v][u] = Σ_y Σ_x p[y][x] · cos(π(2y+1)v/64) · cos(π(2x+1)u/64).
    static func lowFrequencies(_ pixels: UnsafeBufferPointer<Float>) -> [Float] {
        precondition(pixels.count == side * side)
        // Rows first: R[y][u] = Σ_x p[y][x] C[u][x]  (32 × kept)
        var rows = [Float](repeating: 0, count: side * kept)
        cosines.withUnsafeBufferPointer { c in
            for y in 0..<side {
                for u in 0..<kept {
                    var sum: Float = 0
                    for x in 0..<side { sum += pixels[y * side + x] * c[u * side + x] }
                    rows[y * kept + u] = sum
                }
            }
            // Then columns: X[v][u] = Σ_y C[v][y] R[y][u]
            var out = [Float](repeating: 0, count: kept * kept)
            for v in 0..<kept {
                for y in 0..<side {
                    let weight = c[v * side + y]
                    for u in 0..<kept { out[v * kept + u] += weight * rows[y * kept + u] }
                }
            }
            rows = out
        }
        return rows
    }

    /// Full separable 2-D DCT-II (same convention, all N×N coefficients) with a
    /// precomputed cosine table: the reference the truncated transform is tested against.
    static func dct2D(_ pixels: [Double], size n: Int) -> [Double] {
        let table = (0..<n).flatMap { k in (0..<n).map { i in cos(Double.pi * Double(2 * i + 1) * Double(k) / Double(2 * n)) } }
        var rows = [Double](repeating: 0, count: n * n)
        for y in 0..<n { for u in 0..<n {
            var sum = 0.0
            for x in 0..<n { sum += pixels[y * n + x] * table[u * n + x] }
            rows[y * n + u] = sum
        } }
        var out = [Double](repeating: 0, count: n * n)
        for v in 0..<n { for u in 0..<n {
            var sum = 0.0
            for y in 0..<n { sum += table[v * n + y] * rows[y * n + u] }
            out[v * n + u] = sum
        } }
        return out
    }

    /// Hamming distance between two hashes.
    @inline(__always)
    public static func distance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }
}
