#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file-system path as the bytes the kernel uses.
///
/// File names are not guaranteed to be UTF-8; a Swift `String` built from them would be
/// repaired lossily and could no longer open the file. Loaders keep the bytes for I/O and
/// use `display` (lossy) only for messages and `ImageRecord.path`.
struct RawPath: Hashable, Sendable, Comparable {
    var bytes: [UInt8]

    init(bytes: [UInt8]) { self.bytes = bytes }
    init(_ string: String) { self.bytes = Array(string.utf8) }

    /// The path decoded as UTF-8, invalid sequences replaced by U+FFFD.
    var display: String { String(decoding: bytes, as: UTF8.self) }

    /// True when `display` names the same file (the bytes are valid UTF-8).
    var isValidUTF8: Bool {
        if bytes.allSatisfy({ $0 < 0x80 }) { return true }
        return display.utf8.elementsEqual(bytes)
    }

    static func == (a: RawPath, b: RawPath) -> Bool { a.bytes == b.bytes }

    /// Whole-buffer hashing: the synthesised per-byte `combine` made Set<RawPath> the
    /// hottest spot of loading 100k+ files.
    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    var isAbsolute: Bool { bytes.first == UInt8(ascii: "/") }

    /// Byte order (memcmp), the same on every platform and locale.
    static func < (a: RawPath, b: RawPath) -> Bool {
        a.bytes.withUnsafeBytes { x in b.bytes.withUnsafeBytes { y in precedes(x, y) } }
    }

    /// The byte order of `<`, for paths held in other buffers (a String's UTF-8).
    static func precedes(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Bool {
        let common = min(x.count, y.count)
        let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
        return order != 0 ? order < 0 : x.count < y.count
    }

    /// The last component ("x.jpg" for "a/b/x.jpg").
    var lastComponent: ArraySlice<UInt8> {
        if let slash = bytes.lastIndex(of: UInt8(ascii: "/")) { return bytes[(slash + 1)...] }
        return bytes[...]
    }

    /// The folder holding this path ("/" for "/x", "." for "x").
    var parent: RawPath {
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return RawPath(".") }
        if slash == 0 { return RawPath("/") }
        return RawPath(bytes: Array(bytes[..<slash]))
    }

    /// The file name without its extension ("x" for "a/x.tar.jpg" is "x.tar").
    var stem: ArraySlice<UInt8> {
        bytes[bytes.withUnsafeBytes { Self.stemRange(of: $0) }]
    }

    /// Where `stem` lies in a path's bytes, for paths held in other buffers (StemIndex
    /// reads stems in place from the images' path strings): after the last "/", up to the
    /// file name's last "." unless the name starts with it.
    static func stemRange(of path: UnsafeRawBufferPointer) -> Range<Int> {
        var start = path.count
        while start > 0 && path[start - 1] != UInt8(ascii: "/") { start -= 1 }
        var dot = path.count - 1
        while dot > start && path[dot] != UInt8(ascii: ".") { dot -= 1 }
        return start..<(dot > start ? dot : path.count)
    }

    /// The extension after the last dot of the file name, lowercased ASCII; empty when none.
    var lowercasedExtension: String {
        let name = lastComponent
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")), dot > name.startIndex else { return "" }
        return String(decoding: name[(dot + 1)...].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }

    func appending(_ component: some Collection<UInt8>) -> RawPath {
        var out = bytes
        out.reserveCapacity(bytes.count + component.count + 1)
        if out.last != UInt8(ascii: "/") { out.append(UInt8(ascii: "/")) }
        out.append(contentsOf: component)
        return RawPath(bytes: out)
    }

    func appending(_ component: String) -> RawPath { appending(Array(component.utf8)) }

    /// `other` when absolute, else `self/other`, lexically normalised.
    func resolving(_ other: RawPath) -> RawPath {
        if other.isAbsolute { return other.normalized() }
        // Fast path for plain names ("x.jpg", "sub/x.jpg") under a normalised base: nothing to fold.
        if isPlainRelative(other.bytes) && !bytes.isEmpty && bytes.last != UInt8(ascii: "/") && isPlainAbsolute {
            var out = bytes
            out.reserveCapacity(bytes.count + other.bytes.count + 1)
            out.append(UInt8(ascii: "/"))
            out.append(contentsOf: other.bytes)
            return RawPath(bytes: out)
        }
        return appending(other.bytes).normalized()
    }

    /// An absolute path with no ".", ".." or empty components.
    private var isPlainAbsolute: Bool { isAbsolute && isPlainRelative(bytes[1...]) || bytes == [UInt8(ascii: "/")] }

    /// No leading "/", and no "", "." or ".." component.
    private func isPlainRelative(_ path: some Collection<UInt8>) -> Bool {
        var componentLength = 0
        var dots = 0
        for byte in path {
            if byte == UInt8(ascii: "/") {
                if componentLength == 0 || componentLength == dots && dots <= 2 { return false }
                componentLength = 0
                dots = 0
            } else {
                componentLength += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        return componentLength > 0 && !(componentLength == dots && dots <= 2)
    }

    /// Removes "." and empty components and folds "x/.." lexically. Symlinks are not
    /// resolved, so paths stay the way the user wrote them.
    func normalized() -> RawPath {
        if bytes.isEmpty { return RawPath(".") }
        let absolute = isAbsolute
        var parts: [ArraySlice<UInt8>] = []
        for part in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if part.count == 1 && part.first == UInt8(ascii: ".") { continue }
            if part.count == 2 && part.first == UInt8(ascii: ".") && part.last == UInt8(ascii: ".") {
                if let last = parts.last, !(last.count == 2 && last.elementsEqual("..".utf8)) {
                    parts.removeLast()
                    continue
                }
                if absolute { continue }
            }
            parts.append(part)
        }
        var out: [UInt8] = absolute ? [UInt8(ascii: "/")] : []
        for (index, part) in parts.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "/")) }
            out.append(contentsOf: part)
        }
        if out.isEmpty { out = [UInt8(ascii: ".")] }
        return RawPath(bytes: out)
    }

    /// An absolute, normalised path (relative paths are taken from the current directory).
    func absolute() -> RawPath {
        if isAbsolute { return normalized() }
        return RawPath.currentDirectory().appending(bytes).normalized()
    }

    static func currentDirectory() -> RawPath {
        var buffer = [CChar](repeating: 0, count: 4096)
        while true {
            if getcwd(&buffer, buffer.count) != nil {
                let length = buffer.firstIndex(of: 0) ?? buffer.count
                return RawPath(bytes: buffer[..<length].map { UInt8(bitPattern: $0) })
            }
            if errno != ERANGE || buffer.count > 1 << 20 { return RawPath("/") }
            buffer = [CChar](repeating: 0, count: buffer.count * 2)
        }
    }

    /// Path of `self` relative to `root` ("images/x.jpg"), or nil when it lies outside.
    func relative(to root: RawPath) -> RawPath? {
        if root.bytes == [UInt8(ascii: "/")] { return isAbsolute ? RawPath(bytes: Array(bytes.dropFirst())) : nil }
        guard bytes.count > root.bytes.count, bytes.starts(with: root.bytes),
              bytes[root.bytes.count] == UInt8(ascii: "/") else { return nil }
        return RawPath(bytes: Array(bytes[(root.bytes.count + 1)...]))
    }

    /// Relative to `root` when inside it, else the absolute path (the findings.json convention).
    func shown(under root: RawPath) -> String {
        let prefix = root.bytes.count
        if prefix == 1 && root.bytes[0] == UInt8(ascii: "/") && isAbsolute && bytes.count > 1 {
            return String(decoding: bytes[1...], as: UTF8.self)
        }
        let inside = bytes.count > prefix + 1 && bytes[prefix] == UInt8(ascii: "/") &&
            bytes.withUnsafeBufferPointer { mine in
                root.bytes.withUnsafeBufferPointer { memcmp(mine.baseAddress!, $0.baseAddress!, prefix) == 0 }
            }
        return inside ? String(decoding: bytes[(prefix + 1)...], as: UTF8.self) : display
    }

    /// Calls `body` with a NUL-terminated copy, on the stack for usual lengths.
    func withCString<R>(_ body: (UnsafePointer<CChar>) -> R) -> R {
        let count = bytes.count
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
            bytes.withUnsafeBufferPointer { source in
                if let base = source.baseAddress, count > 0 {
                    UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: base, byteCount: count)
                }
            }
            buffer[count] = 0
            return body(buffer.baseAddress!)
        }
    }
}
