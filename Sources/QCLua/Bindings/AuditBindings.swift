import QCCore

/// Candidates for the audit rule (`audit/sample.lua`): bulk work over every box stays
/// native, the rule decides how to mix and word them.
enum AuditBindings {
    static var all: [Binding] {
        [
            Binding(name: "qc.edge_candidates", signature: "qc.edge_candidates{limit=60} -> {crowded, smallest, median_boxes}",
                    doc: """
                    Images worth a look in a visual audit, best first, at most `limit` of each:
                    `crowded` = `{image, boxes}` (most boxes first), `smallest` = `{image, box,
                    side}` (the image's smallest non-degenerate box, `side` = sqrt(box area /
                    image area), smallest first; images of unknown size are left out).
                    `median_boxes` is the median box count of images with boxes.
                    """, make: { ctx in { args in
                        LabelCheckBindings.options(args, "qc.edge_candidates", ["limit"]).map { o in
                            let data = ctx.data
                            let found = EdgeCaseCandidates.find(data.dataset, limit: max(0, Int(o["limit"] ?? 60)))
                            let crowded: [LuaValue] = found.crowded.map {
                                .record([("image", .integer($0.image + 1)), ("boxes", .integer($0.boxes))])
                            }
                            let smallest: [LuaValue] = found.smallest.map { s in
                                let image = data.dataset.images[s.image]
                                return .record([("image", .integer(s.image + 1)),
                                                ("box", AnalysisBindings.boxValue(data, data.dataset.boxes[s.box], image)),
                                                ("side", .num(s.side))])
                            }
                            return [.record([("crowded", .list(crowded)), ("smallest", .list(smallest)),
                                             ("median_boxes", .integer(found.medianBoxes))])]
                        }
                    } }),
        ]
    }
}
