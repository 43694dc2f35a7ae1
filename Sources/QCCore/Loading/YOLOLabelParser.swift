/// Parses YOLO label (and prediction) text at the byte level in one pass: tokens are found
/// and converted by `NumberParser` as the line is scanned, into reused buffers, with no
/// String per line. Produces normalised rows and one message per invalid line; turning
/// rows into pixels is the caller's job (it knows the image size).
final class YOLOLabelParser {
    /// A usable row, in normalised coordinates (0–1 of the displayed image).
    struct Row {
        var classId: Int32
        var line: Int32
        var x1: Double, y1: Double, x2: Double, y2: Double
        var confidence: Double
    }

    struct Invalid {
        var line: Int32
        var message: String
    }

    /// Values beyond these are not normalised coordinates (pixels were written instead).
    static let pixelHigh = 1.5
    static let pixelLow = -0.5

    /// data.yaml's `kpt_shape` ([keypoints, dims]) for pose datasets.
    let keypointShape: [Int]?
    /// Prediction files carry a trailing confidence column.
    let withConfidence: Bool
    /// Invalid lines beyond this are only counted.
    let maxInvalid: Int
    private let keypointValues: Int?

    private(set) var rows: [Row] = []
    private(set) var invalid: [Invalid] = []
    private(set) var invalidBeyondCap = 0

    // Per-line scratch: token ranges and their values, grown on demand (polygons can be long).
    private var capacity = 64
    private var starts = UnsafeMutablePointer<Int>.allocate(capacity: 64)
    private var ends = UnsafeMutablePointer<Int>.allocate(capacity: 64)
    private var values = UnsafeMutablePointer<Double>.allocate(capacity: 64)

    init(keypointShape: [Int]?, withConfidence: Bool, maxInvalid: Int = 1000) {
        self.keypointShape = keypointShape
        self.withConfidence = withConfidence
        self.maxInvalid = maxInvalid
        if let shape = keypointShape, shape.count == 2 { keypointValues = shape[0] * shape[1] } else { keypointValues = nil }
        rows.reserveCapacity(256)
    }

    deinit {
        starts.deallocate()
        ends.deallocate()
        values.deallocate()
    }

    private func grow() {
        let bigger = capacity * 2
        let newStarts = UnsafeMutablePointer<Int>.allocate(capacity: bigger)
        let newEnds = UnsafeMutablePointer<Int>.allocate(capacity: bigger)
        let newValues = UnsafeMutablePointer<Double>.allocate(capacity: bigger)
        newStarts.update(from: starts, count: capacity)
        newEnds.update(from: ends, count: capacity)
        newValues.update(from: values, count: capacity)
        starts.deallocate(); ends.deallocate(); values.deallocate()
        starts = newStarts; ends = newEnds; values = newValues
        capacity = bigger
    }

    /// Parses one file's bytes; results replace the previous file's.
    func parse(_ text: UnsafeRawBufferPointer) {
        rows.removeAll(keepingCapacity: true)
        invalid.removeAll(keepingCapacity: true)
        invalidBeyondCap = 0
        let end = text.count
        guard end > 0 else { return }
        var index = 0
        // UTF-8 byte order mark (Windows editors).
        if end >= 3 && text[0] == 0xEF && text[1] == 0xBB && text[2] == 0xBF { index = 3 }
        var line: Int32 = 1
        while index < end {
            var count = 0
            var firstBad = -1
            var badIsNonFinite = false
            // One line: tokens separated by spaces/tabs/\v/\f; it ends at \n, \r\n or \r.
            while index < end {
                let byte = text[index]
                if byte == 0x0A || byte == 0x0D { break }
                if byte == 0x20 || byte == 0x09 || byte == 0x0B || byte == 0x0C { index += 1; continue }
                let tokenStart = index
                if firstBad < 0, let (value, next) = NumberParser.scanPlainDecimal(text, from: index) {
                    if count == capacity { grow() }
                    starts[count] = tokenStart
                    ends[count] = next
                    values[count] = value
                    count += 1
                    index = next
                    continue
                }
                while index < end {
                    let inner = text[index]
                    if inner == 0x20 || inner == 0x09 || inner == 0x0A || inner == 0x0D || inner == 0x0B || inner == 0x0C { break }
                    index += 1
                }
                if count == capacity { grow() }
                starts[count] = tokenStart
                ends[count] = index
                if firstBad < 0 {
                    switch NumberParser.parse(UnsafeRawBufferPointer(rebasing: text[tokenStart..<index])) {
                    case .value(let value): values[count] = value
                    case .notNumber: firstBad = count
                    case .nonFinite: firstBad = count; badIsNonFinite = true
                    }
                }
                count += 1
            }
            if count > 0 { finishLine(text, line: line, count: count, firstBad: firstBad, badIsNonFinite: badIsNonFinite) }
            if index < end {
                if text[index] == 0x0D && index + 1 < end && text[index + 1] == 0x0A { index += 1 }
                index += 1
            }
            line += 1
        }
    }

    /// The message is only built for listed lines: a 100 MB file of broken lines past the
    /// cap costs a count, not millions of formatted strings.
    private func reject(_ line: Int32, _ message: @autoclosure () -> String) {
        if invalid.count < maxInvalid {
            invalid.append(Invalid(line: line, message: message()))
        } else {
            invalidBeyondCap += 1
        }
    }

    /// The token as written, quoted and cut at 40 bytes, for messages.
    private func token(_ text: UnsafeRawBufferPointer, _ field: Int) -> String {
        let start = starts[field], end = ends[field]
        let shown = String(decoding: UnsafeRawBufferPointer(rebasing: text[start..<min(end, start + 40)]), as: UTF8.self)
        return end - start > 40 ? "\"\(shown)…\"" : "\"\(shown)\""
    }

    private enum Shape { case box, polygon, pose }

    private func shape(count: Int) -> Shape? {
        let extra = withConfidence ? 1 : 0
        if let keypointValues {
            return count == 5 + keypointValues + extra ? .pose : nil
        }
        let coordinates = count - 1 - extra
        if coordinates == 4 { return .box }
        if coordinates >= 6 && coordinates % 2 == 0 { return .polygon }
        return nil
    }

    private func countMessage(_ count: Int) -> String {
        if let shape = keypointShape, let keypointValues {
            let conf = withConfidence ? " conf" : ""
            return "expected \(5 + keypointValues + (withConfidence ? 1 : 0)) values (cls cx cy w h + \(shape[0])×\(shape[1]) keypoints\(conf)) for kpt_shape \(shape); got \(count)"
        }
        if withConfidence {
            return "expected 6 values (cls cx cy w h conf) or a polygon followed by conf; got \(count)"
        }
        var message = "expected 5 values (cls cx cy w h), a polygon or a pose row; got \(count)"
        if count == 6 { message += " (a 6th value looks like a confidence: is this a predictions file?)" }
        return message
    }

    private static let boxFieldNames = ["class", "x_center", "y_center", "width", "height"]

    private func fieldName(_ field: Int, _ shape: Shape) -> String {
        if shape != .polygon && field < 5 { return "field \(field + 1) (\(Self.boxFieldNames[field]))" }
        return "field \(field + 1)"
    }

    private func finishLine(_ text: UnsafeRawBufferPointer, line: Int32, count: Int, firstBad: Int, badIsNonFinite: Bool) {
        // Field count first: a line of words is "wrong shape", not "word is not a number".
        guard let shape = shape(count: count) else {
            reject(line, countMessage(count))
            return
        }
        if firstBad >= 0 {
            reject(line, "field \(firstBad + 1) \(token(text, firstBad)) is \(badIsNonFinite ? "not a finite number" : "not a number")")
            return
        }
        let classValue = values[0]
        if classValue < 0 {
            reject(line, "class \(token(text, 0)) is negative")
            return
        }
        if classValue != classValue.rounded(.towardZero) {
            reject(line, "class \(token(text, 0)) is not an integer")
            return
        }
        if classValue > Double(Int32.max) {
            reject(line, "class \(token(text, 0)) is too large for a class id")
            return
        }
        var confidence = 1.0
        var coordinateEnd = count
        if withConfidence {
            confidence = values[count - 1]
            coordinateEnd = count - 1
            if confidence < 0 || confidence > 1 {
                reject(line, "field \(count) (conf) \(token(text, count - 1)) is outside 0–1")
                return
            }
        }
        let checkedEnd = shape == .pose ? 5 : coordinateEnd
        for field in 1..<checkedEnd where values[field] > Self.pixelHigh || values[field] < Self.pixelLow {
            if shape != .polygon && field >= 3 && values[field] < 0 { break } // a negative size, reported below
            reject(line, "\(fieldName(field, shape)) is \(token(text, field)), far outside 0–1: looks like pixels, not normalised")
            return
        }
        if shape == .pose, let dims = keypointShape?.last, dims >= 2 {
            var field = 5
            while field + 1 < coordinateEnd {
                for axis in field...(field + 1) where values[axis] > Self.pixelHigh || values[axis] < Self.pixelLow {
                    reject(line, "keypoint field \(axis + 1) is \(token(text, axis)), far outside 0–1: looks like pixels, not normalised")
                    return
                }
                field += dims
            }
        }
        var row = Row(classId: Int32(classValue), line: line, x1: 0, y1: 0, x2: 0, y2: 0, confidence: confidence)
        if shape == .polygon {
            var minX = values[1], maxX = values[1], minY = values[2], maxY = values[2]
            var field = 3
            while field + 1 < coordinateEnd {
                minX = min(minX, values[field]); maxX = max(maxX, values[field])
                minY = min(minY, values[field + 1]); maxY = max(maxY, values[field + 1])
                field += 2
            }
            row.x1 = minX; row.y1 = minY; row.x2 = maxX; row.y2 = maxY
        } else {
            let width = values[3], height = values[4]
            if width < 0 {
                reject(line, "field 4 (width) is \(token(text, 3)): a box cannot have a negative size")
                return
            }
            if height < 0 {
                reject(line, "field 5 (height) is \(token(text, 4)): a box cannot have a negative size")
                return
            }
            row.x1 = values[1] - width / 2
            row.x2 = values[1] + width / 2
            row.y1 = values[2] - height / 2
            row.y2 = values[2] + height / 2
        }
        rows.append(row)
    }
}
