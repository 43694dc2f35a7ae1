#if canImport(Glibc)
import Glibc
#endif

/// Puts an image into the new dataset without duplicating its bytes when the filesystem
/// allows: a reflink (`FICLONE`: a copy-on-write clone, independent of the original from
/// the first write on), else a hard link (the same file under two names: an in-place edit
/// of either changes both), else a copy. `copyOnly` forces independent copies.
public enum FileCloner {
    public enum Method: String, Sendable { case reflink, hardlink, copy }

    public struct Failure: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// `_IOW(0x94, 9, int)`: the Linux ioctl behind `cp --reflink`.
    private static let ficlone: UInt = 0x4004_9409

    public static func place(_ source: String, at target: String, copyOnly: Bool) throws(Failure) -> Method {
        do { try AtomicFile.createDirectories(AtomicFile.parentDirectory(of: target)) }
        catch { throw Failure(path: target, reason: error.reason) }
        if !copyOnly {
            if reflink(source, target) { return .reflink }
            if link(source, target) == 0 { return .hardlink }
        }
        try copy(source, target)
        return .copy
    }

    private static func reflink(_ source: String, _ target: String) -> Bool {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return false }
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else { return false }
        if ioctl(output, ficlone, input) == 0 { close(output); return true }
        close(output)
        unlink(target)
        return false
    }

    private static func copy(_ source: String, _ target: String) throws(Failure) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw Failure(path: source, reason: String(cString: strerror(errno))) }
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw Failure(path: target, reason: String(cString: strerror(errno))) }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw Failure(path: source, reason: String(cString: strerror(errno))) }
            if n == 0 { return }
            var written = 0
            while written < n {
                let w = buffer.withUnsafeBytes { write(output, $0.baseAddress! + written, n - written) }
                if w < 0 { if errno == EINTR { continue }; throw Failure(path: target, reason: String(cString: strerror(errno))) }
                written += w
            }
        }
    }
}
