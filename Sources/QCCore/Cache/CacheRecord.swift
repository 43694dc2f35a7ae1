/// One hash-cache entry: what hashing learned about a file's bytes, and where and when
/// it was last seen. The payload of a `RecordLog` frame, little-endian:
///
///     u8 outcome (1 hashed, 2 failed) · u8 failure kind · i64 size · i64 mtime (ns)
///     · u64 content high · u64 content low · u64 phash · i32 decode width
///     · i32 decode height · u16 path length · path · u16 text length · text
///
/// `text` is the decoder's warning (hashed) or message (failed).
struct CacheRecord: Equatable {
    var path: [UInt8]
    var size: Int64
    var mtimeNanoseconds: Int64
    var outcome: ImageHashing.Outcome

    var content: ContentDigest? {
        switch outcome {
        case .success(let h): return h.content
        case .failure(let e): return e.content
        }
    }

    /// Appends this record as one frame.
    func encoded(into out: inout [UInt8]) {
        var w = PayloadWriter(capacity: 64 + path.count)
        let text: String
        switch outcome {
        case .success(let h):
            w.put(UInt8(1)); w.put(UInt8(0))
            text = h.warning ?? ""
        case .failure(let e):
            w.put(UInt8(2)); w.put(Self.code(of: e.kind))
            text = e.message
        }
        let hashes = try? outcome.get()
        let digest = content ?? ContentDigest(high: 0, low: 0)
        w.put(size); w.put(mtimeNanoseconds)
        w.put(digest.high); w.put(digest.low)
        w.put(hashes?.phash ?? 0)
        w.put(hashes?.decodeWidth ?? 0); w.put(hashes?.decodeHeight ?? 0)
        w.put(text: path, limit: Int(UInt16.max))
        w.put(string: text)
        RecordLog.frame(w.bytes, into: &out)
    }

    /// Decodes one payload; nil when it does not hold a whole record.
    static func decode(_ payload: UnsafeRawBufferPointer) -> CacheRecord? {
        var r = PayloadReader(payload)
        let outcomeCode = r.take(UInt8.self), kindCode = r.take(UInt8.self)
        let size = r.take(Int64.self), mtime = r.take(Int64.self)
        let digest = ContentDigest(high: r.take(UInt64.self), low: r.take(UInt64.self))
        let phash = r.take(UInt64.self)
        let width = r.take(Int32.self), height = r.take(Int32.self)
        let path = r.text()
        let text = r.string()
        guard !r.failed else { return nil }
        let outcome: ImageHashing.Outcome
        switch outcomeCode {
        case 1:
            outcome = .success(ImageHashes(content: digest, fileSize: size, phash: phash, decodeWidth: width,
                                           decodeHeight: height, warning: text))
        case 2:
            guard let kind = kind(of: kindCode) else { return nil }
            var error = DecodeError(kind, text ?? "")
            error.content = digest
            error.fileSize = size
            outcome = .failure(error)
        default:
            return nil
        }
        return CacheRecord(path: path, size: size, mtimeNanoseconds: mtime, outcome: outcome)
    }

    // Failure kinds by a fixed code, not by declaration order, so reordering the enum
    // never misreads an old cache.
    private static let kindCodes: [(DecodeError.Kind, UInt8)] = [
        (.unreadableFile, 1), (.empty, 2), (.unsupported, 3), (.absurdDimensions, 4), (.truncated, 5), (.corrupt, 6),
    ]
    private static func code(of kind: DecodeError.Kind) -> UInt8 { kindCodes.first { $0.0 == kind }!.1 }
    private static func kind(of code: UInt8) -> DecodeError.Kind? { kindCodes.first { $0.1 == code }?.0 }
}
