import Foundation

/// Image headers kept between runs, keyed by (path, size, mtime): a re-run's loader
/// stats each image instead of opening it and reading its first 64 KiB. Unlike hashes,
/// headers are not also keyed by content — finding a header by content would mean
/// reading the whole file, which costs more than reading the header itself.
/// Headers that could not be read are not cached (they are re-checked every run).
public final class HeaderCache: @unchecked Sendable {
    let log: RecordLog
    private var byPath: [HashCache.PathKey: HeaderRecord] = [:]
    private var pending: [UInt8] = []
    private var superseded = 0
    private let lock = NSLock()

    static let fileName = "image-headers-v1.log"
    public private(set) var loadedRecords = 0

    public init(directory: String) throws(CacheError) {
        log = RecordLog(directory: directory, name: Self.fileName)
        try log.read { payload in
            guard let record = HeaderRecord.decode(payload) else { return }
            loadedRecords += 1
            if byPath.updateValue(record, forKey: HashCache.PathKey(record.path)) != nil { superseded += 1 }
        }
    }

    func lookup(path: [UInt8], size: Int64, mtimeNanoseconds: Int64) -> ImageInfo? {
        lock.lock(); defer { lock.unlock() }
        guard let r = byPath[HashCache.PathKey(path)], r.size == size, r.mtimeNanoseconds == mtimeNanoseconds else { return nil }
        return r.info
    }

    func record(path: [UInt8], size: Int64, mtimeNanoseconds: Int64, info: ImageInfo) {
        let record = HeaderRecord(path: path, size: size, mtimeNanoseconds: mtimeNanoseconds, info: info)
        lock.lock(); defer { lock.unlock() }
        if byPath.updateValue(record, forKey: HashCache.PathKey(path)) != nil { superseded += 1 }
        // Buffered until `flush`: the loader records before the caller could check that
        // the cache folder is not inside the dataset, and nothing may be written there.
        record.encoded(into: &pending)
    }

    public func flush() throws(CacheError) {
        lock.lock(); defer { lock.unlock() }
        try log.flush(&pending, superseded: &superseded, live: byPath.count) {
            var frames: [UInt8] = []
            for record in byPath.values { record.encoded(into: &frames) }
            return frames
        }
    }
}

/// One header-cache entry, little-endian:
///
///     i64 size · i64 mtime (ns) · u8 format · u8 orientation · i32 stored width
///     · i32 stored height · u16+path · u16+EXIF model · u16+EXIF date · u16+warning
struct HeaderRecord: Equatable {
    var path: [UInt8]
    var size: Int64
    var mtimeNanoseconds: Int64
    var info: ImageInfo

    private static let formats: [(ImageInfo.Format, UInt8)] = [(.jpeg, 1), (.png, 2), (.webp, 3), (.bmp, 4), (.gif, 5), (.tiff, 6)]

    func encoded(into out: inout [UInt8]) {
        var w = PayloadWriter(capacity: 48 + path.count)
        w.put(size); w.put(mtimeNanoseconds)
        w.put(Self.formats.first { $0.0 == info.format }!.1)
        w.put(info.orientation)
        w.put(Int32(clamping: info.storedWidth)); w.put(Int32(clamping: info.storedHeight))
        w.put(text: path, limit: Int(UInt16.max))
        w.put(string: info.exifModel); w.put(string: info.exifDate); w.put(string: info.warning)
        RecordLog.frame(w.bytes, into: &out)
    }

    static func decode(_ payload: UnsafeRawBufferPointer) -> HeaderRecord? {
        var r = PayloadReader(payload)
        let size = r.take(Int64.self), mtime = r.take(Int64.self)
        let formatCode = r.take(UInt8.self), orientation = r.take(UInt8.self)
        let width = Int(r.take(Int32.self)), height = Int(r.take(Int32.self))
        let path = r.text()
        let model = r.string(), date = r.string(), warning = r.string()
        guard !r.failed, let format = formats.first(where: { $0.1 == formatCode })?.0 else { return nil }
        var info = ImageInfo(format: format, storedWidth: width, storedHeight: height, orientation: orientation)
        info.exifModel = model
        info.exifDate = date
        info.warning = warning
        info.fileSize = size
        // The same arithmetic as the header reader, so a cached mtime compares equal.
        info.mtime = Double(mtime / 1_000_000_000) + Double(mtime % 1_000_000_000) / 1e9
        return HeaderRecord(path: path, size: size, mtimeNanoseconds: mtime, info: info)
    }
}
