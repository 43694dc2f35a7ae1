/// Loads a dataset from whatever the user points at:
/// a data.yaml, a COCO instances JSON, a folder with data.yaml (or exactly one *.yaml),
/// or a folder with annotations/instances_<split>.json and images/<split>/.
public enum DatasetLoader {
    public static func load(_ path: String, options: LoadOptions) throws(LoadError) -> Dataset {
        var options = options
        options.jobs = max(1, options.jobs)
        let target = RawPath(LoaderText.expandingTilde(path)).absolute()
        switch FileIO.kind(of: target) {
        case nil:
            throw LoadError("\(path): no such file or folder")
        case .other?:
            throw LoadError("\(path): not a file or folder")
        case .file?:
            switch target.lowercasedExtension {
            case "yaml", "yml": return try YOLOLoader.load(yaml: target, options: options)
            case "json": return try COCOLoader.loadFile(target, options: options)
            default: throw LoadError("\(path): expected a data.yaml, a COCO instances .json or a dataset folder")
            }
        case .directory?:
            return try loadFolder(target, shown: path, options: options)
        }
    }

    private static func loadFolder(_ folder: RawPath, shown: String, options: LoadOptions) throws(LoadError) -> Dataset {
        let dataYaml = folder.appending("data.yaml")
        if FileIO.isFile(dataYaml) { return try YOLOLoader.load(yaml: dataYaml, options: options) }
        var yamls: [RawPath] = []
        var walker = DirectoryWalker()
        walker.walk(folder, recursive: false, wants: { name in
            name.suffix(5).elementsEqual(".yaml".utf8) || name.suffix(4).elementsEqual(".yml".utf8)
        }, onFile: { yamls.append($0) })
        if yamls.count == 1 { return try YOLOLoader.load(yaml: yamls[0], options: options) }
        if !COCOLoader.splitFiles(in: folder).isEmpty { return try COCOLoader.loadFolder(folder, options: options) }
        if yamls.count > 1 {
            let names = yamls.sorted().map { String(decoding: $0.lastComponent, as: UTF8.self) }
            throw LoadError("\(shown): several YAML files (\(names.joined(separator: ", "))) and no data.yaml: name the one to use")
        }
        throw LoadError("\(shown): no data.yaml and no annotations/instances_<split>.json: not a YOLO or COCO dataset folder")
    }
}
