import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct CacheError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Image hashes kept between runs, keyed by content (size + xxh3-128 of the bytes) with
/// (path, size, mtime) as the fast path: an unchanged file is not even opened, a file
/// whose mtime changed (fresh clone, data pull) is re-read and digested but not decoded
/// unless its bytes changed.
///
/// Why a compact append-only file rather than SQLite: the cache is read whole at start
/// (≈100 bytes per image, 0.1 s per million) and only ever appended to, in batches, by
/// whole checksummed records. Ctrl-C or a crash can only cut the last record short,
/// which the next load recognises and ignores, so the file is consistent at every
/// instant without a journal, and the next run resumes from what was written. A
/// database would add a dependency and per-row costs for no query we need.
///
/// Appends and compaction take an flock on a lock file beside the log, so two qcpass
/// processes sharing a cache directory do not interleave records.
public final class HashCache: @unchecked Sendable {
    public let directory: String
    let logPath: String
    let lockPath: String

    private var byPath: [PathKey: CacheRecord] = [:]
    private var byContent: [ContentKey: ImageHashing.Outcome] = [:]
    private var pending: [UInt8] = []
    private var pendingCount = 0
    /// Records read at open that a later record for the same path superseded.
    private var superseded = 0
    private let lock = NSLock()

    /// Records buffered before an append: at most this much work is redone after Ctrl-C.
    static let batch = 256
    static let fileName = "image-hashes-v1.log"

    public private(set) var loadedRecords = 0
    /// Bytes at the end of the log that did not form a whole, valid record (an
    /// interrupted append); they are ignored and overwritten at the next compaction.
    public private(set) var ignoredTailBytes = 0

    /// A path as a dictionary key hashed as one buffer ([UInt8]'s own hashing combines
    /// byte by byte: a tenth of a cached run's time at 2k images).
    private struct PathKey: Hashable {
        let bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    }

    private struct ContentKey: Hashable {
        var size: Int64
        var digest: ContentDigest
    }

    /// Opens (creating) the cache in `directory`. Fails with a message naming the
    /// directory when it cannot be created or read.
    public init(directory: String) throws(CacheError) {
        self.directory = directory
        logPath = directory + "/" + Self.fileName
        lockPath = directory + "/image-hashes.lock"
        do { try AtomicFile.createDirectories(directory) } catch {
            throw CacheError(description: "\(directory): cannot create the cache directory: \(error)")
        }
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(RawPath(logPath)) } catch {
            if error.code == ENOENT { return }
            throw CacheError(description: "\(logPath): cannot read the cache: \(error.reason)")
        }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while let (record, next) = CacheRecord.decode(raw, at: offset) {
                remember(record, fromDisk: true)
                offset = next
            }
            ignoredTailBytes = raw.count - offset
        }
    }

    /// The outcome recorded for this exact path, size and modification time.
    public func lookup(path: [UInt8], size: Int64, mtimeNanoseconds: Int64) -> ImageHashing.Outcome? {
        lock.lock(); defer { lock.unlock() }
        guard let r = byPath[PathKey(path)], r.size == size, r.mtimeNanoseconds == mtimeNanoseconds else { return nil }
        return r.outcome
    }

    /// The outcome recorded for any file with these bytes.
    public func lookup(content: ContentDigest, size: Int64) -> ImageHashing.Outcome? {
        lock.lock(); defer { lock.unlock() }
        return byContent[ContentKey(size: size, digest: content)]
    }

    /// Records an outcome; written to disk in batches (and by `flush`). Failures that say
    /// nothing about the bytes (a missing or unreadable file) are not cached.
    public func record(path: [UInt8], size: Int64, mtimeNanoseconds: Int64, outcome: ImageHashing.Outcome) {
        let record = CacheRecord(path: path, size: size, mtimeNanoseconds: mtimeNanoseconds, outcome: outcome)
        guard record.content != nil else { return }
        lock.lock(); defer { lock.unlock() }
        if let known = byPath[PathKey(path)], known == record { return }
        remember(record, fromDisk: false)
        record.encoded(into: &pending)
        pendingCount += 1
        if pendingCount >= Self.batch { try? appendPendingLocked() }
    }

    /// Appends what is buffered, then compacts the log when most of it is superseded.
    public func flush() throws(CacheError) {
        lock.lock(); defer { lock.unlock() }
        try appendPendingLocked()
        if superseded > 10_000 && superseded > byPath.count { try compactLocked() }
    }

    public var count: Int { lock.lock(); defer { lock.unlock() }; return byPath.count }

    // MARK: - Private

    private func remember(_ record: CacheRecord, fromDisk: Bool) {
        if fromDisk { loadedRecords += 1 }
        if byPath.updateValue(record, forKey: PathKey(record.path)) != nil { superseded += 1 }
        if let digest = record.content {
            byContent[ContentKey(size: record.size, digest: digest)] = record.outcome
        }
    }

    private func appendPendingLocked() throws(CacheError) {
        guard !pending.isEmpty else { return }
        try withFileLock { () throws(CacheError) in
            let fd = open(logPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw CacheError(description: "\(logPath): cannot append to the cache: \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            // A tail left by an interrupted append would hide everything after it: start
            // a fresh record boundary by truncating the torn bytes first.
            if ignoredTailBytes > 0 {
                let end = lseek(fd, 0, SEEK_END)
                if end >= off_t(ignoredTailBytes) { _ = ftruncate(fd, end - off_t(ignoredTailBytes)) }
                ignoredTailBytes = 0
            }
            try writeAll(fd, pending)
        }
        pending.removeAll(keepingCapacity: true)
        pendingCount = 0
    }

    private func compactLocked() throws(CacheError) {
        var bytes: [UInt8] = []
        for record in byPath.values { record.encoded(into: &bytes) }
        try withFileLock { () throws(CacheError) in
            do { try AtomicFile.write(bytes, to: logPath) } catch {
                throw CacheError(description: "\(logPath): cannot rewrite the cache: \(error)")
            }
        }
        superseded = 0
    }

    private func withFileLock(_ body: () throws(CacheError) -> Void) throws(CacheError) {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CacheError(description: "\(lockPath): cannot open the cache lock: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw CacheError(description: "\(lockPath): cannot lock the cache: \(String(cString: strerror(errno)))") }
        }
        defer { _ = flock(fd, LOCK_UN) }
        try body()
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(CacheError) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CacheError(description: "\(logPath): cannot append to the cache: \(String(cString: strerror(errno)))")
            }
            written += n
        }
    }
}
