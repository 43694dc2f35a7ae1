/// The user's model predictions → `Dataset.predictions`: a folder of YOLO txt files with a
/// trailing `conf` column (Ultralytics `save_txt save_conf`), or a COCO results JSON.
public enum PredictionsLoader {
    public static func attach(_ path: String, to dataset: inout Dataset) throws(LoadError) {
        try attach(path, to: &dataset, options: LoadOptions())
    }

    public static func attach(_ path: String, to dataset: inout Dataset, options: LoadOptions) throws(LoadError) {
        let source = RawPath(LoaderText.expandingTilde(path)).absolute()
        var perImage: [[PredictionBox]] = Array(repeating: [], count: dataset.images.count)
        switch FileIO.kind(of: source) {
        case .directory:
            try attachText(folder: source, to: &dataset, perImage: &perImage, options: options)
        case .file where source.lowercasedExtension == "json":
            try attachJSON(source, to: &dataset, perImage: &perImage, options: options)
        case .file:
            throw LoadError("\(source.display): predictions must be a folder of YOLO .txt files or a COCO results .json")
        default:
            throw LoadError("\(source.display): predictions not found")
        }
        dataset.predictions = []
        dataset.predictions.reserveCapacity(perImage.reduce(0) { $0 + $1.count })
        for index in dataset.images.indices {
            dataset.images[index].predictionStart = Int32(dataset.predictions.count)
            dataset.predictions += perImage[index]
            dataset.images[index].predictionEnd = Int32(dataset.predictions.count)
        }
        dataset.hasPredictions = true
        dataset.predictionsSource = source.display
    }

    // MARK: YOLO txt

    private static func attachText(folder: RawPath, to dataset: inout Dataset, perImage: inout [[PredictionBox]],
                                   options: LoadOptions) throws(LoadError) {
        let root = RawPath(dataset.root)
        var files: [RawPath] = []
        var walker = DirectoryWalker()
        walker.walk(folder, recursive: true, wants: { $0.count > 4 && $0.suffix(4).elementsEqual(".txt".utf8) },
                    onFile: { files.append($0) })
        files.sort()
        if let failure = walker.failures.first, files.isEmpty {
            throw LoadError("\(failure.path): cannot be listed: \(failure.reason)")
        }

        var imagesByStem: [ArraySlice<UInt8>: [Int]] = [:]
        for (index, image) in dataset.images.enumerated() {
            imagesByStem[image.rawPath.stem, default: []].append(index)
        }
        var issues: [Finding] = []
        var matched: [(file: RawPath, image: Int)] = []
        var taken: [Int: RawPath] = [:]
        var unmatched: [RawPath] = []
        for file in files {
            guard let candidates = imagesByStem[file.stem] else { unmatched.append(file); continue }
            let image: Int?
            if candidates.count == 1 {
                image = candidates[0]
            } else {
                image = bestMatch(file, folder: folder, candidates: candidates, dataset: dataset)
            }
            guard let image else {
                issues.append(InputIssue.make("invalid_label", .warning, ref: file.shown(under: root),
                                              "predictions file matches \(candidates.count) images by name (\(candidates.prefix(3).map { dataset.images[$0].path }.joined(separator: ", "))) and none better than the others; not used"))
                continue
            }
            if let previous = taken[image] {
                issues.append(InputIssue.make("invalid_label", .warning, image: dataset.images[image].path,
                                              ref: file.shown(under: root),
                                              "\(previous.shown(under: root)) already holds this image's predictions; this file is not used"))
                continue
            }
            taken[image] = file
            matched.append((file, image))
        }
        if !files.isEmpty && matched.isEmpty {
            throw LoadError("\(folder.display): none of its \(files.count) .txt files matches an image of the dataset by name (e.g. \(files[0].shown(under: folder)))")
        }
        if !unmatched.isEmpty {
            issues.append(InputIssue.make("orphan_label", .info, ref: unmatched[0].shown(under: root),
                                          "\(unmatched.count) predictions file\(unmatched.count == 1 ? "" : "s") match no image of the loaded dataset (first: \(unmatched[0].shown(under: folder)))"))
        }

        let jobs = matched.map { ImageScanner.Job(image: nil, text: $0.file) }
        let chunks = ImageScanner.scan(jobs, keypointShape: dataset.keypointShape, withConfidence: true,
                                       options: options, phase: "predictions")
        var job = 0
        for chunk in chunks {
            var rowStart = 0
            var invalidCursor = 0, cappedCursor = 0, errorCursor = 0
            for local in 0..<chunk.rowEnds.count {
                let (file, image) = matched[job]
                let record = dataset.images[image]
                let split = dataset.splits[Int(record.split)]
                let shownFile = file.shown(under: root)
                while errorCursor < chunk.textErrors.count && chunk.textErrors[errorCursor].job == local {
                    issues.append(InputIssue.make("invalid_label", .error, image: record.path, split: split, ref: shownFile,
                                                  "predictions file \(chunk.textErrors[errorCursor].message)"))
                    errorCursor += 1
                }
                while invalidCursor < chunk.invalid.count && chunk.invalid[invalidCursor].job == local {
                    let invalid = chunk.invalid[invalidCursor]
                    issues.append(InputIssue.make("invalid_label", .error, image: record.path, split: split,
                                                  ref: "\(shownFile):\(invalid.line)", invalid.message))
                    invalidCursor += 1
                }
                while cappedCursor < chunk.capped.count && chunk.capped[cappedCursor].job == local {
                    issues.append(InputIssue.more("invalid_label", .error, image: record.path, split: split, ref: shownFile,
                                                  count: chunk.capped[cappedCursor].count, what: "invalid lines in this file"))
                    cappedCursor += 1
                }
                let scale = dataset.normalizedBoxes ? (1.0, 1.0) : (Double(record.width), Double(record.height))
                // Unreadable images (size 0) already have a finding; their predictions cannot be placed.
                if dataset.normalizedBoxes || (record.width > 0 && record.height > 0) {
                    for row in chunk.rows[rowStart..<chunk.rowEnds[local]] {
                        perImage[image].append(PredictionBox(classId: row.classId, x1: row.x1 * scale.0, y1: row.y1 * scale.1,
                                                             x2: row.x2 * scale.0, y2: row.y2 * scale.1,
                                                             confidence: row.confidence))
                    }
                }
                rowStart = chunk.rowEnds[local]
                job += 1
            }
        }
        dataset.issues += issues
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

    private static func attachJSON(_ json: RawPath, to dataset: inout Dataset, perImage: inout [[PredictionBox]],
                                   options: LoadOptions) throws(LoadError) {
        let root = RawPath(dataset.root)
        let shown = json.shown(under: root)
        let document: COCODocument
        switch COCODocument.parse(json, kind: .results) {
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
        for index in 0..<document.annotationCount {
            let detection = document.annotation(index)
            if let error = detection.error {
                report(index, "detection: \(error)")
                continue
            }
            var image: Int?
            if let text = detection.imageText {
                image = ambiguousStems.contains(text) ? nil : byStem[text]
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
            let record = dataset.images[image]
            guard let score = detection.score, score >= 0, score <= 1 else {
                report(index, "score \(detection.score ?? .nan) is outside 0–1", image: record.path)
                continue
            }
            guard detection.width >= 0, detection.height >= 0 else {
                report(index, "bbox size \(detection.width)×\(detection.height) is negative", image: record.path)
                continue
            }
            guard let classId = Int32(exactly: detection.categoryId) else {
                report(index, "category_id \(detection.categoryId) is too large", image: record.path)
                continue
            }
            if dataset.normalizedBoxes { unplaceable += 1; continue }
            perImage[image].append(PredictionBox(classId: classId, x1: detection.x, y1: detection.y,
                                                 x2: detection.x + detection.width, y2: detection.y + detection.height,
                                                 confidence: score))
        }
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
