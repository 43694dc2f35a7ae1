/// The dataset's images by file-name stem ("x" for "images/train/x.jpg"), for pairing
/// predictions files with images by name.
///
/// An open-addressing table keyed by a 64-bit hash of the stem's bytes, each slot holding
/// the first image of a chain of images with that hash, and every match confirmed byte by
/// byte (a collision is only a longer chain). Built from the images' own path strings
/// without copying them: a dictionary of 100k+ byte-array keys, then one of hashed keys
/// (SipHash per lookup), made pairing a visible share of loading predictions.
struct StemIndex {
    private var slotHash: [UInt64]
    /// The first image (in index order) of the slot's chain; -1: empty slot.
    private var slotFirst: [Int32]
    private let mask: Int
    /// The next image in the same hash chain, -1 at the end.
    private var next: [Int32]

    init(_ images: [ImageRecord]) {
        var capacity = 16
        while capacity < images.count * 2 { capacity <<= 1 }
        mask = capacity - 1
        slotHash = [UInt64](repeating: 0, count: capacity)
        slotFirst = [Int32](repeating: -1, count: capacity)
        next = [Int32](repeating: -1, count: images.count)
        // Chains are built backwards so that they list images in index order.
        for index in images.indices.reversed() {
            let hash = Self.withStem(of: images, index) { Self.hash($0) }
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slotFirst[slot] >= 0 && slotHash[slot] != hash { slot = (slot + 1) & mask }
            if slotFirst[slot] >= 0 { next[index] = slotFirst[slot] }
            slotHash[slot] = hash
            slotFirst[slot] = Int32(index)
        }
    }

    /// The images whose stem equals the stem of `path` (a file path's bytes), in index
    /// order, visited without allocating (almost every predictions file names one image).
    func forEachImage(stemOf path: RawPath, in images: [ImageRecord], _ body: (Int) -> Void) {
        path.bytes.withUnsafeBytes { whole in
            let stem = Self.stem(of: whole)
            let hash = Self.hash(stem)
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slotFirst[slot] >= 0 && slotHash[slot] != hash { slot = (slot + 1) & mask }
            var cursor = slotFirst[slot]
            while cursor >= 0 {
                let index = Int(cursor)
                if Self.withStem(of: images, index, { $0.elementsEqual(stem) }) { body(index) }
                cursor = next[index]
            }
        }
    }

    func images(stemOf path: RawPath, in images: [ImageRecord]) -> [Int] {
        var out: [Int] = []
        forEachImage(stemOf: path, in: images) { out.append($0) }
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
        UnsafeRawBufferPointer(rebasing: path[RawPath.stemRange(of: path)])
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
