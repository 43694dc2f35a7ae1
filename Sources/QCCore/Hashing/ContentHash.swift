import CXXHash

/// xxh3 content hashes. The only Swift file that calls libxxhash.
///
/// Hex output is the canonical (big-endian) form, so it matches `xxh128sum` / `xxhsum -H3`.
public enum ContentHash {
    public static func xxh3_64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        XXH3_64bits(bytes.baseAddress, bytes.count)
    }

    public static func xxh3_64(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { xxh3_64($0) }
    }

    public static func xxh3_64Hex(_ bytes: UnsafeRawBufferPointer) -> String {
        hex(xxh3_64(bytes))
    }

    public static func xxh3_128Hex(_ bytes: UnsafeRawBufferPointer) -> String {
        let hash = XXH3_128bits(bytes.baseAddress, bytes.count)
        return hex(hash.high64) + hex(hash.low64)
    }

    public static func xxh3_128Hex(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { xxh3_128Hex($0) }
    }

    /// xxh3-128 as two integers (`digest.hex == xxh3_128Hex(bytes)`).
    public static func xxh3_128(_ bytes: UnsafeRawBufferPointer) -> ContentDigest {
        let hash = XXH3_128bits(bytes.baseAddress, bytes.count)
        return ContentDigest(high: hash.high64, low: hash.low64)
    }

    /// xxh3-128 of a file, streamed in 1 MiB chunks (memory stays flat for any size).
    public static func fileXXH3_128(path: String) throws(FileIOError) -> String {
        try fileXXH3_128(RawPath(path))
    }

    /// Same for an image of the dataset (exact on-disk bytes of its path).
    public static func fileXXH3_128(of image: ImageRecord) throws(FileIOError) -> String {
        try fileXXH3_128(image.rawPath)
    }

    static func fileXXH3_128(_ path: RawPath) throws(FileIOError) -> String {
        let hasher = Hasher128()
        try FileIO.forEachChunk(of: path) { hasher.update($0) }
        return hasher.finalHex()
    }

    /// Incremental xxh3-128 for data that arrives in pieces.
    public final class Hasher128 {
        private let state: OpaquePointer

        public init() {
            state = XXH3_createState()
            XXH3_128bits_reset(state)
        }
        deinit { XXH3_freeState(state) }

        public func update(_ bytes: UnsafeRawBufferPointer) {
            if bytes.count > 0 { XXH3_128bits_update(state, bytes.baseAddress, bytes.count) }
        }

        public func update<T: BitwiseCopyable>(value: T) {
            withUnsafeBytes(of: value) { update($0) }
        }

        public func update(_ string: String) {
            var copy = string
            copy.withUTF8 { update(UnsafeRawBufferPointer($0)) }
        }

        public func finalHex() -> String {
            let hash = XXH3_128bits_digest(state)
            return ContentHash.hex(hash.high64) + ContentHash.hex(hash.low64)
        }
    }

    static func hex(_ value: UInt64) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: 16)
        for index in 0..<16 {
            out[15 - index] = digits[Int((value >> (UInt64(index) * 4)) & 0xF)]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
