/// Where each image of the source goes in the written dataset: its split and its path
/// relative to the new root, or nowhere (dropped). `fix` keeps splits and paths;
/// `split` gives new splits and `images/<split>/` paths.
public struct ExportLayout: Sendable {
    public var splits: [String]
    /// Per source image: index into `splits`, or -1 when the image is not written.
    public var splitOfImage: [Int]
    public var pathOfImage: [String]

    /// The source's own splits and paths (an image outside the root goes to `images/<split>/`).
    public static func keeping(_ ds: Dataset, dropped: Set<String>) -> ExportLayout {
        var paths: [String] = []
        var splits: [Int] = []
        var taken: Set<String> = []
        for image in ds.images {
            let split = ds.splits.indices.contains(Int(image.split)) ? ds.splits[Int(image.split)] : "train"
            var path = image.path.hasPrefix("/") ? "images/\(split)/\(lastComponent(image.path))" : image.path
            path = unique(path, &taken)
            paths.append(path)
            splits.append(dropped.contains(image.path) ? -1 : Int(image.split))
        }
        return ExportLayout(splits: ds.splits, splitOfImage: splits, pathOfImage: paths)
    }

    /// New splits: `images/<new split>/<the path below the old split folder>`.
    public static func regrouped(_ ds: Dataset, splits: [String], splitOfImage: [Int]) -> ExportLayout {
        var taken: Set<String> = []
        var paths: [String] = []
        for (i, image) in ds.images.enumerated() {
            let old = ds.splits.indices.contains(Int(image.split)) ? ds.splits[Int(image.split)] : ""
            var tail = lastComponent(image.path)
            for prefix in ["images/\(old)/", "\(old)/"] where !old.isEmpty && image.path.hasPrefix(prefix) {
                tail = String(image.path.dropFirst(prefix.count)); break
            }
            let target = splitOfImage[i] >= 0 ? splits[splitOfImage[i]] : "dropped"
            var path = "images/\(target)/\(tail)"
            // Two splits may hold the same file name: the second keeps its old split as a prefix.
            if taken.contains(path) { path = "images/\(target)/\(old)_\(tail)" }
            path = unique(path, &taken)
            paths.append(path)
        }
        return ExportLayout(splits: splits, splitOfImage: splitOfImage, pathOfImage: paths)
    }

    static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    static func unique(_ path: String, _ taken: inout Set<String>) -> String {
        var candidate = path
        var n = 2
        while taken.contains(candidate) {
            let dot = path.lastIndex(of: ".") ?? path.endIndex
            candidate = "\(path[..<dot])_\(n)\(path[dot...])"
            n += 1
        }
        taken.insert(candidate)
        return candidate
    }

    /// YOLO's rule: the last `images` segment becomes `labels`, the extension `.txt`.
    public static func labelPath(ofImage path: String) -> String {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if let i = parts.lastIndex(of: "images") { parts[i] = "labels" }
        var file = parts.removeLast()
        if let dot = file.lastIndex(of: ".") { file = String(file[..<dot]) }
        return (parts + [file + ".txt"]).joined(separator: "/")
    }
}
