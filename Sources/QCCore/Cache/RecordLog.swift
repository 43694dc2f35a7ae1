import Foundation

/// An append-only file of self-checking records — the storage under the caches.
///
///     frame = u32 payload length · u64 xxh3-64 of the payload · payload
///
/// Ctrl-C or a crash can only cut the last frame short: `read` stops at the first frame
/// that is incomplete or fails its checksum and reports the bytes it ignored, and the
/// next `append` truncates them first, so the file is consistent at every instant
/// without a journal. Appends and rewrites hold an flock on a lock file beside the log,
/// so processes sharing a cache folder never interleave frames. Nothing is created
/// until the first append: opening a cache writes nothing.
final class RecordLog {
    let directory: String
    let path: String
    private let lockPath: String
    /// Bytes at the end of the file that did not form a whole, valid frame.
    private(set) var ignoredTailBytes = 0

    static let frameHeader = 12
    /// Larger payloads are corrupt by definition (paths are < 4 KiB, texts are capped).
    static let maxPayload = 1 << 16

    init(directory: String, name: String) {
        self.directory = directory
        path = directory + "/" + name
        lockPath = directory + "/" + name + ".lock"
    }

    /// Calls `body` with each valid payload in file order. A missing file reads as empty.
    func read(_ body: (UnsafeRawBufferPointer) -> Void) throws(CacheError) {
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(RawPath(path)) } catch {
            if error.code == ENOENT { return }
            throw CacheError(description: "\(path): cannot read the cache: \(error.reason)")
        }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while let payload = Self.frame(raw, at: offset) {
                body(payload)
                offset += Self.frameHeader + payload.count
            }
            ignoredTailBytes = raw.count - offset
        }
    }

    /// Appends one frame per payload (already framed by `frame(_:into:)`).
    func append(_ frames: [UInt8]) throws(CacheError) {
        guard !frames.isEmpty else { return }
        try withFileLock { () throws(CacheError) in
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw CacheError(description: "\(path): cannot append to the cache: \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            if ignoredTailBytes > 0 {
                let end = lseek(fd, 0, SEEK_END)
                if end >= off_t(ignoredTailBytes) { _ = ftruncate(fd, end - off_t(ignoredTailBytes)) }
                ignoredTailBytes = 0
            }
            var written = 0
            while written < frames.count {
                let n = frames.withUnsafeBytes { write(fd, $0.baseAddress! + written, frames.count - written) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CacheError(description: "\(path): cannot append to the cache: \(String(cString: strerror(errno)))")
                }
                written += n
            }
        }
    }

    /// A cache's flush: appends what it buffered, then rewrites the file from its live
    /// records when superseded ones (older records of a re-recorded path) outnumber them.
    func flush(_ pending: inout [UInt8], superseded: inout Int, live: Int,
               liveFrames: () -> [UInt8]) throws(CacheError) {
        if !pending.isEmpty {
            try append(pending)
            pending.removeAll(keepingCapacity: true)
        }
        if superseded > 10_000 && superseded > live {
            try rewrite(liveFrames())
            superseded = 0
        }
    }

    /// Replaces the whole file (compaction), atomically.
    func rewrite(_ frames: [UInt8]) throws(CacheError) {
        try withFileLock { () throws(CacheError) in
            do { try AtomicFile.write(frames, to: path) } catch {
                throw CacheError(description: "\(path): cannot rewrite the cache: \(error)")
            }
            ignoredTailBytes = 0
        }
    }

    /// Frames `payload` onto the end of `out`.
    static func frame(_ payload: [UInt8], into out: inout [UInt8]) {
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { out += $0 }
        withUnsafeBytes(of: payload.withUnsafeBytes { ContentHash.xxh3_64($0) }.littleEndian) { out += $0 }
        out += payload
    }

    /// The payload of the frame at `offset`, or nil when it is cut short or corrupt.
    static func frame(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UnsafeRawBufferPointer? {
        guard offset + frameHeader <= bytes.count else { return nil }
        let length = Int(PayloadReader.read(bytes, offset, as: UInt32.self))
        let checksum = PayloadReader.read(bytes, offset + 4, as: UInt64.self)
        let start = offset + frameHeader
        guard length > 0, length <= maxPayload, start + length <= bytes.count else { return nil }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[start..<start + length])
        return ContentHash.xxh3_64(payload) == checksum ? payload : nil
    }

    private func withFileLock(_ body: () throws(CacheError) -> Void) throws(CacheError) {
        do { try AtomicFile.createDirectories(directory) } catch {
            throw CacheError(description: "\(directory): cannot create the cache directory: \(error)")
        }
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CacheError(description: "\(lockPath): cannot open the cache lock: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw CacheError(description: "\(lockPath): cannot lock the cache: \(String(cString: strerror(errno)))") }
        }
        defer { _ = flock(fd, LOCK_UN) }
        try body()
    }
}

/// Little-endian fields in and out of record payloads.
struct PayloadWriter {
    var bytes: [UInt8] = []
    init(capacity: Int = 96) { bytes.reserveCapacity(capacity) }
    mutating func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    /// u16 length + bytes (capped at `limit`).
    mutating func put(text: [UInt8], limit: Int = 4096) {
        let t = text.prefix(min(limit, Int(UInt16.max)))
        put(UInt16(t.count)); bytes += t
    }
    mutating func put(string: String?, limit: Int = 1024) { put(text: Array((string ?? "").utf8), limit: limit) }
}

struct PayloadReader {
    let bytes: UnsafeRawBufferPointer
    var at = 0
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
    var failed = false

    mutating func take<T: FixedWidthInteger>(_: T.Type) -> T {
        guard at + MemoryLayout<T>.size <= bytes.count else { failed = true; return 0 }
        defer { at += MemoryLayout<T>.size }
        return Self.read(bytes, at, as: T.self)
    }

    mutating func text() -> [UInt8] {
        let n = Int(take(UInt16.self))
        guard !failed, at + n <= bytes.count else { failed = true; return [] }
        defer { at += n }
        return Array(bytes[at..<at + n])
    }

    mutating func string() -> String? {
        let t = text()
        return t.isEmpty ? nil : String(decoding: t, as: UTF8.self)
    }

    static func read<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, _ offset: Int, as: T.Type) -> T {
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + MemoryLayout<T>.size])) }
        return T(littleEndian: value)
    }
}
