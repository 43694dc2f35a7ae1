#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random access to the first bytes of an image. Header parsers ask for small ranges by
/// offset; a file source answers from a window it refills with pread, so a JPEG whose
/// frame header sits after a 60 KB EXIF thumbnail costs two reads, not the whole file.
protocol HeaderBytes {
    /// Total size in bytes (the file size).
    var size: Int { get }
    /// `count` bytes at `offset`, valid until the next call; nil when out of range or unreadable.
    mutating func bytes(at offset: Int, count: Int) -> UnsafeRawBufferPointer?
}

extension HeaderBytes {
    mutating func u8(_ offset: Int) -> UInt8? {
        bytes(at: offset, count: 1).map { $0[0] }
    }
    mutating func be16(_ offset: Int) -> Int? {
        guard let b = bytes(at: offset, count: 2) else { return nil }
        return Int(b[0]) << 8 | Int(b[1])
    }
    mutating func le16(_ offset: Int) -> Int? {
        guard let b = bytes(at: offset, count: 2) else { return nil }
        return Int(b[1]) << 8 | Int(b[0])
    }
    mutating func be32(_ offset: Int) -> Int? {
        guard let b = bytes(at: offset, count: 4) else { return nil }
        return Int(b[0]) << 24 | Int(b[1]) << 16 | Int(b[2]) << 8 | Int(b[3])
    }
    mutating func le32(_ offset: Int) -> Int? {
        guard let b = bytes(at: offset, count: 4) else { return nil }
        return Int(b[3]) << 24 | Int(b[2]) << 16 | Int(b[1]) << 8 | Int(b[0])
    }
    mutating func le24(_ offset: Int) -> Int? {
        guard let b = bytes(at: offset, count: 3) else { return nil }
        return Int(b[2]) << 16 | Int(b[1]) << 8 | Int(b[0])
    }
    /// True when the bytes at `offset` equal `ascii`.
    mutating func matches(_ offset: Int, _ ascii: StaticString) -> Bool {
        let count = ascii.utf8CodeUnitCount
        guard let b = bytes(at: offset, count: count) else { return false }
        let expected = UnsafeRawBufferPointer(start: ascii.utf8Start, count: count)
        return b.elementsEqual(expected)
    }
    /// Whether `needle` occurs in the last `window` bytes (truncation checks).
    mutating func tailContains(_ needle: [UInt8], window: Int) -> Bool {
        let count = min(window, size)
        guard count >= needle.count, let tail = bytes(at: size - count, count: count) else { return false }
        var index = 0
        while index + needle.count <= tail.count {
            var hit = true
            for k in 0..<needle.count where tail[index + k] != needle[k] { hit = false; break }
            if hit { return true }
            index += 1
        }
        return false
    }
}

/// Bytes already in memory (tests, fuzzing).
struct MemoryHeaderBytes: HeaderBytes {
    let buffer: UnsafeRawBufferPointer
    var size: Int { buffer.count }

    mutating func bytes(at offset: Int, count: Int) -> UnsafeRawBufferPointer? {
        guard offset >= 0, count >= 0, offset <= buffer.count - count else { return nil }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + count)])
    }
}

/// An open file read through a reusable window (`scratch`, owned by the caller's worker).
struct FileHeaderBytes: HeaderBytes {
    /// The first read: a page covers PNG/WebP/BMP/GIF headers and most JPEG EXIF blocks.
    static let readAhead = 4096

    let fd: Int32
    let size: Int
    let scratch: UnsafeMutableRawBufferPointer
    private var windowStart = 0
    private var windowCount = 0
    private(set) var ioError: Int32 = 0

    init(fd: Int32, size: Int, scratch: UnsafeMutableRawBufferPointer) {
        self.fd = fd
        self.size = size
        self.scratch = scratch
    }

    mutating func bytes(at offset: Int, count: Int) -> UnsafeRawBufferPointer? {
        guard offset >= 0, count >= 0, offset <= size - count else { return nil }
        if offset >= windowStart && offset + count <= windowStart + windowCount {
            let start = offset - windowStart
            return UnsafeRawBufferPointer(rebasing: scratch[start..<(start + count)])
        }
        guard count <= scratch.count else { return nil }
        let wanted = min(max(count, Self.readAhead), scratch.count, size - offset)
        var filled = 0
        while filled < wanted {
            let got = pread(fd, scratch.baseAddress! + filled, wanted - filled, off_t(offset + filled))
            if got < 0 {
                if errno == EINTR { continue }
                ioError = errno
                break
            }
            if got == 0 { break }
            filled += got
        }
        windowStart = offset
        windowCount = filled
        guard filled >= count else { return nil }
        return UnsafeRawBufferPointer(rebasing: scratch[0..<count])
    }
}
