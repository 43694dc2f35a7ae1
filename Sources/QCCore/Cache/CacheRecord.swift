/// One cache entry: what hashing learned about a file's bytes, and where and when it
/// was last seen. Encoded little-endian in a self-checking frame so a record cut short
/// by Ctrl-C or a crash is recognised and ignored:
///
///     u32 payload length · u64 xxh3-64 of the payload · payload
///     payload = u8 outcome (1 hashed, 2 failed) · u8 failure kind · i64 size · i64 mtime (ns)
///               · u64 content high · u64 content low · u64 phash · i32 decode width
///               · i32 decode height · u16 path length · path · u16 text length · text
///
/// `text` is the decoder's warning (hashed) or message (failed).
struct CacheRecord: Equatable {
    var path: [UInt8]
    var size: Int64
    var mtimeNanoseconds: Int64
    var outcome: ImageHashing.Outcome

    static let frameHeader = 12
    /// Larger payloads are corrupt by definition (paths are < 4 KiB, texts are capped).
    static let maxPayload = 1 << 16

    var content: ContentDigest? {
        switch outcome {
        case .success(let h): return h.content
        case .failure(let e): return e.content
        }
    }

    func encoded(into out: inout [UInt8]) {
        var payload: [UInt8] = []
        payload.reserveCapacity(64 + path.count)
        let text: String
        switch outcome {
        case .success(let h):
            payload.append(1); payload.append(0)
            text = h.warning ?? ""
        case .failure(let e):
            payload.append(2); payload.append(Self.code(of: e.kind))
            text = e.message
        }
        let hashes = try? outcome.get()
        let digest = content ?? ContentDigest(high: 0, low: 0)
        Self.put(&payload, size)
        Self.put(&payload, mtimeNanoseconds)
        Self.put(&payload, digest.high)
        Self.put(&payload, digest.low)
        Self.put(&payload, hashes?.phash ?? 0)
        Self.put(&payload, hashes?.decodeWidth ?? 0)
        Self.put(&payload, hashes?.decodeHeight ?? 0)
        Self.put(&payload, UInt16(truncatingIfNeeded: path.count))
        payload += path.prefix(Int(UInt16.max))
        let textBytes = Array(text.utf8.prefix(1024))
        Self.put(&payload, UInt16(textBytes.count))
        payload += textBytes
        Self.put(&out, UInt32(payload.count))
        Self.put(&out, payload.withUnsafeBytes { ContentHash.xxh3_64($0) })
        out += payload
    }

    /// Decodes the record at `offset`; nil when the frame is cut short or its checksum
    /// fails (the rest of the file is then not trusted either). `next` is the following
    /// record's offset.
    static func decode(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> (record: CacheRecord, next: Int)? {
        guard offset + frameHeader <= bytes.count else { return nil }
        let length = Int(read(bytes, offset, as: UInt32.self))
        let checksum = read(bytes, offset + 4, as: UInt64.self)
        let start = offset + frameHeader
        guard length >= 54, length <= maxPayload, start + length <= bytes.count else { return nil }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[start..<start + length])
        guard ContentHash.xxh3_64(payload) == checksum else { return nil }
        var at = 2
        func take<T: FixedWidthInteger>(_: T.Type) -> T {
            defer { at += MemoryLayout<T>.size }
            return read(payload, at, as: T.self)
        }
        let size = take(Int64.self), mtime = take(Int64.self)
        let digest = ContentDigest(high: take(UInt64.self), low: take(UInt64.self))
        let phash = take(UInt64.self)
        let width = take(Int32.self), height = take(Int32.self)
        let pathLength = Int(take(UInt16.self))
        guard at + pathLength + 2 <= length else { return nil }
        let path = Array(payload[at..<at + pathLength]); at += pathLength
        let textLength = Int(take(UInt16.self))
        guard at + textLength <= length else { return nil }
        let text = String(decoding: payload[at..<at + textLength], as: UTF8.self)
        let outcome: ImageHashing.Outcome
        switch payload[0] {
        case 1:
            outcome = .success(ImageHashes(content: digest, fileSize: size, phash: phash, decodeWidth: width,
                                           decodeHeight: height, warning: text.isEmpty ? nil : text))
        case 2:
            guard let kind = kind(of: payload[1]) else { return nil }
            var error = DecodeError(kind, text)
            error.content = digest
            error.fileSize = size
            outcome = .failure(error)
        default:
            return nil
        }
        return (CacheRecord(path: path, size: size, mtimeNanoseconds: mtime, outcome: outcome), start + length)
    }

    // Failure kinds by a fixed code, not by declaration order, so reordering the enum
    // never misreads an old cache.
    private static let kindCodes: [(DecodeError.Kind, UInt8)] = [
        (.unreadableFile, 1), (.empty, 2), (.unsupported, 3), (.absurdDimensions, 4), (.truncated, 5), (.corrupt, 6),
    ]
    private static func code(of kind: DecodeError.Kind) -> UInt8 { kindCodes.first { $0.0 == kind }!.1 }
    private static func kind(of code: UInt8) -> DecodeError.Kind? { kindCodes.first { $0.1 == code }?.0 }

    private static func put<T: FixedWidthInteger>(_ out: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { out += $0 }
    }

    private static func read<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, _ offset: Int, as: T.Type) -> T {
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + MemoryLayout<T>.size])) }
        return T(littleEndian: value)
    }
}
