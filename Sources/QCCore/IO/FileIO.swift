#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file or folder that could not be read, with the system's reason.
public struct FileIOError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    /// The errno behind it, when there is one.
    public var code: Int32?
    public var description: String { "\(path): \(reason)" }

    init(_ path: RawPath, errno code: Int32) {
        self.path = path.display
        self.reason = String(cString: strerror(code))
        self.code = code
    }
    init(_ path: RawPath, reason: String) {
        self.path = path.display
        self.reason = reason
    }
}

/// POSIX reads, no Foundation: loaders read hundreds of thousands of small files and a
/// `Data(contentsOf:)` per file costs several times the syscalls themselves.
public enum FileIO {
    public enum Kind: Sendable { case file, directory, other }

    /// What a path is, following symlinks; nil when it does not exist or cannot be stat'ed.
    public static func kind(of path: String) -> Kind? { kind(of: RawPath(path)) }

    static func kind(of path: RawPath) -> Kind? {
        var info = stat()
        let status = path.withCString { stat($0, &info) }
        guard status == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    static func isFile(_ path: RawPath) -> Bool { kind(of: path) == .file }
    static func isDirectory(_ path: RawPath) -> Bool { kind(of: path) == .directory }

    /// The whole file.
    public static func readFile(path: String) throws(FileIOError) -> [UInt8] {
        try readFile(RawPath(path))
    }

    /// The whole file at an image's on-disk path (exact bytes, also for non-UTF-8 names).
    public static func readFile(of image: ImageRecord) throws(FileIOError) -> [UInt8] {
        try readFile(image.rawPath)
    }

    static func readFile(_ path: RawPath) throws(FileIOError) -> [UInt8] {
        let fd = path.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw FileIOError(path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileIOError(path, errno: errno) }
        if info.st_mode & S_IFMT == S_IFDIR { throw FileIOError(path, reason: "is a folder, not a file") }
        var bytes = [UInt8](repeating: 0, count: max(Int(info.st_size), 0))
        var filled = 0
        while true {
            if filled == bytes.count {
                // The file grew (or st_size was 0 for a pseudo-file): keep reading.
                bytes.append(contentsOf: repeatElement(0, count: max(bytes.count, 4096)))
            }
            let got = bytes.withUnsafeMutableBytes { buffer in
                read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw FileIOError(path, errno: errno)
            }
            if got == 0 { break }
            filled += got
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }

    /// Calls `body` for each chunk of up to `chunkSize` bytes of the file, in order.
    static func forEachChunk(of path: RawPath, chunkSize: Int = 1 << 20,
                             _ body: (UnsafeRawBufferPointer) -> Void) throws(FileIOError) {
        let fd = path.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw FileIOError(path, errno: errno) }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let got = read(fd, buffer.baseAddress!, chunkSize)
            if got < 0 {
                if errno == EINTR { continue }
                throw FileIOError(path, errno: errno)
            }
            if got == 0 { return }
            body(UnsafeRawBufferPointer(rebasing: buffer[..<got]))
        }
    }
}

/// A growable scratch buffer one worker reuses for every small file it reads.
final class ReadBuffer {
    private(set) var storage: UnsafeMutableRawBufferPointer

    init(capacity: Int = 64 << 10) {
        storage = .allocate(byteCount: capacity, alignment: 64)
    }
    deinit { storage.deallocate() }

    enum Outcome { case ok(Int), missing, failed(Int32) }

    /// Reads the whole file into `storage`; `.ok(count)` gives how many bytes.
    func load(_ path: RawPath, handles: FolderHandles? = nil) -> Outcome {
        let fd = handles?.open(path) ?? path.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { return errno == ENOENT || errno == ENOTDIR ? .missing : .failed(errno) }
        defer { close(fd) }
        var filled = 0
        while true {
            if filled == storage.count { grow(to: storage.count * 2, keeping: filled) }
            let wanted = storage.count - filled
            let got = read(fd, storage.baseAddress! + filled, wanted)
            if got < 0 {
                if errno == EINTR { continue }
                return .failed(errno)
            }
            if got == 0 { return .ok(filled) }
            filled += got
            // A short read of a regular file is its end: skip the extra read() that would return 0.
            if got < wanted { return .ok(filled) }
        }
    }

    func grow(to capacity: Int, keeping count: Int) {
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 64)
        if count > 0 { bigger.baseAddress!.copyMemory(from: storage.baseAddress!, byteCount: count) }
        storage.deallocate()
        storage = bigger
    }
}

extension ImageRecord {
    /// The exact on-disk path for C APIs (NUL-terminated): `absolutePath`, or the original
    /// bytes when the file name is not valid UTF-8 (then `absolutePath` is only for display).
    public var fileSystemPath: [CChar] {
        let bytes = rawAbsolutePath ?? Array(absolutePath.utf8)
        return bytes.map { CChar(bitPattern: $0) } + [0]
    }

    var rawPath: RawPath { RawPath(bytes: rawAbsolutePath ?? Array(absolutePath.utf8)) }
}

extension FileIO {
    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}

/// Opens files relative to a few cached folder descriptors (one worker's).
///
/// Loaders open files in sorted order, so consecutive files share a folder; `openat` on
/// the folder's descriptor makes the kernel resolve one name instead of every component
/// of an absolute path, which was a fifth of the loading time for 100k+ small files.
final class FolderHandles {
    private var folders: [[UInt8]] = []
    private var descriptors: [Int32] = []
    private static let capacity = 4

    deinit { descriptors.forEach { _ = close($0) } }

    /// A read-only descriptor for `path`, or -1 with `errno` set.
    func open(_ path: RawPath) -> Int32 {
        let bytes = path.bytes
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")), slash > 0, slash + 1 < bytes.count else {
            return path.withCString { posixOpen($0, O_RDONLY | O_CLOEXEC) }
        }
        let folderFD = descriptor(for: bytes[..<slash])
        guard folderFD >= 0 else { return path.withCString { posixOpen($0, O_RDONLY | O_CLOEXEC) } }
        let name = bytes[(slash + 1)...]
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: name.count + 1) { buffer in
            var index = 0
            for byte in name { buffer[index] = CChar(bitPattern: byte); index += 1 }
            buffer[index] = 0
            return openat(folderFD, buffer.baseAddress!, O_RDONLY | O_CLOEXEC)
        }
    }

    private func descriptor(for folder: ArraySlice<UInt8>) -> Int32 {
        for (index, cached) in folders.enumerated() where cached.count == folder.count && cached.elementsEqual(folder) {
            return descriptors[index]
        }
        let fd = RawPath(bytes: Array(folder)).withCString { posixOpen($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { return -1 }
        if folders.count == Self.capacity {
            close(descriptors.removeFirst())
            folders.removeFirst()
        }
        folders.append(Array(folder))
        descriptors.append(fd)
        return fd
    }
}

/// `open(2)` under a name that the `FolderHandles.open` method does not shadow.
@inline(__always)
private func posixOpen(_ path: UnsafePointer<CChar>, _ flags: Int32) -> Int32 { open(path, flags) }
