import QCCore

/// What the fix policy (`fix/policy.lua`) reads. Available only while `qcpass fix` runs
/// the policy; in a check they raise an error naming the policy file's role.
enum FixBindings {
    static var all: [Binding] {
        [
            Binding(name: "qc.fix.findings", signature: "qc.fix.findings() -> {finding…}",
                    doc: """
                    The findings the fix works from (this run's, or `--from findings.json`): `{id, check,
                    kind, image, split, ref, box, related, suggestion, score, message, width, height}`;
                    `width`/`height` are the image's size when known.
                    """, make: { ctx in { _ in
                        inputs(ctx, "qc.fix.findings").map { inputs in
                            [.list(inputs.findings.map { findingValue($0, ctx.data) })]
                        }
                    } }),
            Binding(name: "qc.fix.duplicate_clusters", signature: "qc.fix.duplicate_clusters{kinds={\"exact_duplicate\"}} -> {{keep, drop={{image, finding, kind}}}}",
                    doc: """
                    Clusters of copies from the `drop_image` findings of the given kinds, each with the
                    copy to keep and the ones to drop. The kept copy is the finding's `keep` unless that
                    copy lies outside the split holding most of its group: then a copy that sits with its
                    group stays, so dropping the others leaves no group in two splits.
                    """, make: { ctx in { args in
                        inputs(ctx, "qc.fix.duplicate_clusters").flatMap { inputs in
                            QCBindings.table(args, 0, "qc.fix.duplicate_clusters", optional: true).map { t in
                                var kinds: Set<String> = ["exact_duplicate"]
                                if case .table(let list)? = t?["kinds"] { kinds = Set(list.array.compactMap(\.asString)) }
                                return [.list(DuplicateClusters.build(inputs.findings, kinds: kinds, data: ctx.data).map { c in
                                    .record([("keep", .str(c.keep)), ("drop", .list(c.drop.map { d in
                                        .record([("image", .str(d.image)), ("finding", .str(d.finding)), ("kind", .str(d.kind))])
                                    }))])
                                })]
                            }
                        }
                    } }),
            Binding(name: "qc.fix.audit", signature: "qc.fix.audit() -> {{image, box_ref, class, note, place}}",
                    doc: """
                    The reviewer's box-level corrections from `--audit SHEET`: rows with a `box_ref` and a
                    `corrected_class`; `place` is the sheet row (`audit.csv:14`). Empty without `--audit`.
                    """, make: { ctx in { _ in
                        inputs(ctx, "qc.fix.audit").map { inputs in
                            let rows = (inputs.audit?.rows ?? []).filter { !$0.boxRef.isEmpty && !$0.correctedClass.isEmpty }
                            return [.list(rows.map { r in
                                .record([("image", .str(r.image)), ("box_ref", .str(r.boxRef)), ("class", .str(r.correctedClass)),
                                         ("note", .str(r.note)), ("place", .str("\(inputs.auditName):\(r.line)"))])
                            })]
                        }
                    } }),
            Binding(name: "qc.fix.remap", signature: "qc.fix.remap() -> {A = \"B\", …} | nil",
                    doc: "The class remap given with `--remap A=B,…` (names as given), or nil.",
                    make: { ctx in { _ in
                        inputs(ctx, "qc.fix.remap").map { inputs in
                            guard let remap = inputs.remap else { return [.nil] }
                            return [.record(remap.map { ($0.from, LuaValue.str($0.to)) })]
                        }
                    } }),
        ]
    }

    static func inputs(_ ctx: RuleContext, _ fn: String) -> Result<FixInputs, NativeError> {
        guard let inputs = ctx.fixInputs else {
            return .failure(NativeError(message: "\(fn): only the fix policy (fix/policy.lua, run by qcpass fix) can read this"))
        }
        return .success(inputs)
    }

    static func findingValue(_ f: Finding, _ data: RunData) -> LuaValue {
        var fields: [(String, LuaValue)] = [("id", .str(f.id)), ("check", .str(f.check)), ("kind", .str(f.kind)),
                                            ("message", .str(f.message))]
        if let image = f.image {
            fields.append(("image", .str(image)))
            if let i = data.imageIndexByPath[image] {
                let record = data.dataset.images[i]
                if record.width > 0 && record.height > 0 {
                    fields.append(("width", .integer(Int(record.width))))
                    fields.append(("height", .integer(Int(record.height))))
                }
            }
        }
        if let s = f.split { fields.append(("split", .str(s))) }
        if let r = f.ref { fields.append(("ref", .str(r))) }
        if let b = f.box {
            var box: [(String, LuaValue)] = [("class", .str(b.className)), ("class_id", .integer(b.classId)),
                                             ("xyxy", .xyxy(b.xyxy[0], b.xyxy[1], b.xyxy[2], b.xyxy[3]))]
            if let r = b.ref { box.append(("ref", .str(r))) }
            fields.append(("box", .record(box)))
        }
        fields.append(("related", .list(f.related.map { .str($0) })))
        if let s = f.suggestion { fields.append(("suggestion", ReportRenderer.luaValue(s))) }
        if let s = f.score { fields.append(("score", .num(s))) }
        return .record(fields)
    }
}

/// Duplicate clusters rebuilt from findings (which name each dropped copy and the copy to
/// keep), with a keeper that does not leave its group's split.
enum DuplicateClusters {
    struct Cluster { var keep: String; var drop: [(image: String, finding: String, kind: String)] }

    static func build(_ findings: [Finding], kinds: Set<String>, data: RunData) -> [Cluster] {
        var members: [String: [(image: String, finding: String, kind: String)]] = [:]
        var order: [String] = []
        var clusterOf: [String: String] = [:]
        for f in findings where kinds.contains(f.kind) {
            guard let image = f.image, case .string(let keep)? = f.suggestion?["keep"], image != keep,
                  case .string("drop_image")? = f.suggestion?["action"] else { continue }
            // A copy already in a cluster (two kinds naming it) joins that cluster once.
            let root = clusterOf[keep] ?? keep
            if members[root] == nil { order.append(root) }
            if clusterOf[image] != nil || members[root, default: []].contains(where: { $0.image == image }) { continue }
            clusterOf[image] = root
            clusterOf[keep] = root
            members[root, default: []].append((image, f.id, f.kind))
        }
        let grouping = data.memo("fix.grouping") { ImageGrouping.build(dataset: data.dataset, keys: data.groupKeys) }
        func sitsWithGroup(_ path: String) -> Bool {
            guard let i = data.imageIndexByPath[path] else { return false }
            let g = Int(grouping.groupOfImage[i])
            guard g >= 0, let majority = grouping.groups[g].majoritySplit else { return true }
            return majority == Int(data.dataset.images[i].split)
        }
        return order.compactMap { keep -> Cluster? in
            guard let drops = members[keep], !drops.isEmpty else { return nil }
            if sitsWithGroup(keep) { return Cluster(keep: keep, drop: drops) }
            guard let better = drops.map(\.image).sorted().first(where: sitsWithGroup) else { return Cluster(keep: keep, drop: drops) }
            let via = drops.first { $0.image == better }!
            return Cluster(keep: better, drop: drops.filter { $0.image != better } + [(keep, via.finding, via.kind)])
        }
    }
}
