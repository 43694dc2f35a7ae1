import Foundation

/// Every image's hashes for one run, with how they were obtained: from the cache's
/// (path, size, mtime) fast path, from the cache by content after re-reading the bytes,
/// or by decoding.
public struct DatasetHashes: Sendable {
    /// One per `dataset.images`, in order.
    public var outcomes: [ImageHashing.Outcome]
    public var fromPath = 0
    public var fromContent = 0
    public var decoded = 0
    public var failed: Int { outcomes.reduce(0) { $0 + ((try? $1.get()) == nil ? 1 : 0) } }

    public init(outcomes: [ImageHashing.Outcome]) { self.outcomes = outcomes }

    /// xxh3-128 of each image's bytes where they could be read.
    public var contentDigests: [ContentDigest?] {
        outcomes.map { outcome in
            switch outcome {
            case .success(let h): return h.content
            case .failure(let e): return e.content
            }
        }
    }

    /// Hashes the dataset's images on `jobs` threads. `progress(done, total)` reports the
    /// images that had to be read. With a cache, unchanged files are not opened at all.
    public static func compute(_ dataset: Dataset, jobs: Int, cache: HashCache?,
                               progress: ((_ done: Int, _ total: Int) -> Void)? = nil) -> DatasetHashes {
        let images = dataset.images
        var outcomes = [ImageHashing.Outcome?](repeating: nil, count: images.count)
        var stamps = [(size: Int64, mtime: Int64)?](repeating: nil, count: images.count)
        if let cache {
            // stat() only: the fast path never opens the file.
            let found = Parallel.mapChunks(count: images.count, chunkSize: 512, jobs: max(1, jobs), makeState: { () },
                                           progress: nil, body: { _, range in
                range.map { i -> ((Int64, Int64)?, ImageHashing.Outcome?) in
                    let path = images[i].rawPath
                    guard let stamp = Self.stamp(path) else { return (nil, nil) }
                    return (stamp, cache.lookup(path: path.bytes, size: stamp.0, mtimeNanoseconds: stamp.1))
                }
            })
            var i = 0
            for chunk in found {
                for (stamp, outcome) in chunk {
                    stamps[i] = stamp.map { (size: $0.0, mtime: $0.1) }
                    outcomes[i] = outcome
                    i += 1
                }
            }
        }
        let missing = outcomes.indices.filter { outcomes[$0] == nil }
        var result = DatasetHashes(outcomes: [])
        result.fromPath = images.count - missing.count
        let counter = ReuseCounter()
        let reuse: ((Int, ContentDigest, Int64) -> ImageHashing.Outcome?)? = cache.map { cache in
            { _, content, size in
                let known = cache.lookup(content: content, size: size)
                if known != nil { counter.add() }
                return known
            }
        }
        // Slices, each recorded in the cache as soon as it is hashed: Ctrl-C or a crash
        // half-way keeps what was done, and the next run resumes from there.
        let slice = max(256, 64 * max(1, jobs))
        var done = 0
        while done < missing.count {
            let part = Array(missing[done..<min(missing.count, done + slice)])
            let offset = done
            let hashed = ImageHashing.hash(images: part.map { images[$0] }, jobs: jobs,
                                           progress: progress.map { report in { d, _ in report(offset + d, missing.count) } },
                                           reuse: reuse)
            for (k, index) in part.enumerated() {
                var outcome = hashed[k]
                // A cached outcome found by content came from another path: report this one's size.
                if case .success(var h) = outcome, let size = stamps[index]?.size, h.fileSize != size {
                    h.fileSize = size; outcome = .success(h)
                }
                outcomes[index] = outcome
                if let cache, let stamp = stamps[index] {
                    cache.record(path: images[index].rawPath.bytes, size: stamp.size, mtimeNanoseconds: stamp.mtime, outcome: outcome)
                }
            }
            try? cache?.flush()
            done += part.count
        }
        result.fromContent = counter.value
        result.decoded = missing.count - counter.value
        result.outcomes = outcomes.map { $0! }
        return result
    }

    /// (size, mtime in ns) of a regular file, nil when it cannot be stat'ed.
    static func stamp(_ path: RawPath) -> (Int64, Int64)? {
        var info = stat()
        let status = path.withCString { stat($0, &info) }
        guard status == 0 else { return nil }
        return (Int64(info.st_size), Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }
}

private final class ReuseCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

extension DatasetHashes {
    /// `unreadable_image` findings (check `input`) for images whose header was read but
    /// whose pixels do not decode — what a training loader would trip over. Images whose
    /// header already failed have their finding from the loader.
    public func issues(_ dataset: Dataset) -> [Finding] {
        var found: [Finding] = []
        for (i, outcome) in outcomes.enumerated() {
            guard case .failure(let error) = outcome else { continue }
            let image = dataset.images[i]
            guard image.width > 0, image.height > 0 else { continue }
            found.append(InputIssue.make("unreadable_image", .error, image: image.path,
                                         split: dataset.splits.indices.contains(Int(image.split)) ? dataset.splits[Int(image.split)] : nil,
                                         "pixels cannot be decoded (\(error.kind.rawValue)): \(error.message)"))
        }
        return found
    }
}
