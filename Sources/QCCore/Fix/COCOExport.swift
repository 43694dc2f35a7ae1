import Foundation

/// Writes a COCO dataset: each annotation file of the source, with the images left out
/// (and their annotations), annotations dropped, clipped or given another category as
/// the plan says, and the images placed by `FileCloner` at the same relative paths.
/// Foundation's JSON is fine here: a fix reads each file once.
public enum COCOExport {
    public static func write(_ ds: Dataset, plan: FixPlan, layout: ExportLayout, to dir: String,
                             copyOnly: Bool) throws(ExportError) -> YOLOExport.Result {
        var result = YOLOExport.Result()
        var keptIds: [String: Set<Int64>] = [:]
        for (i, image) in ds.images.enumerated() {
            guard let file = image.labelPath else { continue }
            if layout.splitOfImage[i] >= 0, let id = image.cocoId { keptIds[file, default: []].insert(id) }
            if layout.splitOfImage[i] < 0, let fix = plan.droppedImages[image.path] {
                var e = ChangeLog.Entry(action: "drop_image", image: image.path, cause: fix.cause, reason: fix.reason)
                e.files = [image.path]
                e.before = .string(image.path)
                result.entries.append(e)
            }
        }
        for (i, image) in ds.images.enumerated() where layout.splitOfImage[i] >= 0 {
            let method: FileCloner.Method
            do { method = try FileCloner.place(image.absolutePath, at: "\(dir)/\(layout.pathOfImage[i])", copyOnly: copyOnly) }
            catch { throw ExportError(error.path, error.reason) }
            result.placement[method, default: 0] += 1
            result.images += 1
        }
        for file in Set(ds.images.compactMap(\.labelPath)).sorted() {
            let source = file.hasPrefix("/") ? file : "\(ds.root)/\(file)"
            guard let data = FileManager.default.contents(atPath: source),
                  var json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw ExportError(source, "cannot read the COCO JSON again")
            }
            let kept = keptIds[file] ?? []
            let images = (json["images"] as? [[String: Any]]) ?? []
            var sizes: [Int64: (Double, Double)] = [:]
            json["images"] = images.filter { entry in
                guard let id = (entry["id"] as? NSNumber)?.int64Value else { return false }
                sizes[id] = ((entry["width"] as? NSNumber)?.doubleValue ?? 0, (entry["height"] as? NSNumber)?.doubleValue ?? 0)
                return kept.contains(id)
            }
            var annotations: [[String: Any]] = []
            let edits = plan.edits[file] ?? [:]
            for (index, var a) in ((json["annotations"] as? [[String: Any]]) ?? []).enumerated() {
                guard let imageId = (a["image_id"] as? NSNumber)?.int64Value, kept.contains(imageId) else { continue }
                let id = (a["id"] as? NSNumber)?.int64Value
                let key = id.map { "id=\($0)" } ?? "index=\(index)"
                let ref = "\(file)#\(key)"
                let before = summary(a)
                var cause: PlannedFix?
                var action = ""
                if let (edit, fix) = edits[key] ?? edits["index=\(index)"] {
                    cause = fix
                    switch edit {
                    case .drop: action = "drop_label"
                    case .setClass(let c): a["category_id"] = c; action = "set_class"
                    case .clip:
                        let size = sizes[imageId] ?? (0, 0)
                        if let clipped = clip(a["bbox"], width: size.0, height: size.1) { a["bbox"] = clipped; action = "clip_box" }
                        else { action = "drop_label" }
                    }
                }
                if action != "drop_label" && action != "set_class", let c = (a["category_id"] as? NSNumber)?.intValue,
                   let to = plan.remap[c], to != c {
                    a["category_id"] = to
                    if cause == nil { cause = plan.remapFix; action = "remap_class" }
                }
                if let fix = cause {
                    var e = ChangeLog.Entry(action: action, ref: ref, cause: fix.cause, reason: fix.reason)
                    e.image = ds.images.first { $0.labelPath == file && $0.cocoId == imageId }?.path
                    e.before = before
                    e.after = action == "drop_label" ? .null : summary(a)
                    result.entries.append(e)
                }
                if action != "drop_label" { annotations.append(a) }
            }
            json["annotations"] = annotations
            guard let out = try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]) else {
                throw ExportError(file, "cannot encode the COCO JSON")
            }
            let target = file.hasPrefix("/") ? "annotations/\(ExportLayout.lastComponent(file))" : file
            do { try AtomicFile.write([UInt8](out), to: "\(dir)/\(target)") } catch { throw ExportError(error.path, error.reason) }
        }
        return result
    }

    static func summary(_ a: [String: Any]) -> JSONValue {
        var fields: [(String, JSONValue)] = []
        if let c = (a["category_id"] as? NSNumber)?.int64Value { fields.append(("category_id", .int(c))) }
        if let b = a["bbox"] as? [NSNumber] { fields.append(("bbox", .array(b.map { .number($0.doubleValue) }))) }
        return .object(fields)
    }

    static func clip(_ bbox: Any?, width: Double, height: Double) -> [Double]? {
        guard let b = (bbox as? [NSNumber])?.map(\.doubleValue), b.count == 4, width > 0, height > 0 else { return nil }
        let x1 = max(0, b[0]), y1 = max(0, b[1]), x2 = min(width, b[0] + b[2]), y2 = min(height, b[1] + b[3])
        guard x2 > x1, y2 > y1 else { return nil }
        return [x1, y1, x2 - x1, y2 - y1]
    }
}
