/// Ultralytics' path conventions: which files are images, where an image's label lives.
extension YOLOLoader {
    /// Ultralytics' IMG_FORMATS plus gif/avif/heif; formats without a header reader end up
    /// as `unreadable_image` findings, which is what training would hit too.
    static let imageExtensions: Set<String> = [
        "jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff", "gif", "mpo", "dng", "pfm", "heic", "heif", "avif",
    ]

    /// The extensions packed as lowercase ASCII in a UInt32, so the per-file test allocates nothing.
    private static let packedExtensions: Set<UInt32> = Set(imageExtensions.map { ext in
        ext.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    })

    static func isImageName(_ name: some BidirectionalCollection<UInt8>) -> Bool {
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")), dot != name.startIndex else { return false }
        let ext = name[name.index(after: dot)...]
        guard ext.count >= 3, ext.count <= 4 else { return false }
        let packed = ext.reduce(UInt32(0)) { $0 << 8 | UInt32($1 >= 65 && $1 <= 90 ? $1 | 0x20 : $1) }
        return packedExtensions.contains(packed)
    }

    /// Ultralytics' img2label_paths: the last "/images/" becomes "/labels/", the extension ".txt".
    static func labelPath(for image: RawPath) -> RawPath {
        var bytes = image.bytes
        let marker = Array("/images/".utf8)
        if let at = lastRange(of: marker, in: bytes) {
            bytes.replaceSubrange(at..<(at + marker.count), with: "/labels/".utf8)
        }
        let nameStart = (bytes.lastIndex(of: UInt8(ascii: "/")) ?? -1) + 1
        if let dot = bytes[nameStart...].lastIndex(of: UInt8(ascii: ".")), dot > nameStart {
            bytes.removeSubrange(dot...)
        }
        bytes.append(contentsOf: ".txt".utf8)
        return RawPath(bytes: bytes)
    }

    /// The folder where labels of images under `folder` live.
    static func labelFolder(for folder: RawPath) -> RawPath {
        var bytes = folder.bytes
        if bytes.last != UInt8(ascii: "/") { bytes.append(UInt8(ascii: "/")) }
        let marker = Array("/images/".utf8)
        if let at = lastRange(of: marker, in: bytes) {
            bytes.replaceSubrange(at..<(at + marker.count), with: "/labels/".utf8)
        }
        if bytes.count > 1 { bytes.removeLast() }
        return RawPath(bytes: bytes)
    }

    static func lastRange(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var start = haystack.count - needle.count
        while start >= 0 {
            if haystack[start] == needle[0] && haystack[start..<(start + needle.count)].elementsEqual(needle) {
                return start
            }
            start -= 1
        }
        return nil
    }

    /// "labels/train/x.txt" → "images/train/x.*" for the orphan message.
    static func expectedImage(for label: RawPath) -> RawPath {
        var bytes = label.bytes
        let marker = Array("/labels/".utf8)
        if let at = lastRange(of: marker, in: bytes) {
            bytes.replaceSubrange(at..<(at + marker.count), with: "/images/".utf8)
        }
        if bytes.count > 4 { bytes.removeLast(4) }
        bytes.append(contentsOf: ".*".utf8)
        return RawPath(bytes: bytes)
    }

    /// "images/x.*" → the first of the usual image files that exists (an image no split lists).
    static func existingImage(like pattern: RawPath) -> RawPath? {
        let stem = Array(pattern.bytes.dropLast(1))   // keeps the dot
        for ext in ["jpg", "jpeg", "png", "webp", "bmp", "JPG", "JPEG", "PNG", "WEBP", "BMP"] {
            let candidate = RawPath(bytes: stem + Array(ext.utf8))
            if FileIO.isFile(candidate) { return candidate }
        }
        return nil
    }
}
