/// COCO instances JSON → Dataset: one file per split (annotations/instances_<split>.json
/// with images/<split>/) or a lone file. Ids are kept as written; sizes come from image
/// headers (the JSON's are compared and mismatches reported) unless headers are not read.
enum COCOLoader {
    struct SplitFile {
        var name: String
        var json: RawPath
        /// Where file_names are looked up, unless probing finds them elsewhere.
        var imagesFolder: RawPath
        /// Given by the user (--images): used as is, never probed.
        var imagesFolderGiven = false
    }

    /// Split name from "instances_val2017.json" → "val2017"; other names → their stem.
    static func splitName(of json: RawPath) -> String {
        let stem = String(decoding: json.stem, as: UTF8.self)
        return stem.hasPrefix("instances_") && stem.count > 10 ? String(stem.dropFirst(10)) : stem
    }

    /// train*, val*, test* first, then the rest, each alphabetically.
    static func splitOrder(_ a: String, _ b: String) -> Bool {
        func rank(_ name: String) -> Int {
            if name.hasPrefix("train") { return 0 }
            if name.hasPrefix("val") { return 1 }
            if name.hasPrefix("test") { return 2 }
            return 3
        }
        return (rank(a), a) < (rank(b), b)
    }

    /// The instances files of a folder laid out as annotations/instances_<split>.json.
    static func splitFiles(in root: RawPath) -> [SplitFile] {
        let annotations = root.appending("annotations")
        var files: [RawPath] = []
        var walker = DirectoryWalker()
        walker.walk(annotations, recursive: false, wants: { name in
            name.starts(with: "instances_".utf8) && name.count > 15 && name.suffix(5).elementsEqual(".json".utf8)
        }, onFile: { files.append($0) })
        return files.map { json in
            let name = splitName(of: json)
            return SplitFile(name: name, json: json, imagesFolder: imagesFolder(root: root, split: name))
        }.sorted { splitOrder($0.name, $1.name) }
    }

    /// images/<split>, else <split>/ (the official COCO layout), else images/.
    static func imagesFolder(root: RawPath, split: String) -> RawPath {
        let candidates = [root.appending("images").appending(split), root.appending(split), root.appending("images")]
        return candidates.first(where: FileIO.isDirectory) ?? candidates[0]
    }

    static func loadFolder(_ root: RawPath, options: LoadOptions) throws(LoadError) -> Dataset {
        let files = splitFiles(in: root)
        guard !files.isEmpty else {
            throw LoadError("\(root.display): no data.yaml and no annotations/instances_<split>.json")
        }
        return try build(root: root, name: String(decoding: root.lastComponent, as: UTF8.self), files: files,
                         options: options)
    }

    static func loadFile(_ json: RawPath, options: LoadOptions) throws(LoadError) -> Dataset {
        let folder = json.parent
        let name = splitName(of: json)
        // annotations/instances_val.json inside a dataset folder: the root is the folder above.
        let root = String(decoding: folder.lastComponent, as: UTF8.self) == "annotations" ? folder.parent : folder
        let images: RawPath
        if let given = options.imagesDirectory {
            images = RawPath(LoaderText.expandingTilde(given)).absolute()
        } else if root != folder {
            images = imagesFolder(root: root, split: name)
        } else {
            let sibling = folder.appending("images")
            images = FileIO.isDirectory(sibling) ? sibling : folder
        }
        return try build(root: root, name: String(decoding: json.stem, as: UTF8.self),
                         files: [SplitFile(name: name, json: json, imagesFolder: images,
                                           imagesFolderGiven: options.imagesDirectory != nil)], options: options)
    }

    private static func build(root: RawPath, name: String, files: [SplitFile], options: LoadOptions) throws(LoadError) -> Dataset {
        var selected = files
        if let only = options.onlySplit {
            selected = files.filter { $0.name == only }
            guard !selected.isEmpty else {
                throw LoadError("\(root.display): no split named \"\(only)\" (it has \(files.map(\.name).joined(separator: ", ")))")
            }
        }
        var dataset = Dataset(name: name, root: root.display, format: .coco, source: selected[0].json.display,
                              splits: selected.map(\.name), classNames: [:])
        var categoryFiles: [Int64: String] = [:]
        var exifRows: [(model: String?, date: String?)] = []
        for (splitIndex, file) in selected.enumerated() {
            options.progress?("json", splitIndex, selected.count)
            try loadSplit(file, index: splitIndex, root: root, options: options, into: &dataset,
                          categoryFiles: &categoryFiles, exifRows: &exifRows)
        }
        MetadataLoader.attach(to: &dataset, exif: exifRows,
                              candidates: [root.appending("metadata.csv"), selected[0].json.parent.appending("metadata.csv")],
                              onlySplit: options.onlySplit)
        return dataset
    }

    /// One instances file: its images become a contiguous, path-sorted run of records and
    /// its annotations a contiguous run of boxes, so splits simply append.
    private static func loadSplit(_ file: SplitFile, index splitIndex: Int, root: RawPath, options: LoadOptions,
                                  into dataset: inout Dataset, categoryFiles: inout [Int64: String],
                                  exifRows: inout [(model: String?, date: String?)]) throws(LoadError) {
        let shownJSON = file.json.shown(under: root)
        let document: COCODocument
        switch COCODocument.parse(file.json, kind: .instances) {
        case .success(let parsed): document = parsed
        case .failure(let error): throw LoadError("\(file.json.display): \(error.message)")
        }
        var issues: [Finding] = []
        var capped = 0
        func issue(_ place: String, _ message: String, image: String? = nil, severity: Finding.Severity = .error,
                   kind: String = "invalid_annotation") {
            if issues.count < options.maxFindingsPerFile {
                issues.append(InputIssue.make(kind, severity, image: image, split: file.name, ref: "\(shownJSON)#\(place)", message))
            } else {
                capped += 1
            }
        }

        // Categories: ids as written, sparse is fine.
        for index in 0..<document.categoryCount {
            let category = document.category(index)
            guard let id = category.id, category.error == nil else {
                issue("category_index=\(index)", "category entry: \(category.error ?? "\"id\" is missing")")
                continue
            }
            if let previousFile = categoryFiles[id] {
                let previous = dataset.classNames[Int(id)] ?? ""
                if previousFile == shownJSON {
                    issue("category_id=\(id)", "category id \(id) appears twice (\"\(previous)\" and \"\(category.name)\"); the first is kept")
                } else if previous != category.name {
                    issue("category_id=\(id)", "category id \(id) is \"\(category.name)\" here but \"\(previous)\" in \(previousFile); the first is kept")
                }
                continue
            }
            categoryFiles[id] = shownJSON
            dataset.classNames[Int(id)] = category.name
        }
        let knownCategories = COCOIdIndex(Array(categoryFiles.keys))
        let hasCategories = document.categoryCount > 0
        if !hasCategories && document.annotationCount > 0 {
            issue("categories", "the file has no categories: class names are unknown, boxes are kept with their ids")
        }

        // Images: one record per file on disk; a second id for the same file_name is merged into it.
        let folder = probeImagesFolder(document, file: file, root: root)
        if options.readHeaders && !FileIO.isDirectory(folder) && document.imageCount > 0 {
            throw LoadError("\(file.json.display): images folder \(folder.display) does not exist (use --images DIR to say where its images are)")
        }
        // Entries → records in parallel (paths and strings are the cost), then de-duplicated in file order.
        let imageCount = document.imageCount
        let parsedImages = Parallel.mapChunks(count: imageCount, chunkSize: 8192, jobs: options.jobs, makeState: { () }) { _, range in
            range.map { index -> ParsedImage in
                let entry = document.image(index)
                guard entry.error == nil, let id = entry.id, let fileName = entry.fileName else {
                    let place = entry.id.map { "image_id=\($0)" } ?? "image_index=\(index)"
                    return .invalid(place: place, message: "image entry: \(entry.error ?? "\"file_name\" is missing")")
                }
                let path = folder.resolving(RawPath(fileName))
                var record = ImageRecord(path: path.shown(under: root), absolutePath: path.display, split: Int32(splitIndex))
                if !path.isValidUTF8 { record.rawAbsolutePath = path.bytes }
                record.labelPath = shownJSON
                record.cocoId = id
                let size: (Double, Double)? = entry.width.flatMap { width in entry.height.map { (width, $0) } }
                return .valid(ImageEntry(id: id, fileName: fileName, path: path, record: record, size: size))
            }
        }
        var validIds: [Int64] = []
        validIds.reserveCapacity(imageCount)
        for case .valid(let entry) in parsedImages.joined() { validIds.append(entry.id) }
        let firstOfId = COCOIdIndex(validIds)
        var entries: [ImageEntry] = []
        entries.reserveCapacity(validIds.count)
        var validIndex = 0
        for parsed in parsedImages.joined() {
            switch parsed {
            case .invalid(let place, let message):
                issue(place, message)
            case .valid(let entry):
                if firstOfId.position(of: entry.id) != validIndex {
                    issue("image_id=\(entry.id)", "image id \(entry.id) appears twice; the second entry (\(entry.fileName)) is ignored")
                } else {
                    entries.append(entry)
                }
                validIndex += 1
            }
        }
        let localOfId = COCOIdIndex(entries.map(\.id))

        // Deterministic order: by path within the split (file order among equal paths), which
        // also puts duplicate file_names next to each other: they merge into the first.
        let sorted = entries.indices.sorted { a, b in
            entries[a].path < entries[b].path || (entries[a].path == entries[b].path && a < b)
        }
        var order: [Int] = []
        order.reserveCapacity(sorted.count)
        var position = [Int32](repeating: 0, count: entries.count)
        let base = dataset.images.count
        for local in sorted {
            if let kept = order.last, entries[kept].path == entries[local].path {
                let first = entries[kept], second = entries[local]
                issue("image_id=\(second.id)", "image ids \(first.id) and \(second.id) both name \(second.fileName); their annotations are merged under id \(first.id)",
                      image: first.record.path)
                position[local] = position[kept]
                continue
            }
            position[local] = Int32(base + order.count)
            order.append(local)
            dataset.images.append(entries[local].record)
        }
        exifRows += repeatElement((model: String?.none, date: String?.none), count: order.count)

        // Sizes: from headers (JSON sizes compared), or the JSON's when headers are off.
        var unreadable: [Int: String] = [:]
        var headerIssues: [Finding] = []
        if options.readHeaders {
            let jobs = order.map { ImageScanner.Job(image: entries[$0].path, text: nil) }
            let chunks = ImageScanner.scan(jobs, keypointShape: nil, withConfidence: false, options: options, phase: "images")
            var index = base
            for chunk in chunks {
                for header in chunk.headers {
                    let record = dataset.images[index]
                    switch header {
                    case .read(let info):
                        dataset.images[index].width = Int32(info.width)
                        dataset.images[index].height = Int32(info.height)
                        dataset.images[index].orientation = info.orientation
                        dataset.images[index].fileSize = info.fileSize
                        dataset.images[index].mtime = info.mtime
                        exifRows[index] = (info.exifModel, info.exifDate)
                        if let warning = info.warning {
                            headerIssues.append(InputIssue.make("unreadable_image", .warning, image: record.path,
                                                                split: file.name, warning))
                        }
                        if let (width, height) = entries[order[index - base]].size,
                           Self.wholePixels(width) != info.width || Self.wholePixels(height) != info.height {
                            var message = "JSON says \(Self.format(width))×\(Self.format(height)) but the image is \(info.width)×\(info.height)"
                            if info.orientation >= 5 && Self.wholePixels(width) == info.storedWidth && Self.wholePixels(height) == info.storedHeight {
                                message += " (EXIF orientation \(info.orientation) rotates the stored \(info.storedWidth)×\(info.storedHeight) pixels: the boxes may be drawn on the unrotated image)"
                            }
                            message += "; the header's size is used"
                            headerIssues.append(InputIssue.make("invalid_annotation", .error, image: record.path, split: file.name,
                                                                ref: "\(shownJSON)#image_id=\(record.cocoId ?? 0)", message))
                        }
                    case .failed(let reason):
                        unreadable[index] = reason
                    case .notRead:
                        break
                    }
                    index += 1
                }
            }
        } else {
            for (rank, local) in order.enumerated() {
                guard let (width, height) = entries[local].size else { continue }
                dataset.images[base + rank].width = Int32(clamping: Self.wholePixels(width))
                dataset.images[base + rank].height = Int32(clamping: Self.wholePixels(height))
            }
        }

        // Annotations, pass 1 (parallel): validate and find each one's record (-1: not kept).
        let count = document.annotationCount
        var recordOf = [Int32](repeating: -1, count: count)
        let checks = recordOf.withUnsafeMutableBufferPointer { recordOf in
            Parallel.mapChunks(count: count, chunkSize: 32768, jobs: options.jobs, makeState: { () }) { _, range in
                var problems: [AnnotationProblem] = []
                var setAside: [Int: Int] = [:]
                for index in range {
                    let annotation = document.annotation(index)
                    func problem(_ message: String, record: Int? = nil) {
                        problems.append(AnnotationProblem(place: annotation.id.map { "id=\($0)" } ?? "index=\(index)",
                                                          message: message, record: record))
                    }
                    if let error = annotation.error {
                        problem("annotation: \(error)")
                        continue
                    }
                    guard let local = localOfId.position(of: annotation.imageId) else {
                        problem("annotation refers to image_id \(annotation.imageId), which is not in \"images\"")
                        continue
                    }
                    let record = Int(position[local])
                    if hasCategories && knownCategories.position(of: annotation.categoryId) == nil {
                        problem("annotation refers to category_id \(annotation.categoryId), which is not in \"categories\"", record: record)
                        continue
                    }
                    if annotation.width < 0 || annotation.height < 0 {
                        let which = annotation.width < 0 ? "width \(Self.format(annotation.width))" : "height \(Self.format(annotation.height))"
                        problem("bbox \(which) is negative", record: record)
                        continue
                    }
                    if Int32(exactly: annotation.categoryId) == nil {
                        problem("category_id \(annotation.categoryId) is too large", record: record)
                        continue
                    }
                    if !unreadable.isEmpty && unreadable[record] != nil {
                        setAside[record, default: 0] += 1
                        continue
                    }
                    recordOf[index] = Int32(record - base)
                }
                return (problems, setAside)
            }
        }
        var setAside: [Int: Int] = [:]
        for (problems, aside) in checks {
            for problem in problems {
                issue(problem.place, problem.message, image: problem.record.map { dataset.images[$0].path })
            }
            setAside.merge(aside, uniquingKeysWith: +)
        }
        var counts = [Int32](repeating: 0, count: order.count + 1)
        for local in recordOf where local >= 0 { counts[Int(local) + 1] += 1 }
        if capped > 0 {
            issues.append(InputIssue.more("invalid_annotation", .error, image: nil, split: file.name, ref: shownJSON,
                                          count: capped, what: "problems in this file"))
        }
        for (record, reason) in unreadable.sorted(by: { $0.key < $1.key }) {
            let boxes = setAside[record] ?? 0
            let suffix = boxes == 0 ? "" : "; its \(boxes) annotation\(boxes == 1 ? " is" : "s are") not used"
            headerIssues.append(InputIssue.make("unreadable_image", .error, image: dataset.images[record].path,
                                                split: file.name, reason + suffix))
        }
        dataset.issues += issues
        dataset.issues += headerIssues.sorted { ($0.image ?? "") < ($1.image ?? "") }

        // Pass 2: place boxes by a counting sort (annotation order kept within an image).
        for index in 1..<counts.count { counts[index] += counts[index - 1] }
        let boxBase = dataset.boxes.count
        let total = Int(counts[order.count])
        dataset.boxes.append(contentsOf: repeatElement(BoxLabel(classId: 0, x1: 0, y1: 0, x2: 0, y2: 0), count: total))
        var cursor = counts
        dataset.boxes.withUnsafeMutableBufferPointer { boxes in
            for index in 0..<count where recordOf[index] >= 0 {
                let local = Int(recordOf[index])
                let annotation = document.annotation(index)
                boxes[boxBase + Int(cursor[local])] = BoxLabel(
                    classId: Int32(annotation.categoryId), x1: annotation.x, y1: annotation.y,
                    x2: annotation.x + annotation.width, y2: annotation.y + annotation.height,
                    line: Int32(clamping: index + 1), annotationId: annotation.id ?? -1, isCrowd: annotation.isCrowd)
                cursor[local] += 1
            }
        }
        for rank in 0..<order.count {
            dataset.images[base + rank].boxStart = Int32(boxBase) + counts[rank]
            dataset.images[base + rank].boxEnd = Int32(boxBase) + counts[rank + 1]
        }
    }

    private struct ImageEntry {
        var id: Int64
        var fileName: String
        var path: RawPath
        var record: ImageRecord
        /// Sizes written in the JSON, when both are present.
        var size: (Double, Double)?
    }

    private enum ParsedImage {
        case valid(ImageEntry)
        case invalid(place: String, message: String)
    }

    private struct AnnotationProblem {
        var place: String
        var message: String
        /// The record the annotation belongs to, when known (for the finding's image).
        var record: Int?
    }

    /// The folder file_names are relative to: the split's images folder, else the root or
    /// the JSON's folder when the first images are found there (file_names like "train2017/x.jpg").
    private static func probeImagesFolder(_ document: COCODocument, file: SplitFile, root: RawPath) -> RawPath {
        if file.imagesFolderGiven { return file.imagesFolder }
        let candidates = [file.imagesFolder, root, file.json.parent]
        var probes: [String] = []
        for index in 0..<min(document.imageCount, 50) {
            if let name = document.image(index).fileName { probes.append(name) }
            if probes.count == 5 { break }
        }
        guard !probes.isEmpty else { return file.imagesFolder }
        for candidate in candidates where probes.contains(where: { FileIO.isFile(candidate.resolving(RawPath($0))) }) {
            return candidate
        }
        return file.imagesFolder
    }

    /// A JSON size as whole pixels, as the header reports them. `1e23` is valid JSON:
    /// it clamps instead of trapping in the conversion (the size is then reported as wrong).
    static func wholePixels(_ value: Double) -> Int {
        value.isFinite ? Int(max(-1e15, min(1e15, value))) : 0
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// COCO ids → positions, read-only once built (so worker threads share it): a table
/// indexed by id when the ids are compact enough (COCO's own image ids span about five
/// times their count), else the ids sorted and searched by halves. For a million
/// annotation lookups this is faster than a Dictionary and a fraction of its memory.
struct COCOIdIndex: Sendable {
    /// Dense: `table[id - minimum]` is position + 1, 0 for an absent id.
    private var minimum: Int64 = 0
    private var table: [Int32] = []
    /// Sparse: ids ascending, with their positions.
    private var ids: [Int64] = []
    private var positions: [Int32] = []

    /// `ids[p]` is found at position p; an id given twice keeps its first position.
    init(_ given: [Int64]) {
        guard let low = given.min(), let high = given.max() else { return }
        let (span, overflow) = high.subtractingReportingOverflow(low)
        if !overflow && span < 8 * Int64(given.count) + 65_536 {
            minimum = low
            table = [Int32](repeating: 0, count: Int(span) + 1)
            for (position, id) in given.enumerated().reversed() {
                table[Int(id - low)] = Int32(position + 1)
            }
            return
        }
        let order = given.indices.sorted { given[$0] < given[$1] || (given[$0] == given[$1] && $0 < $1) }
        ids.reserveCapacity(order.count)
        positions.reserveCapacity(order.count)
        for position in order where ids.last != given[position] {
            ids.append(given[position])
            positions.append(Int32(position))
        }
    }

    func position(of id: Int64) -> Int? {
        if !table.isEmpty {
            let (offset, overflow) = id.subtractingReportingOverflow(minimum)
            guard !overflow, offset >= 0, offset < Int64(table.count) else { return nil }
            let found = table[Int(offset)]
            return found == 0 ? nil : Int(found) - 1
        }
        var low = 0, high = ids.count
        while low < high {
            let middle = (low + high) / 2
            if ids[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low < ids.count && ids[low] == id ? Int(positions[low]) : nil
    }
}
