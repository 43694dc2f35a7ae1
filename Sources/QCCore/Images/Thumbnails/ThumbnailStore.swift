import Foundation

/// Thumbnails in a `thumbs/` folder beside the HTML pages, each named by the xxh3-128 of
/// its source image's bytes: a re-run (or a second page showing the same image) reuses
/// the file instead of decoding again, and a changed image gets a new name, so a
/// browser never shows a stale cached thumbnail.
public enum ThumbnailStore {
    public enum Outcome: Sendable, Equatable {
        /// Path relative to the output folder, e.g. `thumbs/9f2c….jpg`.
        case thumbnail(String)
        case failed(String)
    }

    public static func make(for images: [Int], of ds: Dataset, outDir: String, jobs: Int,
                            maxSide: Int = ThumbnailMaker.defaultMaxSide, knownContent: [ContentDigest?] = []) -> [Int: Outcome] {
        let unique = Array(Set(images)).sorted()
        var results = [Outcome?](repeating: nil, count: unique.count)
        let workers = max(1, min(jobs, unique.count))
        results.withUnsafeMutableBufferPointer { out in
            let out = out
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var k = w
                while k < unique.count {
                    let known = unique[k] < knownContent.count ? knownContent[unique[k]] : nil
                    out[k] = thumbnail(ds.images[unique[k]], outDir: outDir, maxSide: maxSide, known: known)
                    k += workers
                }
            }
        }
        var byImage: [Int: Outcome] = [:]
        for (k, image) in unique.enumerated() { byImage[image] = results[k] }
        return byImage
    }

    static func thumbnail(_ record: ImageRecord, outDir: String, maxSide: Int, known: ContentDigest? = nil) -> Outcome {
        if let known, FileIO.kind(of: "\(outDir)/thumbs/\(known.hex).jpg") == .file { return .thumbnail("thumbs/\(known.hex).jpg") }
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(of: record) } catch { return .failed("cannot read the image: \(error.reason)") }
        let name = "thumbs/\(ContentHash.xxh3_128Hex(bytes)).jpg"
        let path = "\(outDir)/\(name)"
        if FileIO.kind(of: path) == .file { return .thumbnail(name) }
        switch ThumbnailMaker.jpeg(of: bytes, maxSide: maxSide) {
        case .success(let jpeg):
            do { try AtomicFile.write(jpeg, to: path) } catch { return .failed(error.description) }
            return .thumbnail(name)
        case .failure(let e):
            return .failed(e.message)
        }
    }
}
