import Foundation
import Yams

/// data.yaml, resolved the way Ultralytics resolves it.
struct YOLOConfig {
    enum Source {
        /// A folder of images, searched recursively.
        case folder(RawPath)
        /// A .txt list of image paths.
        case list(RawPath)
        /// A single image file.
        case image(RawPath)
    }

    struct Split {
        var name: String
        var sources: [Source]
    }

    var yamlPath: RawPath
    var root: RawPath
    var splits: [Split] = []
    var classNames: [Int: String] = [:]
    var keypointShape: [Int]?
    /// Problems in data.yaml that do not stop loading (nc mismatch, a missing split folder).
    var issues: [Finding] = []

    static let splitKeys = ["train", "val", "test"]
    /// More class ids than any real label set uses (LVIS has 1,203, ImageNet-21k 21,841);
    /// per-class tables are sized by the largest id, so a typo such as `nc: 2147483648`
    /// must be an error, not two billion generated names.
    static let maximumClassId = 99_999

    static func load(_ yamlPath: RawPath) throws(LoadError) -> YOLOConfig {
        let shownYaml = yamlPath.display
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(yamlPath) } catch {
            throw LoadError("\(shownYaml): cannot be read: \(error.reason)")
        }
        // A UTF-8 byte order mark (Windows editors) is not YAML content once decoded.
        let hasBOM = bytes.starts(with: [0xEF, 0xBB, 0xBF])
        let text = String(decoding: hasBOM ? bytes.dropFirst(3) : bytes[...], as: UTF8.self)
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw LoadError("\(shownYaml)\(describe(error))")
        }
        guard let node, case .mapping = node else {
            throw LoadError("\(shownYaml): not a YOLO data.yaml (expected a mapping with train, val and names)")
        }

        let yamlFolder = yamlPath.parent
        var config = YOLOConfig(yamlPath: yamlPath, root: yamlFolder)
        let yamlRef = { (node: Node?) -> String in
            let name = yamlPath.lastComponent
            let shown = String(decoding: name, as: UTF8.self)
            if let line = node?.mark?.line { return "\(shown):\(line)" }
            return shown
        }

        // path: relative to the yaml; Ultralytics also accepts it relative to the working
        // directory, so that is the fallback when the yaml-relative folder does not exist.
        if let pathNode = node["path"], let path = pathNode.string, !path.isEmpty {
            let written = RawPath(LoaderText.expandingTilde(path))
            let fromYaml = yamlFolder.resolving(written)
            if FileIO.isDirectory(fromYaml) || written.isAbsolute {
                config.root = fromYaml
            } else {
                let fromWorkingDirectory = written.absolute()
                config.root = FileIO.isDirectory(fromWorkingDirectory) ? fromWorkingDirectory : fromYaml
            }
        }

        for key in splitKeys {
            guard let value = node[key] else { continue }
            var entries: [Node] = []
            switch value {
            case .sequence(let sequence): entries = Array(sequence)
            case .scalar: if value.null == nil { entries = [value] }
            default: break
            }
            var sources: [Source] = []
            for entry in entries {
                guard let written = entry.string, !written.isEmpty, entry.null == nil else { continue }
                let resolved = config.resolveSplitEntry(written)
                switch FileIO.kind(of: resolved) {
                case .directory:
                    sources.append(.folder(resolved))
                case .file:
                    sources.append(resolved.lowercasedExtension == "txt" ? .list(resolved) : .image(resolved))
                default:
                    config.issues.append(InputIssue.make(
                        "unreadable_image", .error, split: key, ref: yamlRef(entry),
                        "\(key): \(written) does not exist (resolved to \(resolved.shown(under: config.root)))"))
                }
            }
            if !sources.isEmpty { config.splits.append(Split(name: key, sources: sources)) }
        }

        config.readNames(node, yamlRef: yamlRef)

        if let shapeNode = node["kpt_shape"] {
            let values = shapeNode.sequence.map { $0.compactMap(\.int) } ?? []
            if values.count == 2, values[0] > 0, values[1] == 2 || values[1] == 3 {
                config.keypointShape = values
            } else {
                config.issues.append(InputIssue.make(
                    "invalid_label", .error, ref: yamlRef(shapeNode),
                    "kpt_shape must be [keypoints, 2 or 3]; got \(shapeNode.any)"))
            }
        }
        return config
    }

    private mutating func readNames(_ node: Node, yamlRef: (Node?) -> String) {
        let namesNode = node["names"]
        switch namesNode {
        case .sequence(let sequence)?:
            for (index, entry) in sequence.enumerated() { classNames[index] = entry.string ?? "\(entry.any)" }
        case .mapping(let mapping)?:
            for (key, value) in mapping {
                guard let id = key.int ?? key.string.flatMap({ Int(LoaderText.trimmed($0)) }) else {
                    issues.append(InputIssue.make(
                        "invalid_label", .error, ref: yamlRef(key),
                        "names key \"\(key.string ?? "")\" is not a class id (expected names: {0: name, 1: name})"))
                    continue
                }
                guard (0...Self.maximumClassId).contains(id) else {
                    issues.append(InputIssue.make(
                        "invalid_label", .error, ref: yamlRef(key),
                        "names key \(id) is outside the class ids qcpass accepts (0...\(Self.maximumClassId))"))
                    continue
                }
                classNames[id] = value.string ?? "\(value.any)"
            }
        default:
            break
        }
        let ncNode = node["nc"]
        let nc = ncNode?.int
        if namesNode == nil || (classNames.isEmpty && namesNode?.null != nil) {
            if let nc, nc > Self.maximumClassId + 1 {
                issues.append(InputIssue.make(
                    "invalid_label", .error, ref: yamlRef(ncNode),
                    "nc is \(nc): qcpass accepts at most \(Self.maximumClassId + 1) classes; no class names generated"))
            } else if let nc, nc >= 0 {
                // Ultralytics' own default when only nc is given.
                for index in 0..<nc { classNames[index] = "class_\(index)" }
            } else {
                issues.append(InputIssue.make(
                    "invalid_label", .error, ref: yamlRef(nil),
                    "data.yaml has neither names nor nc: every class id will be unknown"))
            }
        } else if let nc, nc != classNames.count {
            issues.append(InputIssue.make(
                "invalid_label", .error, ref: yamlRef(ncNode),
                "nc is \(nc) but names has \(classNames.count) entries"))
        }
    }

    /// A split entry relative to the root; Roboflow exports write "../train/images" meaning
    /// "train/images" under the root, which Ultralytics also accepts.
    private func resolveSplitEntry(_ written: String) -> RawPath {
        let path = RawPath(LoaderText.expandingTilde(written))
        let resolved = root.resolving(path)
        if FileIO.kind(of: resolved) == nil && written.hasPrefix("../") {
            let trimmed = root.resolving(RawPath(String(written.dropFirst(3))))
            if FileIO.kind(of: trimmed) != nil { return trimmed }
        }
        return resolved
    }

    private static func describe(_ error: Error) -> String {
        guard let yaml = error as? YamlError else { return ": not valid YAML: \(error)" }
        switch yaml {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            return ":\(mark.line):\(mark.column): not valid YAML: \(context?.description ?? "")\(problem)"
        case let .duplicatedKeysInMapping(duplicates, context):
            // Yams' own text carries the whole file; the key and its first line are what helps.
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return ":\(context.mark.line): not valid YAML: \(keys) written more than once in the same mapping"
        default:
            let first = "\(yaml)".split(separator: "\n").first.map(String.init) ?? "\(yaml)"
            return ": not valid YAML: \(first)"
        }
    }
}

enum LoaderText {
    static func expandingTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        guard let home = FileIO.environment("HOME") else { return path }
        return home + path.dropFirst()
    }

    static func trimmed(_ text: some StringProtocol) -> String {
        var slice = Substring(text)
        while let first = slice.first, first.isWhitespace || first == "\u{FEFF}" { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
