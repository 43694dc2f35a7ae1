/// The user's model predictions → `Dataset.predictions`: a folder of YOLO txt files with a
/// trailing `conf` column (Ultralytics `save_txt save_conf`), or a COCO results JSON.
public enum PredictionsLoader {
    public static func attach(_ path: String, to dataset: inout Dataset) throws(LoadError) {
        try attach(path, to: &dataset, options: LoadOptions())
    }

    public static func attach(_ path: String, to dataset: inout Dataset, options: LoadOptions) throws(LoadError) {
        try attach(Pending(path: path), to: &dataset, options: options)
    }

    /// Predictions named before the dataset loads. What needs no dataset starts at once on
    /// a thread of its own, so it overlaps the label load instead of following it: a
    /// folder's listing (and its sort), a results JSON's parse.
    public struct Pending: Sendable {
        let path: String
        var listing: BackgroundValue<(Listing, PredictionsScan)>?
        var document: BackgroundValue<Result<COCODocument, LoadError>>?

        init(path: String, listing: BackgroundValue<(Listing, PredictionsScan)>? = nil,
             document: BackgroundValue<Result<COCODocument, LoadError>>? = nil) {
            self.path = path; self.listing = listing; self.document = document
        }

        /// Once attached, the files' rows and the parsed document are no longer needed:
        /// freed on a thread of its own (118k paths and 10⁶ rows).
        public func releaseInBackground() {
            var held: [AnyObject] = []
            if let listing { held.append(listing) }
            if let document { held.append(document) }
            ReleaseInBackground.drop(held)
        }
    }

    /// `options`: the load's (threads); the early scan reports no progress of its own.
    public static func prepare(_ path: String, options: LoadOptions = LoadOptions()) -> Pending {
        let source = RawPath(LoaderText.expandingTilde(path)).absolute()
        var quiet = options
        quiet.progress = nil
        let scanOptions = quiet
        switch FileIO.kind(of: source) {
        case .directory:
            // Files are read assuming plain detection rows (no keypoints); a pose dataset's
            // predictions are read again with its layout once it is known.
            return Pending(path: path, listing: BackgroundValue(concurrently: options.jobs > 1) {
                let listing = list(source)
                return (listing, PredictionsScan(files: listing.files, keypointShape: nil, options: scanOptions))
            })
        case .file where source.lowercasedExtension == "json":
            return Pending(path: path, document: BackgroundValue(concurrently: options.jobs > 1) {
                COCODocument.parse(source, kind: .results)
            })
        default:
            return Pending(path: path)
        }
    }

    public static func attach(_ pending: Pending, to dataset: inout Dataset,
                              options: LoadOptions = LoadOptions()) throws(LoadError) {
        let source = RawPath(LoaderText.expandingTilde(pending.path)).absolute()
        switch FileIO.kind(of: source) {
        case .directory:
            let early = pending.listing?.value
            try attachText(folder: source, listing: early?.0 ?? list(source), prescan: early?.1, to: &dataset, options: options)
        case .file where source.lowercasedExtension == "json":
            try attachJSON(source, parsed: pending.document?.value, to: &dataset, options: options)
        case .file:
            throw LoadError("\(source.display): predictions must be a folder of YOLO .txt files or a COCO results .json")
        default:
            throw LoadError("\(source.display): predictions not found")
        }
        dataset.hasPredictions = true
        dataset.predictionsSource = source.display
    }

    // MARK: YOLO txt

    /// Every .txt file under the folder, sorted by path bytes.
    struct Listing: Sendable {
        var files: [RawPath] = []
        var failure: FileIOError?
    }

    static func list(_ folder: RawPath) -> Listing {
        var listing = Listing()
        var walker = DirectoryWalker()
        walker.walk(folder, recursive: true, wants: { $0.count > 4 && $0.suffix(4).elementsEqual(".txt".utf8) },
                    onFile: { listing.files.append($0) })
        listing.files.sort()
        listing.failure = walker.failures.first
        return listing
    }

    private static func attachText(folder: RawPath, listing: Listing, prescan: PredictionsScan?, to dataset: inout Dataset,
                                   options: LoadOptions) throws(LoadError) {
        let root = RawPath(dataset.root)
        var step = PhaseTimer.now()
        func stepDone(_ name: String) { PhaseTimer.report("predictions: \(name)", since: step); step = PhaseTimer.now() }
        let files = listing.files
        if let failure = listing.failure, files.isEmpty {
            throw LoadError("\(failure.path): cannot be listed: \(failure.reason)")
        }
        stepDone("list (waited for)")
        let stems = StemIndex(dataset.images)
        var issues: [Finding] = []
        var matched: [(file: RawPath, image: Int, fileIndex: Int)] = []
        matched.reserveCapacity(files.count)
        var takenBy = [Int32](repeating: -1, count: dataset.images.count)  // file index per image
        var unmatched: [RawPath] = []
        for (fileIndex, file) in files.enumerated() {
            var first = -1, count = 0
            stems.forEachImage(stemOf: file, in: dataset.images) { index in
                if count == 0 { first = index }
                count += 1
            }
            guard count > 0 else { unmatched.append(file); continue }
            // Looked up only when the stem is shared (an empty array allocates nothing).
            let candidates = count == 1 ? [] : stems.images(stemOf: file, in: dataset.images)
            let image = count == 1 ? first : bestMatch(file, folder: folder, candidates: candidates, dataset: dataset)
            guard let image else {
                issues.append(InputIssue.make("invalid_label", .warning, ref: file.shown(under: root),
                                              "predictions file matches \(candidates.count) images by name (\(candidates.prefix(3).map { dataset.images[$0].path }.joined(separator: ", "))) and none better than the others; not used"))
                continue
            }
            if takenBy[image] >= 0 {
                let previous = files[Int(takenBy[image])]
                issues.append(InputIssue.make("invalid_label", .warning, image: dataset.images[image].path,
                                              ref: file.shown(under: root),
                                              "\(previous.shown(under: root)) already holds this image's predictions; this file is not used"))
                continue
            }
            takenBy[image] = Int32(fileIndex)
            matched.append((file, image, fileIndex))
        }
        if !files.isEmpty && matched.isEmpty {
            throw LoadError("\(folder.display): none of its \(files.count) .txt files matches an image of the dataset by name (e.g. \(files[0].shown(under: folder)))")
        }
        if !unmatched.isEmpty {
            issues.append(InputIssue.make("orphan_label", .info, ref: unmatched[0].shown(under: root),
                                          "\(unmatched.count) predictions file\(unmatched.count == 1 ? "" : "s") match no image of the loaded dataset (first: \(unmatched[0].shown(under: folder)))"))
        }

        stepDone("pair")
        // Read during the label load when the layout guessed then (no keypoints) holds.
        let scan = prescan.flatMap { $0.keypointShape == dataset.keypointShape ? $0 : nil }
            ?? PredictionsScan(files: files, keypointShape: dataset.keypointShape, options: options)
        stepDone(prescan == nil ? "scan" : "scan (waited for)")
        var digests = [ContentDigest?](repeating: nil, count: files.count)
        for m in matched { digests[m.fileIndex] = scan.digest(of: m.fileIndex) }
        dataset.predictionsDigestValue = BackgroundValue(concurrently: options.jobs > 1) { [files, digests] in
            manifestDigest(files: files, folder: folder, digests: digests)
        }
        // Rows go straight into one flat array at each image's offset (counted first):
        // 100k+ per-image arrays cost more than the rows themselves.
        func placeable(_ image: ImageRecord, _ normalized: Bool) -> Bool {
            normalized || (image.width > 0 && image.height > 0)
        }
        var counts = [Int](repeating: 0, count: dataset.images.count)
        for m in matched where placeable(dataset.images[m.image], dataset.normalizedBoxes) {
            // Unreadable images (size 0) already have a finding; their predictions cannot be placed.
            counts[m.image] = scan.rowCount(of: m.fileIndex)
        }
        var offset = 0
        for index in dataset.images.indices {
            dataset.images[index].predictionStart = Int32(offset)
            offset += counts[index]
            dataset.images[index].predictionEnd = Int32(offset)
        }
        // Findings for unreadable files and invalid lines, in file order.
        for m in matched where scan.textErrors[m.fileIndex] != nil || scan.invalid[m.fileIndex] != nil
            || scan.capped[m.fileIndex] != nil {
            let path = dataset.images[m.image].path, split = dataset.splits[Int(dataset.images[m.image].split)]
            let shownFile = m.file.shown(under: root)
            if let message = scan.textErrors[m.fileIndex] {
                issues.append(InputIssue.make("invalid_label", .error, image: path, split: split, ref: shownFile,
                                              "predictions file \(message)"))
            }
            for invalid in scan.invalid[m.fileIndex] ?? [] {
                issues.append(InputIssue.make("invalid_label", .error, image: path, split: split,
                                              ref: "\(shownFile):\(invalid.line)", invalid.message))
            }
            if let count = scan.capped[m.fileIndex] {
                issues.append(InputIssue.more("invalid_label", .error, image: path, split: split, ref: shownFile,
                                              count: count, what: "invalid lines in this file"))
            }
        }
        // The rows themselves, scaled to pixels, in runs of files on all cores: every image
        // has its own range of `flat`, so runs never write the same element.
        // Uninitialised: every element is written below (the images' ranges cover it),
        // and zero-filling 10⁶ rows first cost a serial pass of its own.
        let total = offset
        let images = dataset.images, normalized = dataset.normalizedBoxes
        let flat = [PredictionBox](unsafeUninitializedCapacity: total) { out, initialized in
            let target = out
            Parallel.forEachRun(count: matched.count, runSize: 2048) { run in
                for m in matched[run] {
                    let image = m.image
                    guard placeable(images[image], normalized) else { continue }
                    let sx = normalized ? 1.0 : Double(images[image].width)
                    let sy = normalized ? 1.0 : Double(images[image].height)
                    var at = Int(images[image].predictionStart)
                    for row in scan.rows(of: m.fileIndex) {
                        target[at] = PredictionBox(classId: row.classId, x1: row.x1 * sx, y1: row.y1 * sy,
                                                   x2: row.x2 * sx, y2: row.y2 * sy, confidence: row.confidence)
                        at += 1
                    }
                }
            }
            initialized = total
        }
        dataset.predictions = flat
        dataset.issues += issues
        stepDone("place")
    }

    /// The predictions' provenance digest (see `Dataset.predictionsDigest`). Files the scan
    /// did not read (no matching image) are hashed here; they are few.
    private static func manifestDigest(files: [RawPath], folder: RawPath, digests: [ContentDigest?]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(files.count * 80)
        let prefix = folder.bytes.count + (folder.bytes.last == UInt8(ascii: "/") ? 0 : 1)
        let hexDigits = Array("0123456789abcdef".utf8)
        func appendHex(_ v: UInt64) {
            for shift in stride(from: 60, through: 0, by: -4) { bytes.append(hexDigits[Int((v >> UInt64(shift)) & 0xf)]) }
        }
        for (file, digest) in zip(files, digests) {
            // The walker's paths all start with the folder: drop it rather than re-derive.
            if file.bytes.count > prefix && file.bytes.starts(with: folder.bytes)
                && file.bytes[prefix - 1] == UInt8(ascii: "/") {
                bytes += file.bytes[prefix...]
            } else {
                bytes += (file.relative(to: folder) ?? file).bytes
            }
            bytes.append(0)
            if let digest {
                appendHex(digest.high)
                appendHex(digest.low)
            } else {
                bytes += ((try? ContentHash.fileXXH3_128(file)) ?? "unreadable").utf8
            }
            bytes.append(UInt8(ascii: "\n"))
        }
        // One update: SHA256Text buffers small updates byte by byte.
        return SHA256Text.hex(bytes: bytes)
    }

    /// Among images sharing a stem, the one whose folders best match the predictions file's
    /// (counting from the file upwards, "labels" and "images" being the same); nil on a tie.
    private static func bestMatch(_ file: RawPath, folder: RawPath, candidates: [Int], dataset: Dataset) -> Int? {
        func folders(_ path: String) -> [Substring] {
            path.split(separator: "/").dropLast().reversed().map { $0 == "labels" ? "images" : $0 }
        }
        let fileFolders = folders(file.relative(to: folder)?.display ?? file.display)
        var best: (image: Int, score: Int)?
        var tie = false
        for candidate in candidates {
            let imageFolders = folders(dataset.images[candidate].path)
            var score = 0
            while score < min(fileFolders.count, imageFolders.count) && fileFolders[score] == imageFolders[score] { score += 1 }
            if best == nil || score > best!.score {
                best = (candidate, score)
                tie = false
            } else if score == best!.score {
                tie = true
            }
        }
        return tie ? nil : best?.image
    }

    // MARK: COCO results JSON

    /// `parsed`: the document parsed while the dataset loaded (nil: parse it now).
    private static func attachJSON(_ json: RawPath, parsed: Result<COCODocument, LoadError>?, to dataset: inout Dataset,
                                   options: LoadOptions) throws(LoadError) {
        let root = RawPath(dataset.root)
        let shown = json.shown(under: root)
        dataset.predictionsDigestValue = BackgroundValue(concurrently: options.jobs > 1) {
            SHA256Text.hex("\u{0}\((try? ContentHash.fileXXH3_128(json)) ?? "unreadable")\n")
        }
        let document: COCODocument
        switch parsed ?? COCODocument.parse(json, kind: .results) {
        case .success(let parsed): document = parsed
        case .failure(let error): throw LoadError("\(json.display): \(error.message)")
        }
        var byId: [Int64: Int] = [:]
        var byStem: [String: Int] = [:]
        var ambiguousStems: Set<String> = []
        for (index, image) in dataset.images.enumerated() {
            if let id = image.cocoId { byId[id] = index }
            let stem = String(decoding: image.rawPath.stem, as: UTF8.self)
            if byStem.updateValue(index, forKey: stem) != nil { ambiguousStems.insert(stem) }
        }
        // YOLO datasets: Ultralytics writes image_id = int(stem) for numeric stems, else the stem.
        var byNumericStem: [Int64: Int] = [:]
        if dataset.format == .yolo {
            for (stem, index) in byStem where !ambiguousStems.contains(stem) {
                if let number = Int64(stem) { byNumericStem[number] = index }
            }
        }
        var issues: [Finding] = []
        var capped = 0
        func report(_ index: Int, _ message: String, image: String? = nil) {
            if issues.count < options.maxFindingsPerFile {
                issues.append(InputIssue.make("invalid_annotation", .error, image: image, ref: "\(shown)#index=\(index)", message))
            } else {
                capped += 1
            }
        }
        var unknownIds: [String] = []
        var unknownCount = 0
        var matchedCount = 0
        var unplaceable = 0
        var placedImages: [Int32] = []
        var placed: [PredictionBox] = []
        placedImages.reserveCapacity(document.annotationCount)
        placed.reserveCapacity(document.annotationCount)
        // Results files list an image's detections together: remember the last name.
        var lastText: String?
        var lastTextImage: Int?
        for index in 0..<document.annotationCount {
            let detection = document.annotation(index)
            if let error = detection.error {
                report(index, "detection: \(error)")
                continue
            }
            var image: Int?
            if let text = detection.imageText {
                if text == lastText {
                    image = lastTextImage
                } else {
                    image = ambiguousStems.contains(text) ? nil : byStem[text]
                    lastText = text
                    lastTextImage = image
                }
            } else {
                image = dataset.format == .coco ? byId[detection.imageId] : byNumericStem[detection.imageId]
            }
            guard let image else {
                unknownCount += 1
                let id = detection.imageText.map { "\"\($0)\"" } ?? String(detection.imageId)
                if unknownIds.count < 5 && !unknownIds.contains(id) { unknownIds.append(id) }
                continue
            }
            matchedCount += 1
            guard let score = detection.score, score >= 0, score <= 1 else {
                report(index, "score \(detection.score ?? .nan) is outside 0–1", image: dataset.images[image].path)
                continue
            }
            guard detection.width >= 0, detection.height >= 0 else {
                report(index, "bbox size \(detection.width)×\(detection.height) is negative", image: dataset.images[image].path)
                continue
            }
            guard let classId = Int32(exactly: detection.categoryId) else {
                report(index, "category_id \(detection.categoryId) is too large", image: dataset.images[image].path)
                continue
            }
            if dataset.normalizedBoxes { unplaceable += 1; continue }
            placedImages.append(Int32(image))
            placed.append(PredictionBox(classId: classId, x1: detection.x, y1: detection.y,
                                        x2: detection.x + detection.width, y2: detection.y + detection.height,
                                        confidence: score))
        }
        // Group by image in file order (a stable counting sort into one flat array).
        var counts = [Int](repeating: 0, count: dataset.images.count)
        for image in placedImages { counts[Int(image)] += 1 }
        var cursor = [Int](repeating: 0, count: dataset.images.count)
        var offset = 0
        for index in dataset.images.indices {
            dataset.images[index].predictionStart = Int32(offset)
            cursor[index] = offset
            offset += counts[index]
            dataset.images[index].predictionEnd = Int32(offset)
        }
        var flat = placed
        for (k, image) in placedImages.enumerated() {
            flat[cursor[Int(image)]] = placed[k]
            cursor[Int(image)] += 1
        }
        dataset.predictions = flat
        if document.annotationCount > 0 && matchedCount == 0 && unknownCount > 0 {
            throw LoadError("\(json.display): none of its \(unknownCount) detections refers to an image of the dataset (image_id \(unknownIds.joined(separator: ", ")))")
        }
        if capped > 0 {
            issues.append(InputIssue.more("invalid_annotation", .error, image: nil, split: nil, ref: shown,
                                          count: capped, what: "invalid detections in this file"))
        }
        if unknownCount > 0 {
            issues.append(InputIssue.make("invalid_annotation", .warning, ref: shown,
                                          "\(unknownCount) detection\(unknownCount == 1 ? "" : "s") refer to images not in the loaded dataset (image_id \(unknownIds.joined(separator: ", "))\(unknownCount > unknownIds.count ? ", …" : ""))"))
        }
        if unplaceable > 0 {
            issues.append(InputIssue.make("invalid_annotation", .warning, ref: shown,
                                          "\(unplaceable) pixel detections cannot be placed: image sizes were not read (headers off)"))
        }
        dataset.issues += issues
    }
}
