/// Finding ids and the contract's order.
///
/// The id must survive re-runs, machines and qcpass versions (baselines and audit sheets
/// key on it), so it hashes only what names the problem — check, kind, image, and the box
/// ref or its coordinates rounded to 0.1 px — with FNV-1a, whose definition never changes.
public enum FindingIdentity {
    public static func id(for f: Finding) -> String {
        // FNV-1a over "check \u{1} kind \u{1} image \u{1} place", fed piece by piece (the
        // same hash as over the joined key, without building it for every finding).
        var h = fnv1a64(f.check)
        h = fnv1a64(separator, h)
        h = fnv1a64(f.kind, h)
        h = fnv1a64(separator, h)
        h = fnv1a64(f.image ?? "", h)
        h = fnv1a64(separator, h)
        if let ref = f.box?.ref ?? f.ref {
            h = fnv1a64(ref, h)
        } else if let b = f.box {
            h = fnv1a64(b.xyxy.map { String(format1: $0) }.joined(separator: ",") + "#\(b.classId)", h)
        } else {
            // Image- or dataset-level findings (rare_class, background_ratio) are told apart
            // by split and class, never by the message, whose numbers change run to run.
            h = fnv1a64("\(f.split ?? "")|\(f.className ?? "")", h)
        }
        return hex(h)
    }

    private static let separator = "\u{1}"

    public static func assign(_ findings: inout [Finding]) {
        let missing = findings.indices.filter { findings[$0].id.isEmpty }
        // Hashed on all cores (each id depends on its finding only), stored in order. Read
        // through a buffer, not a second array value: a copy would make every finding
        // shared and the id assignment below copy each one's storage.
        let ids = findings.withUnsafeBufferPointer { source in
            Parallel.map(count: missing.count, runSize: 2048) { k in id(for: source[missing[k]]) }
        }
        for (k, i) in missing.enumerated() { findings[i].id = ids[k] }
    }

    /// Check order (DESIGN.md's table, then anything else by id), then score descending
    /// (unscored last), then image, then id for a total order.
    public static func sort(_ findings: inout [Finding], checkOrder: [String]) {
        var rank: [String: Int] = [:]
        for (i, c) in checkOrder.enumerated() { rank[c] = i }
        // Sort indices over precomputed keys, then permute once: comparing and moving
        // whole Findings (a dozen reference-counted fields) cost ~10x more at 30k findings.
        let keys = findings.indices.map { i in
            SortKey(rank: rank[findings[i].check] ?? Int.max, check: findings[i].check, score: findings[i].score ?? -1,
                    image: findings[i].image ?? "", id: findings[i].id)
        }
        var order = Array(findings.indices)
        keys.withUnsafeBufferPointer { k in
            order.sort { a, b in k[a].precedes(k[b]) }
        }
        findings = order.map { findings[$0] }
    }

    private struct SortKey {
        var rank: Int
        var check: String
        var score: Double
        var image: String
        var id: String

        func precedes(_ o: SortKey) -> Bool {
            if rank != o.rank { return rank < o.rank }
            if check != o.check { return check < o.check }
            if score != o.score { return score > o.score }
            if image != o.image { return image < o.image }
            return id < o.id
        }
    }

    /// FNV-1a 64 of `s`, continuing from `h` (the offset basis to start a new hash).
    static func fnv1a64(_ s: String, _ h: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = h
        for b in s.utf8 { h ^= UInt64(b); h = h &* 0x0000_0100_0000_01b3 }
        return h
    }

    static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

extension String {
    /// One decimal, locale-free: ids must not depend on the machine's locale.
    init(format1 value: Double) {
        let scaled = (value * 10).rounded()
        guard scaled.isFinite, abs(scaled) < 1e17 else { self = "nan"; return }
        let i = Int64(scaled)
        let sign = i < 0 ? "-" : ""
        let a = i.magnitude
        self = "\(sign)\(a / 10).\(a % 10)"
    }
}
