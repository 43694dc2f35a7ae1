import QCCore

/// Access to the dataset model: the dataset summary, images with their boxes,
/// predictions and metadata, the loader's input findings, and `emit`.
enum DatasetBindings {
    static var all: [Binding] {
        [
            Binding(name: "qc.dataset", signature: "qc.dataset() -> ds",
                    doc: """
                    The dataset summary (also passed to `run` as `ds`): `name`, `root`, `format`
                    ("yolo"|"coco"), `splits` (list of names), `classes` (list of `{id, name}`),
                    `names` (`{[id] = name}`), `num_images`, `num_labels`, `background_images`,
                    `has_predictions`, `per_split` (`{[split] = {images, labels, background}}`).
                    """, make: { ctx in { _ in .success([datasetValue(ctx.data)]) } }),
            Binding(name: "qc.image_count", signature: "qc.image_count() -> n",
                    doc: "Number of images; indexes run from 1 to n.",
                    make: { ctx in { _ in .success([.integer(ctx.data.dataset.images.count)]) } }),
            Binding(name: "qc.image", signature: "qc.image(i) -> img | nil",
                    doc: """
                    Image `i` (1-based): `{index, path, split, width, height, group, label_file,
                    boxes, predictions, meta}`. `boxes` is a list of boxes; `predictions` a list of
                    `{class_id, class, xyxy, conf}` (empty without predictions); `group` the image's
                    group key or nil; `meta` its metadata.csv row and `exif_model`/`exif_date`.
                    Width and height are 0 when the image header could not be read.
                    """, make: { ctx in { args in
                        QCBindings.integer(args, 0, "qc.image").map { i in
                            guard i >= 1, i <= ctx.data.dataset.images.count else { return [.nil] }
                            return [imageValue(ctx.data, i - 1)]
                        }
                    } }),
            Binding(name: "qc.images", signature: "qc.images{split=nil, from=1, count=1000} -> {img…}",
                    doc: """
                    A page of images as a list (optionally of one split), for rules that walk the
                    dataset in Lua: `from` is the first index considered, `count` the page size
                    (at most 10000). The returned list is empty past the end.
                    """, make: { ctx in { args in
                        QCBindings.table(args, 0, "qc.images", optional: true).map { opts in
                            let split = opts?["split"]?.asString
                            let from = max(1, Int(opts?["from"]?.asInt ?? 1))
                            let count = min(10_000, max(0, Int(opts?["count"]?.asInt ?? 1000)))
                            let ds = ctx.data.dataset
                            let splitIndex = split.flatMap { ds.splits.firstIndex(of: $0) }
                            if split != nil && splitIndex == nil { return [.list([])] }
                            var out: [LuaValue] = []
                            var i = from - 1
                            while i < ds.images.count && out.count < count {
                                if splitIndex == nil || Int(ds.images[i].split) == splitIndex! {
                                    out.append(imageValue(ctx.data, i))
                                }
                                i += 1
                            }
                            return [.list(out)]
                        }
                    } }),
            Binding(name: "qc.input_issues", signature: "qc.input_issues() -> {total, by_kind, by_severity}",
                    doc: """
                    Counts of the loader's findings (malformed lines and annotations, unreadable
                    images, orphan labels): `by_kind = {[kind] = n}`, `by_severity = {[severity] = n}`.
                    """, make: { ctx in { _ in .success([inputIssuesValue(ctx.data.dataset)]) } }),
            Binding(name: "qc.emit", signature: "emit{kind, message, severity=\"warning\", image, box, ref, related, score, suggestion}",
                    doc: """
                    Reports a finding of the running check. `image` is an image table, index or
                    path; `box` a box table (its `ref` is kept) or `{class_id, xyxy}`; `ref` the place
                    of a line that is not a usable box; `related` a list of images; `score` in [0, 1],
                    higher = more likely a real problem; `suggestion` any table (e.g.
                    `{action = "resize_box", xyxy = {…}}`). Unknown fields are an error. The
                    project's severity overrides and disabled kinds apply.
                    """, make: { ctx in { args in
                        FindingDecoding.decode(args, context: ctx).map { finding in
                            ctx.add(finding)
                            return []
                        }
                    } }),
        ]
    }

    static func datasetValue(_ data: RunData) -> LuaValue {
        data.memo("dataset-value") { buildDatasetValue(data) }
    }

    private static func buildDatasetValue(_ data: RunData) -> LuaValue {
        let ds = data.dataset
        let h = data.histogram
        let perSplit = h.perSplit.map { r in
            (r.splitName ?? "?", (images: r.images, labels: r.boxes, background: r.backgroundImages))
        }
        let background = h.total.backgroundImages
        let classes = ds.classIds.map { id in LuaValue.record([("id", .integer(id)), ("name", .str(ds.className(id)))]) }
        let names = LuaValue.table(LuaTable(array: [], fields: ds.classIds.map { (LuaKey.int(Int64($0)), LuaValue.str(ds.className($0))) }))
        return .record([
            ("name", .str(ds.name)), ("root", .str(ds.root)), ("format", .str(ds.format.rawValue)),
            ("splits", .list(ds.splits.map { .str($0) })), ("classes", .list(classes)), ("names", names),
            ("num_images", .integer(ds.images.count)), ("num_labels", .integer(ds.boxes.count)),
            ("background_images", .integer(background)), ("has_predictions", .bool(ds.hasPredictions)),
            ("per_split", .record(perSplit.map { name, c in
                (name, .record([("images", .integer(c.images)), ("labels", .integer(c.labels)),
                                ("background", .integer(c.background))]))
            })),
        ])
    }

    static func imageValue(_ data: RunData, _ i: Int) -> LuaValue {
        let ds = data.dataset
        let image = ds.images[i]
        let boxes: [LuaValue] = ds.boxes(of: image).map { AnalysisBindings.boxValue(data, $0, image) }
        let predictions: [LuaValue] = ds.predictions(of: image).map { p in
            .record([("class_id", .integer(Int(p.classId))), ("class", .str(ds.className(Int(p.classId)))),
                     ("xyxy", .xyxy(p.x1, p.y1, p.x2, p.y2)), ("conf", .num(p.confidence))])
        }
        let row = i < ds.metadata.rows.count ? ds.metadata.rows[i] : [:]
        let meta = LuaValue.record(row.keys.sorted().map { ($0, .str(row[$0]!)) })
        var fields: [(String, LuaValue)] = [
            ("index", .integer(i + 1)), ("path", .str(image.path)), ("split", .str(data.splitName(image.split))),
            ("width", .integer(Int(image.width))), ("height", .integer(Int(image.height))),
            ("boxes", .list(boxes)), ("predictions", .list(predictions)), ("meta", meta),
        ]
        if let g = data.groupKeys[i] { fields.append(("group", .str(g))) }
        if let l = image.labelPath { fields.append(("label_file", .str(l))) }
        return .record(fields)
    }

    static func inputIssuesValue(_ ds: Dataset) -> LuaValue {
        var byKind: [String: Int] = [:]
        var bySeverity: [String: Int] = [:]
        for f in ds.issues where f.check == "input" {
            byKind[f.kind, default: 0] += 1
            bySeverity[f.severity.rawValue, default: 0] += 1
        }
        return .record([
            ("total", .integer(byKind.values.reduce(0, +))),
            ("by_kind", .record(byKind.keys.sorted().map { ($0, .integer(byKind[$0]!)) })),
            ("by_severity", .record(bySeverity.keys.sorted().map { ($0, .integer(bySeverity[$0]!)) })),
        ])
    }
}
