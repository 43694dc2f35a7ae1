/// Area-averaging resize (each output pixel is the exact mean of the input area it
/// covers, fractional edges weighted), separable: a row pass then a column pass.
enum GrayResize {
    /// The smallest size, aspect kept, whose sides are each ≥ min(targetSide, side).
    static func reducedSize(width: Int, height: Int, targetSide: Int) -> (Int, Int) {
        guard width > targetSide && height > targetSide else { return (width, height) }
        let scale = max(Double(targetSide) / Double(width), Double(targetSide) / Double(height))
        let w = min(width, max(targetSide, Int((Double(width) * scale).rounded(.up))))
        let h = min(height, max(targetSide, Int((Double(height) * scale).rounded(.up))))
        return (w, h)
    }

    /// `image` reduced to `reducedSize` (unchanged when already that small).
    static func reduce(_ image: GrayImage, toAtLeast targetSide: Int) -> GrayImage {
        let (w, h) = reducedSize(width: image.width, height: image.height, targetSide: targetSide)
        guard w != image.width || h != image.height else { return image }
        var values = [Float](repeating: 0, count: w * h)
        image.pixels.withUnsafeBufferPointer { source in
            values.withUnsafeMutableBufferPointer { target in
                area(source, width: image.width, height: image.height, into: target, outWidth: w, outHeight: h)
            }
        }
        return GrayImage(width: w, height: h, pixels: values.map { UInt8(min(255, max(0, $0.rounded()))) },
                         warning: image.warning)
    }

    /// Which inputs make up each output along one axis, with their weights (summing to 1).
    struct Taps {
        var start: [Int32] = []
        var count: [Int32] = []
        var weights: [Float] = []
        var offsets: [Int32] = []

        init(input: Int, output: Int) {
            let ratio = Double(input) / Double(output)
            for o in 0..<output {
                let from = Double(o) * ratio, to = Double(o + 1) * ratio
                let first = Int(from.rounded(.down)), last = min(input - 1, Int(to.rounded(.up)) - 1)
                start.append(Int32(first))
                count.append(Int32(last - first + 1))
                offsets.append(Int32(weights.count))
                for i in first...last {
                    let overlap = min(to, Double(i + 1)) - max(from, Double(i))
                    weights.append(Float(overlap / ratio))
                }
            }
        }
    }

    /// Area resize of `source` (8-bit) into `target` (Float, outWidth × outHeight).
    static func area(_ source: UnsafeBufferPointer<UInt8>, width: Int, height: Int,
                     into target: UnsafeMutableBufferPointer<Float>, outWidth: Int, outHeight: Int) {
        let columns = Taps(input: width, output: outWidth)
        let rows = Taps(input: height, output: outHeight)
        // Row pass: width → outWidth for every input row.
        var horizontal = [Float](repeating: 0, count: outWidth * height)
        horizontal.withUnsafeMutableBufferPointer { mid in
            columns.weights.withUnsafeBufferPointer { weights in
                for y in 0..<height {
                    let row = y * width
                    for ox in 0..<outWidth {
                        let first = Int(columns.start[ox]), taps = Int(columns.count[ox]), w0 = Int(columns.offsets[ox])
                        var sum: Float = 0
                        for k in 0..<taps { sum += weights[w0 + k] * Float(source[row + first + k]) }
                        mid[y * outWidth + ox] = sum
                    }
                }
            }
            // Column pass: height → outHeight, whole rows at a time.
            for oy in 0..<outHeight {
                let out = oy * outWidth
                for ox in 0..<outWidth { target[out + ox] = 0 }
                let first = Int(rows.start[oy]), w0 = Int(rows.offsets[oy])
                for k in 0..<Int(rows.count[oy]) {
                    let weight = rows.weights[w0 + k]
                    let input = (first + k) * outWidth
                    for ox in 0..<outWidth { target[out + ox] += weight * mid[input + ox] }
                }
            }
        }
    }
}
