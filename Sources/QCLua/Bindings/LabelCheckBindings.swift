import Foundation
import QCCore

/// The label checks' native passes (missing_labels, wrong_classes, box_fit,
/// split_leakage). Each runs over the whole dataset once per option set (memoised in
/// `RunData`, so rules asking the same question share the answer) and returns only
/// candidates with their evidence; thresholds come from the rule's params and the
/// decision to emit stays in Lua.
enum LabelCheckBindings {
    static var all: [Binding] {
        [
            Binding(name: "qc.box_issues",
                    signature: "qc.box_issues{oob_tolerance=1, duplicate_iou=0.9, imgsz=640, tiny_px=3, limit=50000} -> {degenerate, out_of_bounds, duplicate, tiny, totals, checked_boxes, unsized_images}",
                    doc: """
                    Boxes that cannot be trained on as they are, without any model. Each list holds
                    `{image, box, …}`: `degenerate` (no width or height, or a non-finite
                    coordinate); `out_of_bounds` (reaching more than `oob_tolerance` px past an
                    edge; `overhang` px, `outside` = share of the area outside); `duplicate` (a
                    same-class box of the same image at IoU ≥ `duplicate_iou` with an earlier one:
                    `other` box, `iou`); `tiny` (shorter side under `tiny_px` once the image's longer
                    side is resized to `imgsz`: `width`, `height` at that size). Images whose size is
                    unknown are counted in `unsized_images` and get no bounds or size check. Each
                    list holds at most `limit` entries (the clearest cases); `totals[kind]` counts all.
                    """, make: { ctx in { args in
                        options(args, "qc.box_issues", ["oob_tolerance", "duplicate_iou", "imgsz", "tiny_px", "limit"]).map { o in
                            var opt = LabelIssues.BoxOptions()
                            opt.outOfBoundsTolerance = o["oob_tolerance"] ?? opt.outOfBoundsTolerance
                            opt.duplicateIoU = o["duplicate_iou"] ?? opt.duplicateIoU
                            opt.imgsz = o["imgsz"] ?? opt.imgsz
                            opt.tinyPixels = o["tiny_px"] ?? opt.tinyPixels
                            let data = ctx.data
                            let r = data.memo("box_issues|\(opt)") { LabelIssues.boxes(data.dataset, opt) }
                            var totals: [LabelIssues.BoxIssueKind: Int] = [:]
                            for issue in r.issues { totals[issue.kind, default: 0] += 1 }
                            let limit = Int(o["limit"] ?? defaultLimit)
                            func list(_ kind: LabelIssues.BoxIssueKind) -> LuaValue {
                                let kept = strongest(r.issues.filter { $0.kind == kind }, limit: limit) { i in
                                    switch i.kind {
                                    case .degenerate: return 1
                                    case .outOfBounds: return i.outside + i.overhang * 1e-6
                                    case .duplicate: return i.iou
                                    case .tiny: return -min(i.scaledWidth, i.scaledHeight)
                                    }
                                }
                                return encodedList(kept) { b, issue in
                                    b.table(array: 0, fields: issue.kind == .degenerate ? 2 : 4)
                                    b.key("image"); b.int(issue.image + 1)
                                    b.key("box"); writeLabel(&b, data, issue.label, issue.image)
                                    switch issue.kind {
                                    case .degenerate: break
                                    case .outOfBounds: b.key("overhang"); b.number(issue.overhang); b.key("outside"); b.number(issue.outside)
                                    case .duplicate: b.key("other"); writeLabel(&b, data, issue.other, issue.image); b.key("iou"); b.number(issue.iou)
                                    case .tiny: b.key("width"); b.number(issue.scaledWidth); b.key("height"); b.number(issue.scaledHeight)
                                    }
                                    b.end()
                                }
                            }
                            return [.record([
                                ("degenerate", list(.degenerate)), ("out_of_bounds", list(.outOfBounds)),
                                ("duplicate", list(.duplicate)), ("tiny", list(.tiny)),
                                ("checked_boxes", .integer(r.checkedBoxes)), ("unsized_images", .integer(r.unsizedImages)),
                                ("totals", .record([("degenerate", .integer(totals[.degenerate] ?? 0)),
                                                    ("out_of_bounds", .integer(totals[.outOfBounds] ?? 0)),
                                                    ("duplicate", .integer(totals[.duplicate] ?? 0)), ("tiny", .integer(totals[.tiny] ?? 0))])),
                            ])]
                        }
                    } }),
            Binding(name: "qc.missing_candidates",
                    signature: "qc.missing_candidates{min_conf=0.5, cover_iou=0.3, nest_coverage=0.85, crowd_coverage=0.5, duplicate_iou=0.5, limit=50000} -> {candidates, total, eligible, covered_iou, covered_nesting, covered_crowd, suppressed}",
                    doc: """
                    Predictions with confidence ≥ `min_conf` that no label covers. A label covers a
                    prediction when their IoU is ≥ `cover_iou` whatever the classes (a wrongly classed
                    label is a wrong_class, not also a missing box), when it has the same class and
                    one box holds ≥ `nest_coverage` of the other (a loose or tight label), or when a
                    crowd region holds ≥ `crowd_coverage` of it. Of uncovered predictions overlapping
                    at IoU ≥ `duplicate_iou`, only the most confident is kept (`duplicates` counts
                    the others). `candidates[k]` = `{image, prediction = {class_id, class, xyxy, conf},
                    best_label, best_iou, duplicates}` (`best_label`: the box overlapping most, or nil),
                    at most `limit` of them (the most confident); `total` counts all. As in every
                    prediction-based pass, only boxes that overlap are ever paired: a threshold of
                    0 means "any overlap".
                    """, make: { ctx in { args in
                        options(args, "qc.missing_candidates", ["min_conf", "cover_iou", "nest_coverage", "crowd_coverage", "duplicate_iou", "limit"]).map { o in
                            var opt = LabelCandidates.MissingOptions()
                            opt.minConfidence = o["min_conf"] ?? opt.minConfidence
                            opt.coverIoU = o["cover_iou"] ?? opt.coverIoU
                            opt.nestCoverage = o["nest_coverage"] ?? opt.nestCoverage
                            opt.crowdCoverage = o["crowd_coverage"] ?? opt.crowdCoverage
                            opt.duplicateIoU = o["duplicate_iou"] ?? opt.duplicateIoU
                            let data = ctx.data
                            let r = data.memo("missing|\(opt)") { LabelCandidates.missing(data.dataset, opt, overlaps: overlaps(data)) }
                            let preds = data.dataset.predictions
                            let kept = strongest(r.candidates, limit: Int(o["limit"] ?? defaultLimit)) { preds[$0.prediction].confidence }
                            let list = encodedList(kept) { b, c in
                                b.table(array: 0, fields: 4 + (c.bestLabel >= 0 ? 1 : 0))
                                b.key("image"); b.int(c.image + 1)
                                b.key("prediction"); writePrediction(&b, data, c.prediction)
                                b.key("best_iou"); b.number(c.bestLabelIoU)
                                b.key("duplicates"); b.int(c.duplicates)
                                if c.bestLabel >= 0 { b.key("best_label"); writeLabel(&b, data, c.bestLabel, c.image) }
                                b.end()
                            }
                            return [.record([("candidates", list), ("total", .integer(r.candidates.count)), ("eligible", .integer(r.eligible)),
                                             ("covered_iou", .integer(r.coveredByIoU)), ("covered_nesting", .integer(r.coveredByNesting)),
                                             ("covered_crowd", .integer(r.coveredByCrowd)), ("suppressed", .integer(r.suppressed))])]
                        }
                    } }),
            Binding(name: "qc.class_candidates",
                    signature: "qc.class_candidates{min_conf=0.6, min_iou=0.5, agree_iou=0.3, explained_iou=0.5, limit=50000} -> {{image, box, prediction, iou, agree, agree_conf, agree_iou}…, total}",
                    doc: """
                    Labels with a prediction of another class at confidence ≥ `min_conf` and IoU ≥
                    `min_iou` — the most confident such one is `prediction`, `iou` its overlap — unless a
                    label of the predicted class fits that prediction at IoU ≥ `explained_iou` (a
                    person on a bicycle). `agree` is the label's most confident same-class prediction
                    at IoU ≥ `agree_iou` (nil when none), with `agree_conf` and `agree_iou` (0 then):
                    the model's vote for the label as written. At most `limit` candidates (the most
                    confident predictions) are listed; the list's `total` field counts all. Only
                    overlapping boxes are paired (a threshold of 0 means "any overlap").
                    """, make: { ctx in { args in
                        options(args, "qc.class_candidates", ["min_conf", "min_iou", "agree_iou", "explained_iou", "limit"]).map { o in
                            var opt = LabelCandidates.ClassOptions()
                            opt.minConfidence = o["min_conf"] ?? opt.minConfidence
                            opt.minIoU = o["min_iou"] ?? opt.minIoU
                            opt.agreeIoU = o["agree_iou"] ?? opt.agreeIoU
                            opt.explainedIoU = o["explained_iou"] ?? opt.explainedIoU
                            let data = ctx.data
                            let r = data.memo("wrong_class|\(opt)") { LabelCandidates.wrongClass(data.dataset, opt, overlaps: overlaps(data)) }
                            let preds = data.dataset.predictions
                            let kept = strongest(r, limit: Int(o["limit"] ?? defaultLimit)) { preds[$0.prediction].confidence }
                            return [encodedList(kept, total: r.count) { b, c in
                                b.table(array: 0, fields: 6 + (c.agree >= 0 ? 1 : 0))
                                b.key("image"); b.int(c.image + 1)
                                b.key("box"); writeLabel(&b, data, c.label, c.image)
                                b.key("prediction"); writePrediction(&b, data, c.prediction)
                                b.key("iou"); b.number(c.iou)
                                b.key("agree_conf"); b.number(c.agreeConfidence)
                                b.key("agree_iou"); b.number(c.agreeIoU)
                                if c.agree >= 0 { b.key("agree"); writePrediction(&b, data, c.agree) }
                                b.end()
                            }]
                        }
                    } }),
            Binding(name: "qc.fit_candidates",
                    signature: "qc.fit_candidates{min_conf=0.5, nest_coverage=0.85, fit_iou=0.7, min_area_ratio=1.35, explained_iou=0.5, limit=50000} -> {{image, box, prediction, direction, iou, area_ratio, coverage, best_iou, nested}…, total}",
                    doc: """
                    Labels that a same-class prediction (confidence ≥ `min_conf`) nests with but does
                    not fit: one box holds ≥ `nest_coverage` of the other, their IoU is below
                    `fit_iou`, and label area / prediction area is ≥ `min_area_ratio` (`direction =
                    "loose"`) or ≤ 1/`min_area_ratio` (`"tight"`). Labels with any same-class
                    prediction at IoU ≥ `fit_iou` are not candidates; predictions another same-class
                    label fits at IoU ≥ `explained_iou` are not used. `prediction` is the most
                    confident nested one; `best_iou` the label's best same-class IoU; `nested` how
                    many predictions nest the same way. At most `limit` (the most confident); `total`
                    counts all. Only overlapping boxes are paired.
                    """, make: { ctx in { args in
                        options(args, "qc.fit_candidates", ["min_conf", "nest_coverage", "fit_iou", "min_area_ratio", "explained_iou", "limit"]).map { o in
                            var opt = LabelCandidates.FitOptions()
                            opt.minConfidence = o["min_conf"] ?? opt.minConfidence
                            opt.nestCoverage = o["nest_coverage"] ?? opt.nestCoverage
                            opt.fitIoU = o["fit_iou"] ?? opt.fitIoU
                            opt.minAreaRatio = o["min_area_ratio"] ?? opt.minAreaRatio
                            opt.explainedIoU = o["explained_iou"] ?? opt.explainedIoU
                            let data = ctx.data
                            let r = data.memo("fit|\(opt)") { LabelCandidates.fit(data.dataset, opt, overlaps: overlaps(data)) }
                            let preds = data.dataset.predictions
                            let kept = strongest(r, limit: Int(o["limit"] ?? defaultLimit)) { preds[$0.prediction].confidence }
                            return [encodedList(kept, total: r.count) { b, c in
                                b.table(array: 0, fields: 9)
                                b.key("image"); b.int(c.image + 1)
                                b.key("box"); writeLabel(&b, data, c.label, c.image)
                                b.key("prediction"); writePrediction(&b, data, c.prediction)
                                b.key("direction"); b.string(c.isLoose ? "loose" : "tight")
                                b.key("iou"); b.number(c.iou)
                                b.key("area_ratio"); b.number(c.areaRatio)
                                b.key("coverage"); b.number(c.coverage)
                                b.key("best_iou"); b.number(c.bestIoU)
                                b.key("nested"); b.int(c.nestedCount)
                                b.end()
                            }]
                        }
                    } }),
            Binding(name: "qc.calibration",
                    signature: "qc.calibration{iou=0.5} -> {labels, confirmed, conf}",
                    doc: """
                    How the model scores real objects. A label is confirmed by its most confident
                    same-class prediction at IoU ≥ `iou`; `conf[p]` for p = 0…100 is the p-th
                    percentile of those confidences (nil when nothing is confirmed), `labels` and
                    `confirmed` the counts. Rules raise confidence floors to a percentile of these,
                    so an over-confident model (most false positives above 0.5) does not flood the
                    report while a calibrated one keeps the plain floor.
                    """, make: { ctx in { args in
                        options(args, "qc.calibration", ["iou"]).map { o in
                            let iou = o["iou"] ?? 0.5
                            let data = ctx.data
                            let c = data.memo("calibration|\(iou)") { LabelCandidates.calibration(data.dataset, iou: iou, overlaps: overlaps(data)) }
                            var fields: [(String, LuaValue)] = [("labels", .integer(c.labels)), ("confirmed", .integer(c.confirmed))]
                            if !c.percentiles.isEmpty {
                                fields.append(("conf", .table(LuaTable(array: [], fields: c.percentiles.enumerated().map {
                                    (LuaKey.int(Int64($0.offset)), LuaValue.number($0.element))
                                }))))
                            }
                            return [.record(fields)]
                        }
                    } }),
            Binding(name: "qc.confusion",
                    signature: "qc.confusion{iou=0.45, min_conf=0.25} -> {classes, counts, confusions, detected, labels}",
                    doc: """
                    Labels × predictions confusion matrix from a class-agnostic greedy match at IoU ≥
                    `iou` of predictions with confidence ≥ `min_conf` (Ultralytics' confusion-matrix
                    defaults). `classes` lists the class names in id order; `counts[label][predicted]`
                    holds the non-zero cells, with "background" for an unmatched label (column) or
                    prediction (row). `confusions` lists the cells of two different classes, largest
                    first, as `{label, predicted, count}`; `detected[class]` = labels of the class
                    matched to a prediction of any class; `labels[class]` = all its labels.
                    """, make: { ctx in { args in
                        options(args, "qc.confusion", ["iou", "min_conf"]).map { o in
                            let iou = o["iou"] ?? 0.45, minConf = o["min_conf"] ?? 0.25
                            let data = ctx.data, ds = data.dataset
                            let m = data.memo("confusion|\(iou)|\(minConf)") {
                                BoxMatching.confusionMatrix(dataset: ds, overlaps: overlaps(data), iouThreshold: iou, minConfidence: minConf)
                            }
                            func name(_ id: Int?) -> String { id.map { ds.className($0) } ?? "background" }
                            var rows: [(String, LuaValue)] = []
                            var detected: [(String, LuaValue)] = [], labels: [(String, LuaValue)] = []
                            for (r, rowId) in (m.classIds.map { Optional($0) } + [nil]).enumerated() {
                                var cells: [(String, LuaValue)] = []
                                var matched = 0, total = 0
                                for (c, colId) in (m.classIds.map { Optional($0) } + [nil]).enumerated() {
                                    let v = m.counts[r * m.size + c]
                                    guard v > 0 else { continue }
                                    cells.append((name(colId), .integer(v)))
                                    total += v
                                    if colId != nil { matched += v }
                                }
                                if !cells.isEmpty { rows.append((name(rowId), .record(cells))) }
                                if let id = rowId {
                                    detected.append((name(id), .integer(matched)))
                                    labels.append((name(id), .integer(total)))
                                }
                            }
                            let confusions: [LuaValue] = m.cells(confusionsOnly: true).map { c in
                                .record([("label", .str(name(c.labelClass))), ("predicted", .str(name(c.predictedClass))),
                                         ("count", .integer(c.count))])
                            }
                            return [.record([("classes", .list(m.classIds.map { .str(name($0)) })), ("counts", .record(rows)),
                                             ("confusions", .list(confusions)), ("detected", .record(detected)),
                                             ("labels", .record(labels))])]
                        }
                    } }),
            Binding(name: "qc.count_outliers",
                    signature: "qc.count_outliers{min_images=5, max_z=-3, min_fewer=3, max_share=0.5, min_scale=1, limit=50000} -> {candidates, total, in_group, in_split, not_compared, groups}",
                    doc: """
                    Images with far fewer labels than comparable images: those of their group
                    (`img.group`) when it has ≥ `min_images` images, else those of their split.
                    A candidate's robust z-score (count − median) / max(scaled MAD, `min_scale`) is ≤
                    `max_z`, it has ≥ `min_fewer` labels fewer than the median and at most
                    `max_share` of it. `candidates[k]` = `{image, count, group, reference_images,
                    median, mad, z}` (`group` nil when compared with the split); the counts say how
                    many images were compared each way. At most `limit` candidates (lowest z first
                    kept); `total` counts all.
                    """, make: { ctx in { args in
                        options(args, "qc.count_outliers", ["min_images", "max_z", "min_fewer", "max_share", "min_scale", "limit"]).map { o in
                            var opt = LabelIssues.CountOptions()
                            opt.minReferenceImages = Int(o["min_images"] ?? Double(opt.minReferenceImages))
                            opt.maxZ = o["max_z"] ?? opt.maxZ
                            opt.minFewer = o["min_fewer"] ?? opt.minFewer
                            opt.maxShare = o["max_share"] ?? opt.maxShare
                            opt.minScale = o["min_scale"] ?? opt.minScale
                            let data = ctx.data
                            let r = data.memo("counts|\(opt)") { LabelIssues.countOutliers(data.dataset, keys: data.groupKeys, opt) }
                            let kept = strongest(r.candidates, limit: Int(o["limit"] ?? defaultLimit)) { -$0.z }
                            let list: [LuaValue] = kept.map { c in
                                var f: [(String, LuaValue)] = [("image", .integer(c.image + 1)), ("count", .integer(c.count)),
                                                               ("reference_images", .integer(c.referenceImages)), ("median", .num(c.median)),
                                                               ("mad", .num(c.mad)), ("z", .num(c.z))]
                                if let g = c.group { f.append(("group", .str(g))) }
                                return .record(f)
                            }
                            return [.record([("candidates", .list(list)), ("total", .integer(r.candidates.count)), ("in_group", .integer(r.comparedInGroup)),
                                             ("in_split", .integer(r.comparedInSplit)), ("not_compared", .integer(r.notCompared)),
                                             ("groups", .integer(r.groups))])]
                        }
                    } }),
            Binding(name: "qc.geometry_outliers",
                    signature: "qc.geometry_outliers{min_class_boxes=30, own_z=5, other_z=2, min_scale=0.05, limit=50000} -> {profiles, candidates, total, checked_boxes}",
                    doc: """
                    Boxes whose size and aspect are typical of another class but not of their own.
                    Each class with ≥ `min_class_boxes` usable boxes gets a profile: median and
                    scaled MAD (floored at `min_scale`) of log(√area / √image area) and log(w / h).
                    A box is a candidate when its distance from its own profile (the two robust
                    z-scores combined) is ≥ `own_z` and another profile lies within `other_z`.
                    `profiles[class] = {boxes, size, size_spread, aspect, aspect_spread}` (medians as
                    plain values, spreads in log units); `candidates[k] = {image, box, own_z,
                    other_class, other_z, size, aspect}`, at most `limit` (the clearest); `total`
                    counts all.
                    """, make: { ctx in { args in
                        options(args, "qc.geometry_outliers", ["min_class_boxes", "own_z", "other_z", "min_scale", "limit"]).map { o in
                            var opt = LabelIssues.GeometryOptions()
                            opt.minClassBoxes = Int(o["min_class_boxes"] ?? Double(opt.minClassBoxes))
                            opt.ownZ = o["own_z"] ?? opt.ownZ
                            opt.otherZ = o["other_z"] ?? opt.otherZ
                            opt.minScale = o["min_scale"] ?? opt.minScale
                            let data = ctx.data, ds = data.dataset
                            let r = data.memo("geometry|\(opt)") { LabelIssues.geometryOutliers(ds, opt) }
                            let profiles: [(String, LuaValue)] = r.profiles.map { p in
                                (ds.className(p.classId), .record([
                                    ("boxes", .integer(p.boxes)), ("size", .num(exp(p.logSizeMedian))), ("size_spread", .num(p.logSizeScale)),
                                    ("aspect", .num(exp(p.logAspectMedian))), ("aspect_spread", .num(p.logAspectScale)),
                                ]))
                            }
                            let kept = strongest(r.candidates, limit: Int(o["limit"] ?? defaultLimit)) { $0.ownZ - $0.otherZ }
                            let list: [LuaValue] = kept.map { c in
                                .record([("image", .integer(c.image + 1)), ("box", label(data, c.label, c.image)),
                                         ("own_z", .num(c.ownZ)), ("other_class", .str(ds.className(c.otherClass))),
                                         ("other_class_id", .integer(c.otherClass)), ("other_z", .num(c.otherZ)),
                                         ("size", .num(c.relativeSize)), ("aspect", .num(c.aspect))])
                            }
                            return [.record([("profiles", .record(profiles)), ("candidates", .list(list)), ("total", .integer(r.candidates.count)),
                                             ("checked_boxes", .integer(r.checkedBoxes))])]
                        }
                    } }),
            Binding(name: "qc.box_pairs",
                    signature: "qc.box_pairs{a, b, min_coverage=0.5} -> {{image, a, b, coverage, iou}…}",
                    doc: """
                    For edge-case rules: every pair of boxes of one image where a box of class `a`
                    (a name or id) has ≥ `min_coverage` of its area covered by another box of class
                    `b` — "a person box covering > 80% of a forklift box" is `qc.box_pairs{a =
                    "forklift", b = "person", min_coverage = 0.8}`. `coverage` is that share, `iou`
                    the pair's IoU; `a` and `b` are the boxes. An unknown class name is an error.
                    """, make: { ctx in { args in
                        QCBindings.table(args, 0, "qc.box_pairs").flatMap { t in
                            let t = t!
                            let ds = ctx.data.dataset
                            for (k, _) in t.fields {
                                guard case .string(let name) = k, ["a", "b", "min_coverage"].contains(name) else {
                                    return .failure(NativeError(message: "qc.box_pairs: unknown option '\(k)' (known: a, b, min_coverage)"))
                                }
                            }
                            func classId(_ key: String) -> Result<Int32, NativeError> {
                                switch t[key] {
                                case .string(let name)?:
                                    if let id = ds.classNames.first(where: { $0.value == name })?.key { return .success(Int32(id)) }
                                    return .failure(NativeError(message: "qc.box_pairs: no class named '\(name)' (classes: \(ds.classIds.map { ds.className($0) }.joined(separator: ", ")))"))
                                case let v? where v.asInt != nil: return .success(Int32(truncatingIfNeeded: v.asInt!))
                                default: return .failure(NativeError(message: "qc.box_pairs: option '\(key)' must be a class name or id"))
                                }
                            }
                            return classId("a").flatMap { a in classId("b").map { b in
                                let minCoverage = t["min_coverage"]?.asDouble ?? 0.5
                                let data = ctx.data
                                let pairs = data.memo("pairs|\(a)|\(b)|\(minCoverage)") {
                                    LabelIssues.pairs(ds, classA: a, classB: b, minCoverage: minCoverage)
                                }
                                return [.list(pairs.map { p in
                                    .record([("image", .integer(p.image + 1)), ("a", label(data, p.a, p.image)),
                                             ("b", label(data, p.b, p.image)), ("coverage", .num(p.coverage)), ("iou", .num(p.iou))])
                                })]
                            } }
                        }
                    } }),
            Binding(name: "qc.groups", signature: "qc.groups() -> {groups, grouped_images, leaking, leaked_images, split_images}",
                    doc: """
                    The images grouped by their group key (`img.group`: the project's `group_key`
                    or the default scene → camera|day → EXIF → frame-run key). `leaking` lists the
                    groups present in more than one split, largest first: `{key, image_count,
                    per_split = {[split] = n}, images}` (`images`: up to 50 paths, those outside the
                    group's largest split first). `leaked_images[split]` counts a split's images in
                    leaking groups; `split_images[split]` all its images.
                    """, make: { ctx in { _ in .success([groupsValue(ctx.data)]) } }),
            Binding(name: "qc.split_stats", signature: "qc.split_stats() -> {[split] = {images, boxes, background, classes}}",
                    doc: """
                    Per split: `images`, `boxes`, `background` images and `classes[name] =
                    {instances, images, size_median, size_p25, size_p75}`, sizes relative to the
                    image (√box area / √image area) — the inputs of a distribution-shift test.
                    """, make: { ctx in { _ in .success([splitStatsValue(ctx.data)]) } }),
        ]
    }

    /// Every overlapping label × prediction pair, built once per run for all the
    /// prediction-based passes (the first rule to ask builds it, the others wait).
    static func overlaps(_ data: RunData) -> OverlapTable {
        data.memo("overlaps") {
            let started = PhaseTimer.now()
            let table = OverlapTable.build(data.dataset)
            PhaseTimer.report("overlap table, \(table.count) pairs", since: started)
            return table
        }
    }

    // MARK: - values

    static func label(_ data: RunData, _ global: Int, _ image: Int) -> LuaValue {
        AnalysisBindings.boxValue(data, data.dataset.boxes[global], data.dataset.images[image])
    }

    // MARK: - encoded records (the large candidate lists)

    /// The record `label` builds, written straight into `b`.
    static func writeLabel(_ b: inout LuaTapeBuilder, _ data: RunData, _ global: Int, _ image: Int) {
        let box = data.dataset.boxes[global]
        let ref = data.dataset.place(of: box, image: image)
        b.table(array: 0, fields: 3 + (ref == nil ? 0 : 1) + (box.isCrowd ? 1 : 0))
        b.key("class_id"); b.int(Int(box.classId))
        b.key("class"); b.string(data.dataset.className(Int(box.classId)))
        b.key("xyxy"); b.xyxy(box.x1, box.y1, box.x2, box.y2)
        if let ref { b.key("ref"); b.string(ref) }
        if box.isCrowd { b.key("crowd"); b.bool(true) }
        b.end()
    }

    /// The record `prediction` builds, written straight into `b`.
    static func writePrediction(_ b: inout LuaTapeBuilder, _ data: RunData, _ global: Int) {
        let p = data.dataset.predictions[global]
        b.table(array: 0, fields: 4)
        b.key("class_id"); b.int(Int(p.classId))
        b.key("class"); b.string(data.dataset.className(Int(p.classId)))
        b.key("xyxy"); b.xyxy(p.x1, p.y1, p.x2, p.y2)
        b.key("conf"); b.number(p.confidence)
        b.end()
    }

    /// A list of many records, each written by `write`; with `total`, the list also
    /// carries that count as its `total` field (as `listWithTotal`).
    static func encodedList<T>(_ items: [T], total: Int? = nil, _ write: (inout LuaTapeBuilder, T) -> Void) -> LuaValue {
        var b = LuaTapeBuilder(reserve: 64 + items.count * 256)
        b.table(array: items.count, fields: total == nil ? 0 : 1)
        for item in items { b.item(); write(&b, item) }
        if let total { b.key("total"); b.int(total) }
        b.end()
        return b.value
    }

    static func prediction(_ data: RunData, _ global: Int) -> LuaValue {
        let p = data.dataset.predictions[global]
        return .record([("class_id", .integer(Int(p.classId))), ("class", .str(data.dataset.className(Int(p.classId)))),
                        ("xyxy", .xyxy(p.x1, p.y1, p.x2, p.y2)), ("conf", .num(p.confidence))])
    }

    static func groupsValue(_ data: RunData) -> LuaValue {
        let ds = data.dataset
        let index = data.memo("groups") { ImageGrouping.build(dataset: ds, keys: data.groupKeys) }
        var leakedPerSplit = [Int](repeating: 0, count: ds.splits.count)
        var splitImages = [Int](repeating: 0, count: ds.splits.count)
        for image in ds.images where image.split >= 0 && Int(image.split) < ds.splits.count { splitImages[Int(image.split)] += 1 }
        let leaking = index.leakingGroups.sorted {
            index.groups[$0].imageCount != index.groups[$1].imageCount ? index.groups[$0].imageCount > index.groups[$1].imageCount : $0 < $1
        }
        var list: [LuaValue] = []
        for g in leaking {
            let group = index.groups[g]
            for s in group.splits { leakedPerSplit[s] += group.imagesPerSplit[s] }
            let major = group.majoritySplit
            let members = index.images(of: g).map(Int.init)
            // Images outside the majority split first: those are the ones that leak.
            let ordered = members.filter { Int(ds.images[$0].split) != major } + members.filter { Int(ds.images[$0].split) == major }
            list.append(.record([
                ("key", .str(group.key)), ("image_count", .integer(group.imageCount)),
                ("per_split", .record(group.splits.map { (ds.splits[$0], .integer(group.imagesPerSplit[$0])) })),
                ("images", .list(ordered.prefix(50).map { .str(ds.images[$0].path) })),
            ]))
        }
        let grouped = index.groupOfImage.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        return .record([
            ("groups", .integer(index.groups.count)), ("grouped_images", .integer(grouped)),
            ("leaking", .list(list)),
            ("leaked_images", .record(ds.splits.enumerated().map { ($1, .integer(leakedPerSplit[$0])) })),
            ("split_images", .record(ds.splits.enumerated().map { ($1, .integer(splitImages[$0])) })),
        ])
    }

    static func splitStatsValue(_ data: RunData) -> LuaValue {
        let h = data.histogram
        var out: [(String, LuaValue)] = []
        for (s, row) in h.perSplit.enumerated() {
            var classes: [(String, LuaValue)] = []
            for id in h.classIds {
                guard let c = h.row(classId: id, split: s), c.instances > 0 else { continue }
                var f: [(String, LuaValue)] = [("instances", .integer(c.instances)), ("images", .integer(c.images))]
                if c.relativeSize.count > 0 {
                    f += [("size_median", .num(c.relativeSize.median)), ("size_p25", .num(c.relativeSize.p25)),
                          ("size_p75", .num(c.relativeSize.p75))]
                }
                classes.append((c.className, .record(f)))
            }
            out.append((row.splitName ?? h.splits[s], .record([
                ("images", .integer(row.images)), ("boxes", .integer(row.boxes)),
                ("background", .integer(row.backgroundImages)), ("classes", .record(classes)),
            ])))
        }
        return .record(out)
    }

    // MARK: - limits

    /// Candidates handed to Lua per call unless the rule asks for another `limit`: the
    /// engine keeps at most 50,000 findings per check anyway, and a predictions file
    /// that belongs to another dataset must not build a million Lua tables.
    static let defaultLimit = 50_000.0

    /// The `limit` strongest items by `score` (ties: earlier first), in their original order.
    static func strongest<T>(_ items: [T], limit: Int, score: (T) -> Double) -> [T] {
        guard items.count > max(0, limit) else { return items }
        let scores = items.map(score)
        let top = items.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }.prefix(max(0, limit))
        return top.sorted().map { items[$0] }
    }

    /// A Lua list that also carries `total`, the count before `limit`.
    static func listWithTotal(_ total: Int, _ items: [LuaValue]) -> LuaValue {
        .table(LuaTable(array: items, fields: [(LuaKey.string("total"), LuaValue.integer(total))]))
    }

    // MARK: - options

    /// An optional table of numeric options; an unknown key or a non-number is an error
    /// naming it, so a misspelt threshold never silently falls back to the default.
    static func options(_ args: [LuaValue], _ fn: String, _ known: [String]) -> Result<[String: Double], NativeError> {
        QCBindings.table(args, 0, fn, optional: true).flatMap { t in
            var out: [String: Double] = [:]
            guard let t else { return .success(out) }
            if !t.array.isEmpty {
                return .failure(NativeError(message: "bad argument #1 to '\(fn)' (expected a table of named options)"))
            }
            for (k, v) in t.fields {
                guard case .string(let name) = k, known.contains(name) else {
                    return .failure(NativeError(message: "\(fn): unknown option '\(k)' (known: \(known.joined(separator: ", ")))"))
                }
                guard let d = v.asDouble, !d.isNaN else {
                    return .failure(NativeError(message: "\(fn): option '\(name)' must be a number (got \(v.typeName))"))
                }
                out[name] = d
            }
            return .success(out)
        }
    }
}
