/// What hashing learned about one image file.
public struct ImageHashes: Sendable, Equatable {
    /// xxh3-128 of the file's bytes: equal digests are exact duplicates.
    public var content: ContentDigest
    public var fileSize: Int64
    /// 64-bit DCT perceptual hash; near-duplicates differ in few bits (`PerceptualHash.distance`).
    public var phash: UInt64
    /// Size of the image actually decoded (after DCT scaling and EXIF orientation).
    public var decodeWidth: Int32
    public var decodeHeight: Int32
    /// A decoder warning that left the pixels usable.
    public var warning: String?

    public init(content: ContentDigest, fileSize: Int64, phash: UInt64, decodeWidth: Int32, decodeHeight: Int32,
                warning: String? = nil) {
        self.content = content
        self.fileSize = fileSize
        self.phash = phash
        self.decodeWidth = decodeWidth
        self.decodeHeight = decodeHeight
        self.warning = warning
    }

    /// `content` as 32 hex digits.
    public var contentHex: String { content.hex }
}

/// Hashes image files: read once, xxh3-128 of the bytes, decode small and gray, pHash.
public enum ImageHashing {
    /// The side the decoders aim for: pHash averages down to 32×32, so JPEGs decode at
    /// the smallest DCT scale keeping both sides ≥ 32 (1/8 for anything ≥ 256 px).
    public static let decodeSide = PerceptualHash.side

    public typealias Outcome = Result<ImageHashes, DecodeError>

    /// Hashes of image bytes already in memory.
    public static func hash(bytes: [UInt8]) -> Outcome {
        let worker = HashWorker()
        return bytes.withUnsafeBytes { worker.hash($0) }
    }

    /// Hashes every image of `dataset`, in `dataset.images` order, on `jobs` threads.
    /// `progress(done, total)` is called from worker threads after each small batch.
    public static func hashAll(_ dataset: Dataset, jobs: Int,
                               progress: ((_ done: Int, _ total: Int) -> Void)? = nil) -> [Outcome] {
        hash(images: dataset.images, jobs: jobs, progress: progress)
    }

    /// Hashes `images` on `jobs` threads, results in input order.
    ///
    /// `reuse(index, digest, fileSize)` — the hook for a content-keyed cache: called after
    /// the bytes are read and digested, before decoding; returning an outcome skips the
    /// decode (a cache hit on content after the (path, size, mtime) fast path missed).
    public static func hash(images: [ImageRecord], jobs: Int,
                            progress: ((_ done: Int, _ total: Int) -> Void)? = nil,
                            reuse: ((_ index: Int, _ content: ContentDigest, _ fileSize: Int64) -> Outcome?)? = nil) -> [Outcome] {
        let total = images.count
        let chunks = Parallel.mapChunks(
            count: total, chunkSize: 8, jobs: max(1, jobs),
            makeState: { HashWorker() },
            progress: progress.map { report in { done in report(done, total) } },
            body: { worker, range in
                range.map { index in worker.hash(file: images[index].rawPath, index: index, reuse: reuse) }
            })
        return chunks.flatMap { $0 }
    }
}

/// One thread's reusable state: a read buffer and the decoders.
final class HashWorker {
    private let buffer = ReadBuffer(capacity: 256 << 10)
    private let decoder = GrayDecoder()

    func hash(file path: RawPath, index: Int,
              reuse: ((Int, ContentDigest, Int64) -> ImageHashing.Outcome?)?) -> ImageHashing.Outcome {
        switch buffer.load(path) {
        case .missing:
            return .failure(DecodeError(.unreadableFile, "image file is missing"))
        case .failed(let code):
            return .failure(DecodeError(.unreadableFile, "cannot read the image file: \(FileIOError(path, errno: code).reason)"))
        case .ok(let count):
            let bytes = UnsafeRawBufferPointer(rebasing: buffer.storage[0..<count])
            if let reuse {
                let content = ContentHash.xxh3_128(bytes)
                if let known = reuse(index, content, Int64(count)) { return known }
                return hash(bytes, content: content)
            }
            return hash(bytes)
        }
    }

    func hash(_ bytes: UnsafeRawBufferPointer, content known: ContentDigest? = nil) -> ImageHashing.Outcome {
        let content = known ?? ContentHash.xxh3_128(bytes)
        switch decoder.decode(bytes, targetSide: ImageHashing.decodeSide) {
        case .success(let image):
            return .success(ImageHashes(content: content, fileSize: Int64(bytes.count), phash: PerceptualHash.hash(image),
                                        decodeWidth: Int32(image.width), decodeHeight: Int32(image.height),
                                        warning: image.warning))
        case .failure(var error):
            error.content = content
            error.fileSize = Int64(bytes.count)
            return .failure(error)
        }
    }
}
