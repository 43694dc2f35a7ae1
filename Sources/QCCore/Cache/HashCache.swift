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
    let log: RecordLog

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
    /// interrupted append); they are ignored and cut at the next append.
    public var ignoredTailBytes: Int { log.ignoredTailBytes }

    /// A path as a dictionary key hashed as one buffer ([UInt8]'s own hashing combines
    /// byte by byte: a tenth of a cached run's time at 2k images).
    struct PathKey: Hashable {
        let bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    }

    private struct ContentKey: Hashable {
        var size: Int64
        var digest: ContentDigest
    }

    /// Opens the cache in `directory` (nothing is created until something is recorded).
    /// Fails with a message naming the file when it exists but cannot be read.
    public init(directory: String) throws(CacheError) {
        self.directory = directory
        log = RecordLog(directory: directory, name: Self.fileName)
        try log.read { payload in
            if let record = CacheRecord.decode(payload) { remember(record, fromDisk: true) }
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
        if pendingCount >= Self.batch, (try? log.append(pending)) != nil {
            pending.removeAll(keepingCapacity: true)
            pendingCount = 0
        }
    }

    /// Appends what is buffered, then compacts the log when most of it is superseded.
    public func flush() throws(CacheError) {
        lock.lock(); defer { lock.unlock() }
        try log.flush(&pending, superseded: &superseded, live: byPath.count) {
            var frames: [UInt8] = []
            for record in byPath.values { record.encoded(into: &frames) }
            return frames
        }
        pendingCount = 0
    }

    public var count: Int { lock.lock(); defer { lock.unlock() }; return byPath.count }

    private func remember(_ record: CacheRecord, fromDisk: Bool) {
        if fromDisk { loadedRecords += 1 }
        if byPath.updateValue(record, forKey: PathKey(record.path)) != nil { superseded += 1 }
        if let digest = record.content {
            byContent[ContentKey(size: record.size, digest: digest)] = record.outcome
        }
    }
}
