#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// YOLO (Ultralytics layout) → Dataset: list images per split, find label files by the
/// images→labels rule, read headers and labels in parallel, convert rows to pixels.
enum YOLOLoader {
    struct ListedSplit {
        var name: String
        var images: [RawPath]
    }

    static func load(yaml: RawPath, options: LoadOptions) throws(LoadError) -> Dataset {
        let config = try YOLOConfig.load(yaml)
        let root = config.root
        var issues = config.issues
        guard !config.splits.isEmpty else {
            let why = issues.map(\.message).joined(separator: "; ")
            throw LoadError("\(yaml.display): no usable train, val or test split\(why.isEmpty ? "" : " (\(why))")")
        }
        if let only = options.onlySplit, !config.splits.contains(where: { $0.name == only }) {
            throw LoadError("\(yaml.display): no split named \"\(only)\" (it has \(config.splits.map(\.name).joined(separator: ", ")))")
        }

        // 1. List images of every split (unselected ones too, so their label files are not
        //    orphans) while, on a second thread, label folders of the selected splits are listed.
        options.progress?("list", 0, config.splits.count)
        let selectedNames = Set(config.splits.map(\.name).filter { options.onlySplit == nil || $0 == options.onlySplit })
        let labelFolders = config.splits.filter { selectedNames.contains($0.name) }.flatMap { split in
            split.sources.compactMap { source -> RawPath? in
                if case .folder(let folder) = source { return labelFolder(for: folder) }
                return nil
            }
        }
        var imageListing = ImageListing()
        var labelListing = LabelListing()
        _ = Parallel.mapChunks(count: 2, chunkSize: 1, jobs: min(2, options.jobs), makeState: { () }) { _, range in
            // Each task writes only its own variable.
            if range.lowerBound == 0 {
                imageListing = listImages(config, root: root)
            } else {
                labelListing = listLabels(folders: labelFolders, recursive: true)
            }
        }
        let listed = imageListing.splits
        // Images named one by one (lists, single files): their label folders are listed flat.
        var listParents: Set<RawPath> = []
        for split in config.splits where selectedNames.contains(split.name) {
            for source in split.sources {
                switch source {
                case .folder: break
                case .image(let image): listParents.insert(image.parent)
                case .list:
                    for image in listed.first(where: { $0.name == split.name })?.images ?? [] { listParents.insert(image.parent) }
                }
            }
        }
        if !listParents.isEmpty {
            labelListing.merge(listLabels(folders: listParents.sorted().map(labelFolder(for:)), recursive: false))
        }
        issues += imageListing.issues
        // A missing labels/ folder is normal (all backgrounds); other listing failures are not.
        for failure in imageListing.failures + labelListing.failures where failure.code != ENOENT {
            issues.append(InputIssue.make("unreadable_image", .error, ref: RawPath(failure.path).shown(under: root),
                                          "folder cannot be listed: \(failure.reason)"))
        }
        let selected = listed.filter { selectedNames.contains($0.name) }

        // 2. Which label file each image has, in parallel: label paths are looked up in the
        //    read-only index; the label files no image claims are orphans.
        let labelIndex = labelListing.index
        var claimed = [Bool](repeating: false, count: labelListing.files.count)
        var jobImages: [RawPath] = []
        var splitOfJob: [Int32] = []
        for (splitIndex, split) in selected.enumerated() {
            jobImages += split.images
            splitOfJob += repeatElement(Int32(splitIndex), count: split.images.count)
        }
        let readHeaders = options.readHeaders
        let planned = jobImages.withUnsafeBufferPointer { images in
            Parallel.mapChunks(count: images.count, chunkSize: 4096, jobs: options.jobs, makeState: { () }) { _, range in
                var plan: [(job: ImageScanner.Job, label: RawPath)] = []
                var found: [Int] = []
                plan.reserveCapacity(range.count)
                for index in range {
                    let label = labelPath(for: images[index])
                    let labelFile = labelIndex[label]
                    if let labelFile { found.append(labelFile) }
                    plan.append((ImageScanner.Job(image: readHeaders ? images[index] : nil,
                                                  text: labelFile == nil ? nil : label), label))
                }
                return (plan, found)
            }
        }
        var jobs: [ImageScanner.Job] = []
        var labels: [RawPath] = []
        jobs.reserveCapacity(jobImages.count)
        labels.reserveCapacity(jobImages.count)
        for (plan, found) in planned {
            for (job, label) in plan {
                jobs.append(job)
                labels.append(label)
            }
            for labelFile in found { claimed[labelFile] = true }
        }
        if !labelIndex.isEmpty {
            for split in listed where !selectedNames.contains(split.name) {
                for image in split.images {
                    if let labelFile = labelIndex[labelPath(for: image)] { claimed[labelFile] = true }
                }
            }
        }
        let unclaimed = labelListing.files.indices.filter { !claimed[$0] }.map { labelListing.files[$0] }

        // 3. Headers and label files, in parallel.
        let chunks = ImageScanner.scan(jobs, keypointShape: config.keypointShape, withConfidence: false,
                                       options: options, phase: "images")

        // 4. Records, pixel boxes and findings per chunk (in parallel), merged in job order.
        let context = AssemblyContext(root: root, splitNames: selected.map(\.name), jobImages: jobImages,
                                      labels: labels, splitOfJob: splitOfJob)
        let assembled = chunks.withUnsafeBufferPointer { chunks in
            Parallel.mapChunks(count: chunks.count, chunkSize: 1, jobs: options.jobs, makeState: { () },
                               body: { _, range in context.assemble(chunks[range.lowerBound], firstJob: range.lowerBound * ImageScanner.chunkSize) })
        }
        var dataset = Dataset(name: String(decoding: yaml.parent.absolute().lastComponent, as: UTF8.self),
                              root: root.display, format: .yolo, source: yaml.display,
                              splits: selected.map(\.name), classNames: config.classNames)
        dataset.keypointShape = config.keypointShape
        dataset.normalizedBoxes = !options.readHeaders
        dataset.images.reserveCapacity(jobs.count)
        dataset.boxes.reserveCapacity(assembled.reduce(0) { $0 + $1.boxes.count })
        var exifRows: [(model: String?, date: String?)] = []
        exifRows.reserveCapacity(jobs.count)
        for part in assembled {
            let offset = Int32(dataset.boxes.count)
            for var record in part.records {
                record.boxStart += offset
                record.boxEnd += offset
                dataset.images.append(record)
            }
            dataset.boxes += part.boxes
            issues += part.issues
            exifRows += part.exif
        }

        // 5. Label files no image claims (across all splits, selected or not).
        let orphans = unclaimed.sorted()
        for (index, orphan) in orphans.enumerated() {
            if index == options.maxFindingsPerFile {
                issues.append(InputIssue.more("orphan_label", .warning, image: nil, split: nil,
                                              ref: orphan.parent.shown(under: root), count: orphans.count - index,
                                              what: "label files without an image"))
                break
            }
            let expected = expectedImage(for: orphan)
            let message: String
            if let unlisted = existingImage(like: expected) {
                message = "label file's image \(unlisted.shown(under: root)) is not in any split"
            } else {
                message = "label file has no image: no \(expected.shown(under: root)) with an image extension exists"
            }
            issues.append(InputIssue.make("orphan_label", .warning, ref: orphan.shown(under: root), message))
        }
        dataset.issues = issues
        MetadataLoader.attach(to: &dataset, exif: exifRows,
                              candidates: [root.appending("metadata.csv"), yaml.parent.appending("metadata.csv")],
                              onlySplit: options.onlySplit)
        return dataset
    }
}
