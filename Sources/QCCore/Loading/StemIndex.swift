/// The dataset's images by file-name stem ("x" for "images/train/x.jpg"), for pairing
/// predictions files with images by name.
///
/// Keyed by a 64-bit hash of the stem's bytes with each hash's images chained, and every
/// match confirmed byte by byte (a collision is only a longer chain). Built from the
/// images' own path strings without copying them: a dictionary of 100k+ byte-array keys
/// made pairing a visible share of loading predictions.
struct StemIndex {
    private var firstByHash: [UInt64: Int32] = [:]
    /// The next image in the same hash chain, -1 at the end.
    private var next: [Int32]

    init(_ images: [ImageRecord]) {
        next = [Int32](repeating: -1, count: images.count)
        firstByHash.reserveCapacity(images.count)
        // Chains are built backwards so that they list images in index order.
        for index in images.indices.reversed() {
            let hash = Self.withStem(of: images, index) { Self.hash($0) }
            if let first = firstByHash.updateValue(Int32(index), forKey: hash) { next[index] = first }
        }
    }

    /// The images whose stem equals `stem`, in index order, visited without allocating
    /// (almost every predictions file names exactly one image).
    func forEachImage(named stem: ArraySlice<UInt8>, in images: [ImageRecord], _ body: (Int) -> Void) {
        let hash = stem.withUnsafeBufferPointer { Self.hash(UnsafeRawBufferPointer($0)) }
        var cursor = firstByHash[hash] ?? -1
        while cursor >= 0 {
            let index = Int(cursor)
            let same = Self.withStem(of: images, index) { candidate in
                stem.withUnsafeBytes { candidate.elementsEqual($0) }
            }
            if same { body(index) }
            cursor = next[index]
        }
    }

    func images(named stem: ArraySlice<UInt8>, in images: [ImageRecord]) -> [Int] {
        var out: [Int] = []
        forEachImage(named: stem, in: images) { out.append($0) }
        return out
    }

    /// The stem's bytes, from the on-disk bytes when the name is not UTF-8 (the same bytes
    /// the walker lists), else from the path string in place.
    private static func withStem<R>(of images: [ImageRecord], _ index: Int,
                                    _ body: (UnsafeRawBufferPointer) -> R) -> R {
        // Field by field: passing the whole ImageRecord copied (retained) all its strings.
        if let raw = images[index].rawAbsolutePath {
            return raw.withUnsafeBytes { body(stem(of: $0)) }
        }
        var path = images[index].path
        return path.withUTF8 { body(stem(of: UnsafeRawBufferPointer($0))) }
    }

    /// The file name without its extension, as `RawPath.stem` cuts it.
    private static func stem(of path: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = path.count
        while start > 0 && path[start - 1] != UInt8(ascii: "/") { start -= 1 }
        var end = path.count
        var dot = path.count - 1
        while dot > start && path[dot] != UInt8(ascii: ".") { dot -= 1 }
        if dot > start { end = dot }
        return UnsafeRawBufferPointer(rebasing: path[start..<end])
    }

    /// FNV-1a: stems are a dozen bytes; anything heavier costs more than it saves.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }
}
