import QCCore

/// Dataset-wide native primitives: class histograms, unknown class ids, and
/// prediction↔label matching.
enum AnalysisBindings {
    static var all: [Binding] {
        [
            Binding(name: "qc.hist", signature: "qc.hist() -> {classes, splits, total}",
                    doc: """
                    Class histogram: `classes[name] = {id, instances, images, known, per_split =
                    {[split] = {instances, images}}}` (ids outside `names` appear as "#7" with
                    `known = false`); `splits[split] = {images, background, boxes}`; `total` the same
                    over all splits.
                    """, make: { ctx in { _ in .success([histogramValue(ctx.data)]) } }),
            Binding(name: "qc.unknown_class_boxes", signature: "qc.unknown_class_boxes() -> {{image, box}…}",
                    doc: "Every box whose class id is not in the dataset's names, with its image index.",
                    make: { ctx in { _ in
                        let data = ctx.data, ds = data.dataset
                        let out: [LuaValue] = LabelIssues.unknownClassBoxes(ds).map { u in
                            .record([("image", .integer(u.image + 1)), ("box", boxValue(data, ds.boxes[u.label], ds.images[u.image]))])
                        }
                        return .success([.list(out)])
                    } }),
            Binding(name: "qc.match", signature: "qc.match(i, {iou=0.5, class_aware=true, min_conf=0}) -> {labels, predictions}",
                    doc: """
                    Greedy prediction↔label matching on image `i` (predictions by confidence,
                    each taking the free label of highest IoU ≥ `iou`). `labels[k]` (for
                    `img.boxes[k]`) = `{prediction, iou, best_prediction, best_iou, best_any,
                    best_any_iou}`; `predictions[k]` = `{label, iou, best_label, best_label_iou}`.
                    Indexes are 1-based into the image's lists; nil when none.
                    """, make: { ctx in { args in
                        QCBindings.integer(args, 0, "qc.match").flatMap { i in
                            QCBindings.table(args, 1, "qc.match", optional: true).flatMap { opts in
                                let ds = ctx.data.dataset
                                guard i >= 1, i <= ds.images.count else {
                                    return .failure(NativeError(message: "bad argument #1 to 'qc.match' (image index \(i) out of range)"))
                                }
                                let image = ds.images[i - 1]
                                let m = BoxMatching.match(labels: ds.boxes(of: image), predictions: ds.predictions(of: image),
                                                          iouThreshold: opts?["iou"]?.asDouble ?? 0.5,
                                                          classAware: opts?["class_aware"]?.asBool ?? true,
                                                          minConfidence: opts?["min_conf"]?.asDouble ?? 0)
                                func index(_ v: Int32) -> LuaValue { v >= 0 ? .integer(Int(v) + 1) : .nil }
                                let labels: [LuaValue] = m.labels.map { l in
                                    .record([("prediction", index(l.prediction)), ("iou", .num(l.iou)),
                                             ("best_prediction", index(l.bestPrediction)), ("best_iou", .num(l.bestPredictionIoU)),
                                             ("best_any", index(l.bestAnyPrediction)), ("best_any_iou", .num(l.bestAnyPredictionIoU))])
                                }
                                let preds: [LuaValue] = m.predictions.map { p in
                                    .record([("label", index(p.label)), ("iou", .num(p.iou)),
                                             ("best_label", index(p.bestLabel)), ("best_label_iou", .num(p.bestLabelIoU))])
                                }
                                return .success([.record([("labels", .list(labels)), ("predictions", .list(preds))])])
                            }
                        }
                    } }),
        ]
    }

    static func boxValue(_ data: RunData, _ b: BoxLabel, _ image: ImageRecord) -> LuaValue {
        var fields: [(String, LuaValue)] = [
            ("class_id", .integer(Int(b.classId))), ("class", .str(data.dataset.className(Int(b.classId)))),
            ("xyxy", .xyxy(b.x1, b.y1, b.x2, b.y2)),
        ]
        if let ref = data.ref(of: b, image: image) { fields.append(("ref", .str(ref))) }
        if b.isCrowd { fields.append(("crowd", .bool(true))) }
        return .record(fields)
    }

    static func histogramValue(_ data: RunData) -> LuaValue {
        let h = data.histogram
        var classes: [(String, LuaValue)] = []
        for row in h.perClass {
            let perSplit: [(String, LuaValue)] = h.splits.indices.compactMap { s in
                h.row(classId: row.classId, split: s).map { r in
                    (r.splitName ?? h.splits[s], .record([("instances", .integer(r.instances)), ("images", .integer(r.images))]))
                }
            }
            classes.append((row.className, .record([
                ("id", .integer(row.classId)), ("instances", .integer(row.instances)), ("images", .integer(row.images)),
                ("known", .bool(row.isKnown)), ("per_split", .record(perSplit)),
            ])))
        }
        func split(_ r: ClassHistogram.SplitRow) -> LuaValue {
            .record([("images", .integer(r.images)), ("background", .integer(r.backgroundImages)), ("boxes", .integer(r.boxes))])
        }
        return .record([
            ("classes", .record(classes)),
            ("splits", .record(h.perSplit.map { ($0.splitName ?? "?", split($0)) })),
            ("total", split(h.total)),
        ])
    }
}
