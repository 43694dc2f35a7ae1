import SimdJSONShim

/// A parsed COCO file (instances or results). The only Swift file that calls the simdjson
/// shim: it turns the shim's C structs into Swift values one entry at a time, so a
/// million annotations cost no intermediate array of Swift objects.
///
/// Read-only once parsed, so one thread may parse it and another read it.
final class COCODocument: @unchecked Sendable {
    enum Kind { case instances, results }

    struct Image {
        var id: Int64?
        var fileName: String?
        /// Sizes written in the JSON, when both are present.
        var width: Double?
        var height: Double?
        var error: String?
    }

    struct Category {
        var id: Int64?
        var name: String
        var error: String?
    }

    /// An instances annotation or a results detection.
    struct Annotation {
        var id: Int64?
        var imageId: Int64
        /// Results files for YOLO datasets may name images by a string stem.
        var imageText: String?
        var categoryId: Int64
        var x: Double, y: Double, width: Double, height: Double
        var score: Double?
        var isCrowd: Bool
        var error: String?
    }

    private let document: OpaquePointer

    /// The parsed document, or the reason it cannot be used (simdjson's message, or a shape problem).
    static func parse(_ path: RawPath, kind: Kind) -> Result<COCODocument, LoadError> {
        let raw = path.withCString { sjs_parse_file($0, kind == .results ? SJS_KIND_RESULTS : SJS_KIND_INSTANCES) }
        return wrap(raw)
    }

    static func parse(bytes: [UInt8], kind: Kind) -> Result<COCODocument, LoadError> {
        let raw = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                sjs_parse_bytes($0.baseAddress, $0.count, kind == .results ? SJS_KIND_RESULTS : SJS_KIND_INSTANCES)
            }
        }
        return wrap(raw)
    }

    private static func wrap(_ raw: OpaquePointer?) -> Result<COCODocument, LoadError> {
        guard let raw else { return .failure(LoadError("out of memory while reading the JSON")) }
        if let message = sjs_document_error(raw) {
            let text = String(cString: message)
            sjs_document_free(raw)
            return .failure(LoadError(text))
        }
        return .success(COCODocument(raw))
    }

    private init(_ document: OpaquePointer) { self.document = document }
    deinit { sjs_document_free(document) }

    var imageCount: Int { sjs_image_count(document) }
    var categoryCount: Int { sjs_category_count(document) }
    var annotationCount: Int { sjs_annotation_count(document) }

    func image(_ index: Int) -> Image {
        let raw = sjs_images(document)[index]
        return Image(id: raw.has_id != 0 ? raw.id : nil,
                     fileName: Self.string(raw.file_name),
                     width: raw.has_size != 0 ? raw.width : nil,
                     height: raw.has_size != 0 ? raw.height : nil,
                     error: raw.error.map { String(cString: $0) })
    }

    func category(_ index: Int) -> Category {
        let raw = sjs_categories(document)[index]
        return Category(id: raw.has_id != 0 ? raw.id : nil, name: Self.string(raw.name) ?? "",
                        error: raw.error.map { String(cString: $0) })
    }

    func annotation(_ index: Int) -> Annotation {
        let raw = sjs_annotations(document)[index]
        return Annotation(id: raw.has_id != 0 ? raw.id : nil,
                          imageId: raw.image_id,
                          imageText: raw.image_id_is_text != 0 ? Self.string(raw.image_text) : nil,
                          categoryId: raw.category_id,
                          x: raw.bbox.0, y: raw.bbox.1, width: raw.bbox.2, height: raw.bbox.3,
                          score: raw.has_score != 0 ? raw.score : nil,
                          isCrowd: raw.is_crowd != 0,
                          error: raw.error.map { String(cString: $0) })
    }

    private static func string(_ text: sjs_text) -> String? {
        guard let bytes = text.bytes else { return nil }
        return bytes.withMemoryRebound(to: UInt8.self, capacity: text.length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: text.length), as: UTF8.self)
        }
    }
}
