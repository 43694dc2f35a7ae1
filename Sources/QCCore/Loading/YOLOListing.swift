/// Listing a YOLO dataset: images per split (folders, .txt lists, single files) and the
/// label files that exist, without opening any of them.
extension YOLOLoader {
    struct ImageListing {
        var splits: [ListedSplit] = []
        var issues: [Finding] = []
        var failures: [FileIOError] = []
    }

    /// Every split's images, sorted by path bytes and de-duplicated.
    static func listImages(_ config: YOLOConfig, root: RawPath) -> ImageListing {
        var listing = ImageListing()
        var walker = DirectoryWalker()
        for split in config.splits {
            var images: [RawPath] = []
            for source in split.sources {
                switch source {
                case .folder(let folder):
                    walker.walk(folder, recursive: true, wants: { isImageName($0) }, onFile: { images.append($0) })
                case .image(let image):
                    images.append(image)
                case .list(let list):
                    images += readImageList(list, split: split.name, root: root, issues: &listing.issues)
                }
            }
            images.sort()
            var unique: [RawPath] = []
            unique.reserveCapacity(images.count)
            for image in images where unique.last != image { unique.append(image) }
            listing.splits.append(ListedSplit(name: split.name, images: unique))
        }
        listing.failures = walker.failures
        return listing
    }

    /// Label files found on disk, with an index for lookups by path.
    struct LabelListing {
        var files: [RawPath] = []
        var index: [RawPath: Int] = [:]
        var failures: [FileIOError] = []

        mutating func merge(_ other: LabelListing) {
            for file in other.files where index[file] == nil {
                index[file] = files.count
                files.append(file)
            }
            failures += other.failures
        }
    }

    static func listLabels(folders: [RawPath], recursive: Bool) -> LabelListing {
        var listing = LabelListing()
        var walker = DirectoryWalker()
        for folder in folders {
            walker.walk(folder, recursive: recursive, wants: { name in
                name.count > 4 && name.suffix(4).elementsEqual(".txt".utf8) && !name.elementsEqual("classes.txt".utf8)
            }, onFile: { listing.files.append($0) })
        }
        listing.index.reserveCapacity(listing.files.count)
        var unique: [RawPath] = []
        unique.reserveCapacity(listing.files.count)
        for file in listing.files where listing.index[file] == nil {
            listing.index[file] = unique.count
            unique.append(file)
        }
        listing.files = unique
        listing.failures = walker.failures
        return listing
    }

    /// A .txt list of images: one path a line, "./x" and relative lines taken from the
    /// list's folder, absolute lines as they are. Blank lines, CRLF and a BOM are fine.
    static func readImageList(_ list: RawPath, split: String, root: RawPath, issues: inout [Finding]) -> [RawPath] {
        let shownList = list.shown(under: root)
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(list) } catch {
            issues.append(InputIssue.make("unreadable_image", .error, split: split, ref: shownList,
                                          "image list cannot be read: \(error.reason)"))
            return []
        }
        let folder = list.parent
        var images: [RawPath] = []
        var firstLine: [RawPath: Int] = [:]
        var lineNumber = 0
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while start <= bytes.count {
            lineNumber += 1
            var end = start
            while end < bytes.count && bytes[end] != 0x0A && bytes[end] != 0x0D { end += 1 }
            var lineStart = start, lineEnd = end
            while lineStart < lineEnd && (bytes[lineStart] == 0x20 || bytes[lineStart] == 0x09) { lineStart += 1 }
            while lineEnd > lineStart && (bytes[lineEnd - 1] == 0x20 || bytes[lineEnd - 1] == 0x09) { lineEnd -= 1 }
            if lineStart < lineEnd {
                let written = RawPath(bytes: Array(bytes[lineStart..<lineEnd]))
                let image = folder.resolving(written)
                if !isImageName(image.lastComponent) {
                    issues.append(InputIssue.make("unreadable_image", .warning, split: split, ref: "\(shownList):\(lineNumber)",
                                                  "listed path \(written.display) is not an image file (extension \"\(image.lowercasedExtension)\")"))
                } else if let first = firstLine[image] {
                    issues.append(InputIssue.make("unreadable_image", .warning, image: image.shown(under: root), split: split,
                                                  ref: "\(shownList):\(lineNumber)",
                                                  "image listed again (first on line \(first)); loaded once"))
                } else {
                    firstLine[image] = lineNumber
                    images.append(image)
                }
            }
            if end < bytes.count && bytes[end] == 0x0D && end + 1 < bytes.count && bytes[end + 1] == 0x0A { end += 1 }
            start = end + 1
        }
        return images
    }
}
