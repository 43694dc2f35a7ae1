import QCCore

/// `qc.split.grouped`: the grouped, class-stratified split `qcpass split` makes, for a
/// project that wants to express its own split policy (or check one) in a rule.
enum SplitBindings {
    static var all: [Binding] {
        [
            Binding(name: "qc.split.grouped",
                    signature: "qc.split.grouped{ratios={0.8,0.1,0.1}, names={\"train\",\"val\",\"test\"}, seed=1, by={\"scene\"}, near_radius=10, min_groups=20} -> {split, groups, images, classes, max_deviation_pp}",
                    doc: """
                    A grouped split of the whole dataset: images sharing a group key (the run's, or
                    the metadata columns `by`) and duplicate copies (when the rule `needs` image
                    hashes; exact, and near within `near_radius`, -1 for exact only) stay in one
                    split; each split gets close to its ratio of every class's instances. Returns
                    `split[i]` = the split name of image i, `groups`/`images` per split name,
                    `classes[name][split]` = the share of the class's instances, and the largest
                    deviation in percentage points over classes in ≥ `min_groups` groups.
                    Deterministic for a seed.
                    """, make: { ctx in { args in
                        QCBindings.table(args, 0, "qc.split.grouped", optional: true).flatMap { t in
                            grouped(t, ctx.data)
                        }
                    } }),
        ]
    }

    static func grouped(_ t: LuaTable?, _ data: RunData) -> Result<[LuaValue], NativeError> {
        let known: Set<String> = ["ratios", "names", "seed", "by", "near_radius", "min_groups"]
        var request = SplitPlanner.Request()
        var radius = 10
        if let t {
            for (k, _) in t.fields {
                guard case .string(let name) = k, known.contains(name) else {
                    return .failure(NativeError(message: "qc.split.grouped: unknown option '\(k)' (known: \(known.sorted().joined(separator: ", ")))"))
                }
            }
            if case .table(let r)? = t["ratios"] { request.ratios = r.array.compactMap(\.asDouble) }
            if case .table(let n)? = t["names"] { request.names = n.array.compactMap(\.asString) }
            else if request.ratios.count != 3 { request.names = defaultNames(request.ratios.count) }
            if let s = t["seed"]?.asInt { request.seed = UInt64(bitPattern: s) }
            if case .table(let b)? = t["by"] { request.by = b.array.compactMap(\.asString) }
            if let r = t["near_radius"]?.asInt { radius = Int(r) }
            if let m = t["min_groups"]?.asInt { request.minGroups = Int(m) }
        }
        let ds = data.dataset
        let clusters = data.hashes.map { SplitPlanner.duplicateClusters(ds, hashes: $0, nearRadius: radius, jobs: 1) } ?? []
        let plan: SplitPlanner.Plan
        do { plan = try SplitPlanner.plan(ds, groupKeys: data.groupKeys, clusters: clusters, request: request) }
        catch { return .failure(NativeError(message: "qc.split.grouped: \(error)")) }
        let table = plan.table
        let classes: [(String, LuaValue)] = table.rows.map { row in
            (row.className, .record(zip(plan.names, row.shares).map { ($0, LuaValue.num($1)) }))
        }
        return .success([.record([
            ("split", .list(plan.splitOfImage.map { .str(plan.names[$0]) })),
            ("groups", .record(zip(plan.names, table.groupsPerSplit).map { ($0, LuaValue.integer($1)) })),
            ("images", .record(zip(plan.names, table.imagesPerSplit).map { ($0, LuaValue.integer($1)) })),
            ("classes", .record(classes)),
            ("max_deviation_pp", .num(table.maxDeviationPP(minGroups: request.minGroups))),
        ])])
    }

    static func defaultNames(_ n: Int) -> [String] {
        n == 2 ? ["train", "val"] : (0..<n).map { $0 == 0 ? "train" : $0 == 1 ? "val" : $0 == 2 ? "test" : "split\($0 + 1)" }
    }
}
