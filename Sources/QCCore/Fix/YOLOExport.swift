import Foundation

/// Writes a YOLO dataset: images placed by `FileCloner`, label files rewritten by the
/// plan, `data.yaml` and `metadata.csv` for the new layout. Returns the changes made.
public enum YOLOExport {
    public struct Result: Sendable {
        public var entries: [ChangeLog.Entry] = []
        public var placement: [FileCloner.Method: Int] = [:]
        public var images = 0
    }

    public static func write(_ ds: Dataset, plan: FixPlan, layout: ExportLayout, to dir: String,
                             copyOnly: Bool) throws(ExportError) -> Result {
        var result = Result()
        for (file, fix) in plan.droppedLabelFiles.sorted(by: { $0.key < $1.key }) {
            var e = ChangeLog.Entry(action: "drop_label_file", ref: file, cause: fix.cause, reason: fix.reason)
            e.files = [file]
            result.entries.append(e)
        }
        for (i, image) in ds.images.enumerated() {
            guard layout.splitOfImage[i] >= 0 else {
                if let fix = plan.droppedImages[image.path] {
                    var e = ChangeLog.Entry(action: "drop_image", image: image.path, cause: fix.cause, reason: fix.reason)
                    e.files = [image.path] + (image.labelPath.flatMap { FileManager.default.fileExists(atPath: "\(ds.root)/\($0)") ? [$0] : nil } ?? [])
                    e.before = .string(image.path)
                    result.entries.append(e)
                }
                continue
            }
            let newPath = layout.pathOfImage[i]
            let method: FileCloner.Method
            do { method = try FileCloner.place(image.absolutePath, at: "\(dir)/\(newPath)", copyOnly: copyOnly) }
            catch { throw ExportError(error.path, error.reason) }
            result.placement[method, default: 0] += 1
            result.images += 1
            guard let label = image.labelPath else { continue }
            let source = label.hasPrefix("/") ? label : "\(ds.root)/\(label)"
            guard let bytes = try? FileIO.readFile(path: source) else { continue }   // background image without a label file
            let rewritten = YOLOLabelRewrite.rewrite(bytes, edits: plan.edits[label] ?? [:], remap: plan.remap,
                                                     remapFix: plan.remapFix, pose: ds.keypointShape != nil)
            let target = ExportLayout.labelPath(ofImage: newPath)
            do { try AtomicFile.write(rewritten.bytes, to: "\(dir)/\(target)") }
            catch { throw ExportError(error.path, error.reason) }
            for change in rewritten.changes {
                let action: String
                switch (plan.edits[label]?[String(change.line)]?.edit, change.after) {
                case (_, nil): action = "drop_label"
                case (.clip?, _): action = "clip_box"
                case (.setClass?, _): action = "set_class"
                default: action = "remap_class"
                }
                var e = ChangeLog.Entry(action: action, image: image.path, ref: "\(label):\(change.line)",
                                        cause: change.fix.cause, reason: change.fix.reason)
                e.before = .string(change.before)
                e.after = change.after.map { .string($0) } ?? .null
                result.entries.append(e)
            }
        }
        try writeYAML(ds, layout: layout, to: dir)
        try MetadataExport.write(ds, layout: layout, to: dir)
        return result
    }

    /// data.yaml: a split whose images all lie under `images/<split>/` is that folder,
    /// otherwise a list file `<split>.txt`; names as the source had them.
    static func writeYAML(_ ds: Dataset, layout: ExportLayout, to dir: String) throws(ExportError) {
        var yaml = "path: .\n"
        for (s, name) in layout.splits.enumerated() {
            let paths = layout.splitOfImage.indices.filter { layout.splitOfImage[$0] == s }.map { layout.pathOfImage[$0] }
            guard !paths.isEmpty else { continue }
            let folder = "images/\(name)/"
            let own = paths.allSatisfy { $0.hasPrefix(folder) }
            let others = layout.splitOfImage.indices.contains { layout.splitOfImage[$0] != s && layout.pathOfImage[$0].hasPrefix(folder) }
            if own && !others {
                yaml += "\(name): images/\(name)\n"
            } else {
                do { try AtomicFile.write(paths.map { "./\($0)\n" }.joined(), to: "\(dir)/\(name).txt") }
                catch { throw ExportError(error.path, error.reason) }
                yaml += "\(name): \(name).txt\n"
            }
        }
        if let k = ds.keypointShape { yaml += "kpt_shape: [\(k.map(String.init).joined(separator: ", "))]\n" }
        yaml += "names:\n"
        for id in ds.classIds { yaml += "  \(id): \(yamlString(ds.className(id)))\n" }
        do { try AtomicFile.write(yaml, to: "\(dir)/data.yaml") } catch { throw ExportError(error.path, error.reason) }
    }

    public static func yamlString(_ s: String) -> String {
        let plain = s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == " " || $0 == "-" || $0 == "." }
            && !s.isEmpty && !s.hasPrefix(" ") && !s.hasSuffix(" ") && Double(s) == nil
            && !["true", "false", "yes", "no", "null", "on", "off"].contains(s.lowercased())
        if plain { return s }
        return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
