import QCCore

/// Image hashes and the duplicate passes (`qc.hash.*`, `qc.dupes.*`). They read the run's
/// hashes, which exist only when a running rule declares `needs = { "image_hashes" }`;
/// otherwise they fail with a message saying so.
enum HashBindings {
    static var all: [Binding] {
        [
            Binding(name: "qc.hash.image", signature: "qc.hash.image(i) -> {content, phash, size, decode_width, decode_height, warning} | nil, error",
                    doc: """
                    Image `i`'s hashes: `content` (xxh3-128 of the bytes, 32 hex digits), `phash`
                    (64-bit DCT perceptual hash, 16 hex digits), `size` in bytes, the size it was
                    decoded at, and a decoder warning if any. When the image could not be read or
                    decoded: nil and the reason (`content` is still known for undecodable bytes).
                    """, make: { ctx in { args in
                        hashes(ctx, "qc.hash.image").flatMap { h in
                            QCBindings.integer(args, 0, "qc.hash.image").flatMap { i in
                                guard i >= 1, i <= h.outcomes.count else {
                                    return .failure(NativeError(message: "bad argument #1 to 'qc.hash.image' (image index \(i) out of range)"))
                                }
                                switch h.outcomes[i - 1] {
                                case .success(let x):
                                    var f: [(String, LuaValue)] = [("content", .str(x.content.hex)), ("phash", .str(hex64(x.phash))),
                                                                   ("size", .integer(Int(x.fileSize))), ("decode_width", .integer(Int(x.decodeWidth))),
                                                                   ("decode_height", .integer(Int(x.decodeHeight)))]
                                    if let w = x.warning { f.append(("warning", .str(w))) }
                                    return .success([.record(f)])
                                case .failure(let e):
                                    return .success([.nil, .str("\(e.kind.rawValue): \(e.message)")])
                                }
                            }
                        }
                    } }),
            Binding(name: "qc.hash.distance", signature: "qc.hash.distance(a, b) -> bits",
                    doc: "Hamming distance between two pHashes given as 16 hex digits (as `qc.hash.image` returns them).",
                    make: { _ in { args in
                        guard args.count >= 2, let a = args[0].asString.flatMap({ UInt64($0, radix: 16) }),
                              let b = args[1].asString.flatMap({ UInt64($0, radix: 16) }) else {
                            return .failure(NativeError(message: "qc.hash.distance: expected two pHashes as hex strings"))
                        }
                        return .success([.integer(PerceptualHash.distance(a, b))])
                    } }),
            Binding(name: "qc.hash.stats", signature: "qc.hash.stats() -> {images, decoded, from_cache, from_cache_content, failed}",
                    doc: """
                    How this run obtained its hashes: `from_cache` unchanged files taken from the
                    cache without opening them, `from_cache_content` files re-read (their mtime
                    changed) whose bytes the cache knew, `decoded` the rest; `failed` images that
                    could not be read or decoded.
                    """, make: { ctx in { _ in
                        hashes(ctx, "qc.hash.stats").map { h in
                            [.record([("images", .integer(h.outcomes.count)), ("decoded", .integer(h.decoded)),
                                      ("from_cache", .integer(h.fromPath)), ("from_cache_content", .integer(h.fromContent)),
                                      ("failed", .integer(h.failed))])]
                        }
                    } }),
            Binding(name: "qc.dupes.exact", signature: "qc.dupes.exact() -> {{images, keep, distances, member_splits, splits}…}",
                    doc: """
                    Groups of images with identical bytes. `images` are indexes (ascending), `keep`
                    the copy to keep — the one in the split holding most of the group, then the
                    most pixels, the largest file, the first path —, `distances[k]` the pHash
                    distance of `images[k]` to `keep` (0 here), `member_splits[k]` its split, and
                    `splits` the group's split names.
                    """, make: { ctx in { _ in
                        hashes(ctx, "qc.dupes.exact").map { h in
                            let data = ctx.data
                            let groups = data.memo("dupes.exact") { DuplicateFinder.exact(data.dataset, h) }
                            return [.list(groups.map { groupValue(data, $0) })]
                        }
                    } }),
            Binding(name: "qc.dupes.near", signature: "qc.dupes.near{radius=10} -> {{images, keep, distances, member_splits, splits}…}",
                    doc: """
                    Groups of visually near-identical images: pHashes within `radius` bits, linked
                    in chains; exact copies count once (the group lists their first copy). Frames of
                    one sequence are not paired with each other (see `qc.dupes.static_runs`). Fields
                    as `qc.dupes.exact`.
                    """, make: { ctx in { args in
                        hashes(ctx, "qc.dupes.near").flatMap { h in
                            LabelCheckBindings.options(args, "qc.dupes.near", ["radius"]).map { o in
                                let data = ctx.data
                                let radius = Int(o["radius"] ?? 10)
                                let groups = data.memo("dupes.near|\(radius)") {
                                    DuplicateFinder.near(data.dataset, h, radius: radius, jobs: 2)
                                }
                                return [.list(groups.map { groupValue(data, $0) })]
                            }
                        }
                    } }),
            Binding(name: "qc.dupes.same_labels", signature: "qc.dupes.same_labels{iou=0.9, min_boxes=2, visual_radius=10} -> {{images, keep, distances, member_splits, splits}…}",
                    doc: """
                    Groups of images with ≥ `min_boxes` labels whose label sets match — same
                    classes, every box paired one-to-one at IoU ≥ `iou` in 0–1 coordinates — while
                    their pixels differ (pHash distance > `visual_radius`). Frames of one sequence
                    are left to `qc.dupes.static_runs`. Fields as `qc.dupes.exact`.
                    """, make: { ctx in { args in
                        hashes(ctx, "qc.dupes.same_labels").flatMap { h in
                            LabelCheckBindings.options(args, "qc.dupes.same_labels", ["iou", "min_boxes", "visual_radius"]).map { o in
                                let data = ctx.data
                                let iou = o["iou"] ?? 0.9, minBoxes = Int(o["min_boxes"] ?? 2), visual = Int(o["visual_radius"] ?? 10)
                                let groups = data.memo("dupes.same_labels|\(iou)|\(minBoxes)|\(visual)") {
                                    DuplicateFinder.sameLabels(data.dataset, h, iou: iou, minBoxes: minBoxes, visualRadius: visual)
                                }
                                return [.list(groups.map { groupValue(data, $0) })]
                            }
                        }
                    } }),
            Binding(name: "qc.dupes.static_runs", signature: "qc.dupes.static_runs{radius=4, shift=0.01, min_run=4} -> {{images, keep, distances, member_splits, splits}…}",
                    doc: """
                    Runs of ≥ `min_run` consecutive frames of one sequence (names ending in a frame
                    number) where each frame's pHash is within `radius` bits of the previous one and
                    no box moved more than `shift` of the image side (same classes, paired one to
                    one). `images` in frame order, `keep` the first frame,
                    `distances[k]` to the previous frame.
                    """, make: { ctx in { args in
                        hashes(ctx, "qc.dupes.static_runs").flatMap { h in
                            LabelCheckBindings.options(args, "qc.dupes.static_runs", ["radius", "shift", "min_run"]).map { o in
                                let data = ctx.data
                                let radius = Int(o["radius"] ?? 4), shift = o["shift"] ?? 0.01, minRun = Int(o["min_run"] ?? 4)
                                let groups = data.memo("dupes.static|\(radius)|\(shift)|\(minRun)") {
                                    DuplicateFinder.staticRuns(data.dataset, h, radius: radius, shift: shift, minRun: minRun)
                                }
                                return [.list(groups.map { groupValue(data, $0) })]
                            }
                        }
                    } }),
        ]
    }

    static func hashes(_ ctx: RuleContext, _ fn: String) -> Result<DatasetHashes, NativeError> {
        guard let h = ctx.data.hashes else {
            return .failure(NativeError(message: "\(fn): image hashes were not computed; the rule must declare needs = { \"image_hashes\" }"))
        }
        return .success(h)
    }

    static func groupValue(_ data: RunData, _ g: DuplicateFinder.Group) -> LuaValue {
        var splits: [String] = []
        for i in g.images {
            let name = data.splitName(data.dataset.images[i].split)
            if !splits.contains(name) { splits.append(name) }
        }
        let memberSplits = g.images.map { LuaValue.str(data.splitName(data.dataset.images[$0].split)) }
        return .record([("images", .list(g.images.map { .integer($0 + 1) })), ("keep", .integer(g.keep + 1)),
                        ("distances", .list(g.distances.map { .integer($0) })), ("splits", .list(splits.map { .str($0) })),
                        ("member_splits", .list(memberSplits))])
    }

    static func hex64(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
