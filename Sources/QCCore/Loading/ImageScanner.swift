#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parallel I/O pass: for each image, optionally its header, and optionally one YOLO
/// text file (labels or predictions) parsed to normalised rows. Output comes back per
/// chunk in input order; turning rows into records and pixel boxes is the callers' job.
enum ImageScanner {
    struct Job {
        var image: RawPath?
        var text: RawPath?
    }

    enum Header {
        case notRead
        case read(ImageInfo)
        case failed(String)
    }

    struct Invalid {
        var job: Int          // index within the chunk
        var line: Int32
        var message: String
    }

    struct Chunk {
        var headers: [Header] = []
        /// rowEnds[j] = end of job j's rows in `rows` (start = previous end).
        var rowEnds: [Int] = []
        var rows: [YOLOLabelParser.Row] = []
        var invalid: [Invalid] = []
        /// Jobs whose invalid lines were capped: (job, how many more).
        var capped: [(job: Int, count: Int)] = []
        /// Text files that exist but could not be read.
        var textErrors: [(job: Int, message: String)] = []
        /// xxh3-128 of each job's text bytes when asked for (nil: missing or unreadable):
        /// the predictions' provenance digest costs nothing extra while the bytes are in memory.
        var textDigests: [ContentDigest?] = []
    }

    /// One per thread: header window, text buffer and parser, reused for every chunk.
    private final class WorkerState {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 64)
        let text = ReadBuffer()
        let imageFolders = FolderHandles()
        let textFolders = FolderHandles()
        let parser: YOLOLabelParser
        init(parser: YOLOLabelParser) { self.parser = parser }
        deinit { scratch.deallocate() }
    }

    /// Images per chunk: big enough to amortise scheduling, small enough to balance 2–64 threads.
    static let chunkSize = 512

    static func scan(_ jobs: [Job], keypointShape: [Int]?, withConfidence: Bool,
                     options: LoadOptions, phase: String, hashText: Bool = false) -> [Chunk] {
        let total = jobs.count
        let progress = options.progress
        let maxInvalid = options.maxFindingsPerFile
        progress?(phase, 0, total)
        return jobs.withUnsafeBufferPointer { jobs in
            Parallel.mapChunks(
                count: total, chunkSize: chunkSize, jobs: options.jobs,
                makeState: {
                    WorkerState(parser: YOLOLabelParser(keypointShape: keypointShape, withConfidence: withConfidence,
                                                        maxInvalid: maxInvalid))
                },
                progress: progress.map { report in { done in report(phase, done, total) } },
                body: { state, range in scanChunk(jobs, range, state, hashText: hashText, headers: options.headerCache) })
        }
    }

    private static func scanChunk(_ jobs: UnsafeBufferPointer<Job>, _ range: Range<Int>, _ state: WorkerState,
                                  hashText: Bool, headers: HeaderCache?) -> Chunk {
        var chunk = Chunk()
        if hashText { chunk.textDigests.reserveCapacity(range.count) }
        chunk.headers.reserveCapacity(range.count)
        chunk.rowEnds.reserveCapacity(range.count)
        for (local, index) in range.enumerated() {
            let job = jobs[index]
            if let image = job.image {
                // With a header cache, a stat() decides: unchanged files are not opened.
                let stamp = headers == nil ? nil : DatasetHashes.stamp(image)
                if let headers, let stamp, let info = headers.lookup(path: image.bytes, size: stamp.0, mtimeNanoseconds: stamp.1) {
                    chunk.headers.append(.read(info))
                } else {
                    switch ImageHeader.read(image, scratch: state.scratch, handles: state.imageFolders) {
                    case .success(let info):
                        chunk.headers.append(.read(info))
                        if let headers, let stamp, stamp.0 == info.fileSize {
                            headers.record(path: image.bytes, size: stamp.0, mtimeNanoseconds: stamp.1, info: info)
                        }
                    case .failure(let error): chunk.headers.append(.failed(error.message))
                    }
                }
            } else {
                chunk.headers.append(.notRead)
            }
            var digest: ContentDigest?
            if let text = job.text {
                switch state.text.load(text, handles: state.textFolders) {
                case .ok(let count):
                    let bytes = UnsafeRawBufferPointer(rebasing: state.text.storage[0..<count])
                    if hashText { digest = ContentHash.xxh3_128(bytes) }
                    state.parser.parse(bytes)
                    chunk.rows.append(contentsOf: state.parser.rows)
                    for invalid in state.parser.invalid {
                        chunk.invalid.append(Invalid(job: local, line: invalid.line, message: invalid.message))
                    }
                    if state.parser.invalidBeyondCap > 0 {
                        chunk.capped.append((local, state.parser.invalidBeyondCap))
                    }
                case .missing:
                    break
                case .failed(let code):
                    chunk.textErrors.append((local, "cannot be read: \(String(cString: strerror(code)))"))
                }
            }
            chunk.rowEnds.append(chunk.rows.count)
            if hashText { chunk.textDigests.append(digest) }
        }
        return chunk
    }
}
