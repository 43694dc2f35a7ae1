#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes every output file as temp + fsync + rename, so an interrupted run leaves
/// either the previous file or the complete new one, never a torn file.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    public static func write(_ bytes: [UInt8], to path: String) throws(WriteError) {
        let dir = parentDirectory(of: path)
        try createDirectories(dir)
        let tmp = "\(dir)/.\(lastComponent(of: path)).\(getpid()).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(path: path, reason: errnoText()) }
        var offset = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return fsync(fd) == 0
        }
        let reason = ok ? "" : errnoText()
        close(fd)
        guard ok else { unlink(tmp); throw WriteError(path: path, reason: reason) }
        guard rename(tmp, path) == 0 else {
            let r = errnoText(); unlink(tmp); throw WriteError(path: path, reason: r)
        }
    }

    public static func write(_ text: String, to path: String) throws(WriteError) {
        try write(Array(text.utf8), to: path)
    }

    /// mkdir -p.
    public static func createDirectories(_ dir: String) throws(WriteError) {
        if dir.isEmpty || dir == "/" || dir == "." { return }
        var st = stat()
        if stat(dir, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR { return }
            throw WriteError(path: dir, reason: "exists and is not a folder")
        }
        try createDirectories(parentDirectory(of: dir))
        if mkdir(dir, 0o755) != 0 && errno != EEXIST { throw WriteError(path: dir, reason: errnoText()) }
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func lastComponent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
