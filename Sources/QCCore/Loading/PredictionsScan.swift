/// Every predictions .txt file of a folder read and parsed, one scan job per listed file
/// in listing order, so any file's rows, digest and errors are found by its index.
///
/// Independent of the dataset except for its keypoint shape (the column layout), so the
/// scan can run while the labels load; the shape it assumed is kept for the check.
struct PredictionsScan: @unchecked Sendable {  // chunks are read-only once built
    let keypointShape: [Int]?
    private let chunks: [ImageScanner.Chunk]
    /// File index → (unreadable file message, invalid lines, lines past the cap), for the
    /// few files that have any.
    private(set) var textErrors: [Int: String] = [:]
    private(set) var invalid: [Int: [ImageScanner.Invalid]] = [:]
    private(set) var capped: [Int: Int] = [:]

    init(files: [RawPath], keypointShape: [Int]?, options: LoadOptions) {
        self.keypointShape = keypointShape
        let jobs = files.map { ImageScanner.Job(image: nil, text: $0) }
        chunks = ImageScanner.scan(jobs, keypointShape: keypointShape, withConfidence: true,
                                   options: options, phase: "predictions", hashText: true)
        for (k, chunk) in chunks.enumerated() {
            let first = k * ImageScanner.chunkSize
            for e in chunk.textErrors { textErrors[first + e.job] = e.message }
            for i in chunk.invalid { invalid[first + i.job, default: []].append(i) }
            for c in chunk.capped { capped[first + c.job] = c.count }
        }
    }

    private func locate(_ file: Int) -> (chunk: Int, local: Int) {
        (file / ImageScanner.chunkSize, file % ImageScanner.chunkSize)
    }

    /// The file's parsed rows (normalised coordinates, as written).
    func rows(of file: Int) -> ArraySlice<YOLOLabelParser.Row> {
        let (k, local) = locate(file)
        let start = local == 0 ? 0 : chunks[k].rowEnds[local - 1]
        return chunks[k].rows[start..<chunks[k].rowEnds[local]]
    }

    func rowCount(of file: Int) -> Int { rows(of: file).count }

    /// xxh3-128 of the file's bytes; nil when it was missing or unreadable.
    func digest(of file: Int) -> ContentDigest? {
        let (k, local) = locate(file)
        return chunks[k].textDigests[local]
    }
}
