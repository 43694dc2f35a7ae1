import Foundation

/// Every parser qcpass owns, reachable with arbitrary bytes: the entry points of the fuzz
/// driver (`qcpass-fuzz`) and of the hostile-input tests. Each one feeds the bytes through
/// the same code a real run uses and must return normally — with findings or an error —
/// whatever the bytes hold. A crash, a trap or a hang here is a bug in a parser.
///
/// Parsers that only exist behind a file (data.yaml, COCO, predictions, metadata.csv)
/// get the bytes written into a small scratch dataset, so the loaders' own logic (ids,
/// missing images, sizes) runs too, not just the tokenizer.
public final class ParserEntryPoints {
    public static let targets = [
        "yolo-label", "number", "data-yaml", "coco-instances", "coco-loader", "coco-results",
        "predictions-txt", "metadata-csv", "image-header", "image-decode", "cache-records", "audit-sheet",
    ]

    private let scratch: String
    private let baseDataset: Dataset
    private let labelParsers = [
        YOLOLabelParser(keypointShape: nil, withConfidence: false, maxInvalid: 100),
        YOLOLabelParser(keypointShape: nil, withConfidence: true, maxInvalid: 100),
        YOLOLabelParser(keypointShape: [3, 3], withConfidence: false, maxInvalid: 100),
    ]
    private let decoder = GrayDecoder()
    private var options: LoadOptions

    /// Sets up the scratch dataset under `scratch` (a folder the caller owns and removes).
    public init(scratch: String) throws {
        self.scratch = scratch
        var options = LoadOptions()
        options.readHeaders = false
        options.jobs = 1
        options.maxFindingsPerFile = 100
        self.options = options
        let fm = FileManager.default
        for folder in ["yolo/images/train", "yolo/labels/train", "coco/annotations", "coco/images/train", "predictions"] {
            try fm.createDirectory(atPath: "\(scratch)/\(folder)", withIntermediateDirectories: true)
        }
        for name in ["a", "b", "frame_0001"] {
            try Data([0xFF, 0xD8, 0xFF, 0xD9]).write(to: URL(fileURLWithPath: "\(scratch)/yolo/images/train/\(name).jpg"))
            try Data("0 0.5 0.5 0.2 0.2\n".utf8).write(to: URL(fileURLWithPath: "\(scratch)/yolo/labels/train/\(name).txt"))
        }
        try Data([0xFF, 0xD8, 0xFF, 0xD9]).write(to: URL(fileURLWithPath: "\(scratch)/coco/images/train/a.jpg"))
        try Data("path: .\ntrain: images/train\nnames: [pallet, person]\n".utf8)
            .write(to: URL(fileURLWithPath: "\(scratch)/yolo/base.yaml"))
        baseDataset = try DatasetLoader.load("\(scratch)/yolo/base.yaml", options: options)
    }

    /// Runs one input through `target`'s parser. Returns a short outcome for statistics.
    @discardableResult
    public func run(_ target: String, _ bytes: [UInt8]) -> Int {
        switch target {
        case "yolo-label": return yoloLabel(bytes)
        case "number": return number(bytes)
        case "data-yaml": return dataYaml(bytes)
        case "coco-instances": return cocoDocument(bytes)
        case "coco-loader": return load(bytes, at: "coco/annotations/instances_train.json", loading: "coco")
        case "coco-results": return predictions(bytes, at: "predictions.json", attaching: "predictions.json")
        case "predictions-txt": return predictions(bytes, at: "predictions/a.txt", attaching: "predictions")
        case "metadata-csv": return metadata(bytes)
        case "image-header": return imageHeader(bytes)
        case "image-decode": return imageDecode(bytes)
        case "cache-records": return cacheRecords(bytes)
        case "audit-sheet": return auditSheet(bytes)
        default: preconditionFailure("unknown parser target \(target)")
        }
    }

    private func yoloLabel(_ bytes: [UInt8]) -> Int {
        var total = 0
        bytes.withUnsafeBytes { raw in
            for parser in labelParsers {
                parser.parse(raw)
                total += parser.rows.count + parser.invalid.count
            }
        }
        return total
    }

    /// NumberParser must agree with the C library wherever both read a plain decimal.
    private func number(_ bytes: [UInt8]) -> Int {
        let outcome = bytes.withUnsafeBytes { NumberParser.parse($0) }
        guard case .value(let value) = outcome else { return 0 }
        let text = String(decoding: bytes, as: UTF8.self)
        if let reference = Double(text), reference != value, !(reference.isNaN && value.isNaN) {
            preconditionFailure("NumberParser read \(text.debugDescription) as \(value), the C library as \(reference)")
        }
        return 1
    }

    private func write(_ bytes: [UInt8], _ relative: String) {
        _ = FileManager.default.createFile(atPath: "\(scratch)/\(relative)", contents: Data(bytes))
    }

    private func load(_ bytes: [UInt8], at relative: String, loading target: String) -> Int {
        write(bytes, relative)
        do {
            let dataset = try DatasetLoader.load("\(scratch)/\(target)", options: options)
            return dataset.images.count + dataset.boxes.count + dataset.issues.count
        } catch {
            return error.message.isEmpty ? -2 : -1
        }
    }

    /// data.yaml as far as it is a parser: YAML, names, splits resolved (stat only). Listing
    /// the split folders is left out: a mutated `path: /` would walk the whole machine.
    private func dataYaml(_ bytes: [UInt8]) -> Int {
        write(bytes, "yolo/data.yaml")
        do {
            let config = try YOLOConfig.load(RawPath("\(scratch)/yolo/data.yaml"))
            return config.splits.count + config.classNames.count + config.issues.count
        } catch {
            return error.message.isEmpty ? -2 : -1
        }
    }

    private func cocoDocument(_ bytes: [UInt8]) -> Int {
        var total = 0
        for kind in [COCODocument.Kind.instances, .results] {
            guard case .success(let document) = COCODocument.parse(bytes: bytes, kind: kind) else { continue }
            for index in 0..<document.imageCount { total += document.image(index).fileName?.utf8.count ?? 0 }
            for index in 0..<document.categoryCount { total += document.category(index).name.utf8.count }
            for index in 0..<document.annotationCount { total += document.annotation(index).error == nil ? 1 : 0 }
        }
        return total
    }

    private func predictions(_ bytes: [UInt8], at relative: String, attaching source: String) -> Int {
        write(bytes, relative)
        var dataset = baseDataset
        do {
            try PredictionsLoader.attach("\(scratch)/\(source)", to: &dataset, options: options)
            return dataset.predictions.count + dataset.issues.count
        } catch {
            return -1
        }
    }

    private func metadata(_ bytes: [UInt8]) -> Int {
        write(bytes, "metadata.csv")
        var dataset = baseDataset
        MetadataLoader.attach(to: &dataset, exif: [], candidates: [RawPath("\(scratch)/metadata.csv")], onlySplit: nil)
        return dataset.metadata.columns.count + dataset.issues.count
    }

    private func imageHeader(_ bytes: [UInt8]) -> Int {
        switch ImageHeader.read(bytes: bytes) {
        case .success(let info): return info.width &+ info.height
        case .failure(let error): return error.message.isEmpty ? -2 : -1
        }
    }

    private func imageDecode(_ bytes: [UInt8]) -> Int {
        // A small pixel ceiling keeps a header claiming a huge size from dominating the run.
        let result = bytes.withUnsafeBytes { decoder.decode($0, targetSide: 32, maxPixels: 4 << 20) }
        switch result {
        case .success(let image): return image.pixels.count
        case .failure(let error): return error.message.isEmpty ? -2 : -1
        }
    }

    /// The cache files: frames over the whole input, and the input as one record payload.
    private func cacheRecords(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { raw in
            var total = 0
            var offset = 0
            while let payload = RecordLog.frame(raw, at: offset) {
                total += (CacheRecord.decode(payload) != nil ? 1 : 0) + (HeaderRecord.decode(payload) != nil ? 1 : 0)
                offset += RecordLog.frameHeader + payload.count
            }
            total += (CacheRecord.decode(raw) != nil ? 1 : 0) + (HeaderRecord.decode(raw) != nil ? 1 : 0)
            return total
        }
    }

    private func auditSheet(_ bytes: [UInt8]) -> Int {
        do { return try AuditSheetReader.parse(bytes, name: "audit.csv").rows.count } catch {
            return error.place.isEmpty ? -2 : -1
        }
    }

    /// Small valid images of every format, built with the same libraries that decode them:
    /// the seeds of the image corpora (a mutation of a valid file reaches deeper than noise).
    public static func seedImages() -> [(name: String, bytes: [UInt8])] {
        func pattern(_ width: Int, _ height: Int, _ channels: Int) -> [UInt8] {
            (0..<width * height * channels).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ $0 / (width * channels) &* 11) }
        }
        let jpeg = JPEGDecoder.encode(pixels: pattern(16, 12, 3), width: 16, height: 12, channels: 3, quality: 75)
        // A camera-style APP1 Exif segment: orientation 6 (swaps width and height) and a Model.
        var tiff: [UInt8] = Array("II*\u{0}".utf8) + [8, 0, 0, 0, 2, 0]
        tiff += [0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]
        tiff += [0x10, 0x01, 2, 0, 6, 0, 0, 0, 38, 0, 0, 0]
        tiff += [0, 0, 0, 0] + Array("Cam01\u{0}".utf8)
        let app1 = Array("Exif\u{0}\u{0}".utf8) + tiff
        let segmentLength = app1.count + 2
        let exifJPEG = Array(jpeg[0..<2]) + [0xFF, 0xE1, UInt8(segmentLength >> 8), UInt8(segmentLength & 0xFF)] + app1 + Array(jpeg[2...])
        return [
            ("rgb.jpg", jpeg),
            ("gray.jpg", JPEGDecoder.encode(pixels: pattern(9, 7, 1), width: 9, height: 7, channels: 1, quality: 50)),
            ("cmyk.jpg", JPEGDecoder.encode(pixels: pattern(8, 8, 4), width: 8, height: 8, channels: 4, quality: 50)),
            ("exif.jpg", exifJPEG),
            ("gray.png", PNGDecoder.encode(pixels: pattern(7, 5, 1), width: 7, height: 5, channels: 1)),
            ("rgb.png", PNGDecoder.encode(pixels: pattern(6, 9, 3), width: 6, height: 9, channels: 3)),
            ("lossy.webp", WebPDecoder.encode(rgb: pattern(12, 10, 3), width: 12, height: 10, quality: 60)),
            ("lossless.webp", WebPDecoder.encode(rgb: pattern(5, 4, 3), width: 5, height: 4, quality: nil)),
            ("rgb.bmp", BMPDecoder.encode(rgb: pattern(5, 3, 3), width: 5, height: 3)),
        ]
    }

    /// Cache files as the caches write them: hashed, failed and header records, framed.
    public static func seedCacheRecords() -> [(name: String, bytes: [UInt8])] {
        var hashes: [UInt8] = []
        let hashed = ImageHashes(content: ContentDigest(high: 0x0123_4567_89AB_CDEF, low: 42), fileSize: 6727,
                                 phash: 0xF0F0_1234_5678_9ABC, decodeWidth: 80, decodeHeight: 60, warning: "no end marker")
        CacheRecord(path: Array("/data/set/images/train/a.jpg".utf8), size: 6727, mtimeNanoseconds: 1_700_000_000_123_456_789,
                    outcome: .success(hashed)).encoded(into: &hashes)
        var failure = DecodeError(.truncated, "JPEG data ends early")
        failure.content = ContentDigest(high: 7, low: 8)
        failure.fileSize = 100
        CacheRecord(path: Array("/data/set/images/val/b c.png".utf8), size: 100, mtimeNanoseconds: -1,
                    outcome: .failure(failure)).encoded(into: &hashes)
        var headers: [UInt8] = []
        var info = ImageInfo(format: .jpeg, storedWidth: 640, storedHeight: 480, orientation: 6)
        info.exifModel = "Cam01"
        info.exifDate = "2024:05:01 13:45:00"
        HeaderRecord(path: Array("/data/set/images/train/a.jpg".utf8), size: 6727, mtimeNanoseconds: 5, info: info)
            .encoded(into: &headers)
        HeaderRecord(path: [0xFF, 0xFE], size: 1, mtimeNanoseconds: 0, info: ImageInfo(format: .webp, storedWidth: 1, storedHeight: 1))
            .encoded(into: &headers)
        return [("image-hashes.log", hashes), ("image-headers.log", headers)]
    }
}
