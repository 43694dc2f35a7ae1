/// Location and spread statistics for outlier rules (count_outlier, geometry_outlier,
/// loose/tight box ratios) and for the per-class size tables.
///
/// **NaN is ignored everywhere**: it is dropped before computing, exactly like numpy's
/// `nanmedian`/`nanpercentile`/`nanmean`/`nanstd`. That lets callers feed raw per-box
/// values (an aspect ratio of a zero-height box is NaN) without filtering. ±infinity is
/// kept and ordered like numpy orders it. When nothing is left (empty input or all NaN)
/// every scalar result is NaN and `Summary.count` is 0.
///
/// Everything uses selection (quickselect, expected O(n)) on one copy of the input
/// instead of sorting: on ~10⁶ box sizes a full sort costs 3–4× more.
public enum RobustStats {
    /// 1/Φ⁻¹(3/4): makes the MAD a consistent estimator of σ for normal data (scipy's `scale="normal"`).
    public static let madNormalScale = 1.482602218505602

    public static func median(_ values: [Double]) -> Double {
        var a = withoutNaN(values)
        return a.withUnsafeMutableBufferPointer { medianInPlace($0) }
    }

    /// Median absolute deviation from the median. `scaled` multiplies by
    /// `madNormalScale` so it estimates the standard deviation of normal data.
    public static func mad(_ values: [Double], scaled: Bool = true) -> Double {
        var a = withoutNaN(values)
        return a.withUnsafeMutableBufferPointer { buf in
            let raw = madInPlace(buf, median: medianInPlace(buf))
            return scaled ? raw * madNormalScale : raw
        }
    }

    /// The `p`-th percentile, p in [0, 100] (clamped), with numpy's default "linear"
    /// interpolation: position p/100·(n−1) between the two nearest order statistics.
    public static func percentile(_ values: [Double], _ p: Double) -> Double {
        percentiles(values, [p])[0]
    }

    /// Several percentiles from one copy; same interpolation as `percentile`.
    public static func percentiles(_ values: [Double], _ ps: [Double]) -> [Double] {
        var a = withoutNaN(values)
        return a.withUnsafeMutableBufferPointer { percentilesInPlace($0, ps) }
    }

    /// Percentile of an already sorted, NaN-free array (no copy).
    public static func percentileOfSorted(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty, !p.isNaN else { return .nan }
        let pos = Swift.min(100, Swift.max(0, p)) / 100 * Double(sorted.count - 1)
        let lo = Int(pos.rounded(.down))
        guard lo + 1 < sorted.count, pos > Double(lo) else { return sorted[lo] }
        return lerp(sorted[lo], sorted[lo + 1], pos - Double(lo))
    }

    public static func mean(_ values: [Double]) -> Double {
        var sum = 0.0, n = 0
        for v in values where !v.isNaN { sum += v; n += 1 }
        return n > 0 ? sum / Double(n) : .nan
    }

    /// Standard deviation with `ddof` delta degrees of freedom: 0 = population (numpy's
    /// default), 1 = sample. NaN when fewer than ddof+1 values remain.
    public static func stddev(_ values: [Double], ddof: Int = 0) -> Double {
        // Two passes: the one-pass formula loses everything to cancellation on pixel
        // sizes with a large mean and a small spread.
        let m = mean(values)
        guard !m.isNaN else { return .nan }
        var ss = 0.0, n = 0
        for v in values where !v.isNaN { let d = v - m; ss += d * d; n += 1 }
        guard n - ddof > 0 else { return .nan }
        return (ss / Double(n - ddof)).squareRoot()
    }

    /// Robust z-scores (x − median) / (1.4826·MAD), one per input, NaN where the input
    /// is NaN. When more than half the values are equal the MAD is 0; then the mean
    /// absolute deviation ×1.2533 (also σ-consistent for normal data) is used instead,
    /// as in Iglewicz & Hoaglin's modified z-score. If that is 0 too, every value equals
    /// the median and all scores are 0.
    public static func robustZScores(_ values: [Double]) -> [Double] {
        var a = withoutNaN(values)
        let (med, scale) = a.withUnsafeMutableBufferPointer { buf -> (Double, Double) in
            guard buf.count > 0 else { return (.nan, .nan) }
            let med = medianInPlace(buf)
            let mad = madInPlace(buf, median: med)
            return (med, robustScale(buf, mad: mad))
        }
        return values.map { v in
            if v.isNaN || med.isNaN { return .nan }
            let d = v - med
            if scale > 0 { return d / scale }
            return d == 0 ? 0 : (d > 0 ? .infinity : -.infinity)
        }
    }

    /// The robust z-score of one value given precomputed `median` and raw `mad`
    /// (for rules that score many values against one reference distribution).
    /// MAD 0 gives ±infinity for values off the median and 0 on it.
    public static func robustZ(_ x: Double, median: Double, mad: Double) -> Double {
        let d = x - median
        let scale = mad * madNormalScale
        if scale > 0 { return d / scale }
        if d.isNaN { return .nan }
        return d == 0 ? 0 : (d > 0 ? .infinity : -.infinity)
    }

    /// Everything a table row needs, from one copy and one sort.
    public struct Summary: Sendable, Equatable {
        /// Values counted (NaN excluded).
        public var count: Int
        public var mean: Double
        /// Population standard deviation (ddof 0).
        public var stddev: Double
        public var min: Double
        public var p5: Double
        public var p25: Double
        public var median: Double
        public var p75: Double
        public var p95: Double
        public var max: Double
        /// Scaled MAD (σ-consistent).
        public var mad: Double

        public static let empty = Summary(count: 0, mean: .nan, stddev: .nan, min: .nan, p5: .nan, p25: .nan,
                                          median: .nan, p75: .nan, p95: .nan, max: .nan, mad: .nan)

        public init(count: Int, mean: Double, stddev: Double, min: Double, p5: Double, p25: Double,
                    median: Double, p75: Double, p95: Double, max: Double, mad: Double) {
            self.count = count; self.mean = mean; self.stddev = stddev; self.min = min
            self.p5 = p5; self.p25 = p25; self.median = median; self.p75 = p75; self.p95 = p95
            self.max = max; self.mad = mad
        }

        /// Equality treating NaN == NaN, so empty summaries compare equal in tests and diffs.
        public static func == (a: Summary, b: Summary) -> Bool {
            func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }
            return a.count == b.count && same(a.mean, b.mean) && same(a.stddev, b.stddev)
                && same(a.min, b.min) && same(a.p5, b.p5) && same(a.p25, b.p25)
                && same(a.median, b.median) && same(a.p75, b.p75) && same(a.p95, b.p95)
                && same(a.max, b.max) && same(a.mad, b.mad)
        }
    }

    public static func summary(_ values: [Double]) -> Summary {
        var a = withoutNaN(values)
        return summarize(&a)
    }

    /// Summary of NaN-free values the caller no longer needs in order (permuted in place,
    /// saving a copy of large per-class arrays).
    static func summarize(_ a: inout [Double]) -> Summary {
        a.withUnsafeMutableBufferPointer { buf in
            let n = buf.count
            guard n > 0 else { return .empty }
            var sum = 0.0, lo = buf[0], hi = buf[0]
            for v in buf { sum += v; lo = Swift.min(lo, v); hi = Swift.max(hi, v) }
            let mean = sum / Double(n)
            var ss = 0.0
            for v in buf { let d = v - mean; ss += d * d }
            let q = percentilesInPlace(buf, [5, 25, 50, 75, 95])
            let mad = madInPlace(buf, median: q[2]) * madNormalScale
            return Summary(count: n, mean: mean, stddev: (ss / Double(n)).squareRoot(), min: lo,
                           p5: q[0], p25: q[1], median: q[2], p75: q[3], p95: q[4], max: hi, mad: mad)
        }
    }

    // MARK: - Internals

    /// Copy without NaN (the one allocation every statistic needs anyway).
    static func withoutNaN(_ values: [Double]) -> [Double] {
        var out = [Double]()
        out.reserveCapacity(values.count)
        for v in values where !v.isNaN { out.append(v) }
        return out
    }

    /// numpy's `_lerp`: exact at both ends and monotone in t.
    @inline(__always)
    static func lerp(_ a: Double, _ b: Double, _ t: Double) -> Double {
        let d = b - a
        return t >= 0.5 ? b - d * (1 - t) : a + d * t
    }

    /// Median of a NaN-free buffer, permuting it. NaN when empty.
    static func medianInPlace(_ buf: UnsafeMutableBufferPointer<Double>) -> Double {
        let n = buf.count
        guard n > 0 else { return .nan }
        let k = n / 2
        select(buf, k)
        let upper = buf[k]
        guard n % 2 == 0 else { return upper }
        var lower = buf[0]
        for i in 1..<k where buf[i] > lower { lower = buf[i] }
        return lower + (upper - lower) / 2
    }

    /// Raw MAD; overwrites the buffer with absolute deviations.
    static func madInPlace(_ buf: UnsafeMutableBufferPointer<Double>, median: Double) -> Double {
        guard buf.count > 0 else { return .nan }
        for i in 0..<buf.count { buf[i] = Swift.abs(buf[i] - median) }
        return medianInPlace(buf)
    }

    /// σ-estimate for robust z: scaled MAD, or scaled mean absolute deviation when the
    /// MAD is 0. `buf` holds absolute deviations (after `madInPlace`).
    static func robustScale(_ buf: UnsafeMutableBufferPointer<Double>, mad: Double) -> Double {
        if mad > 0 { return mad * madNormalScale }
        var sum = 0.0
        for v in buf { sum += v }
        let meanAD = sum / Double(buf.count)
        return meanAD > 0 ? meanAD * 1.2533141373155001 : 0
    }

    /// Percentiles of a NaN-free buffer, permuting it: selects just the order statistics
    /// the interpolation needs. NaN for an empty buffer or a NaN `p`.
    static func percentilesInPlace(_ buf: UnsafeMutableBufferPointer<Double>, _ ps: [Double]) -> [Double] {
        let n = buf.count
        guard n > 0 else { return ps.map { _ in .nan } }
        func position(_ p: Double) -> Double { Swift.min(100, Swift.max(0, p)) / 100 * Double(n - 1) }
        var ranks: [Int] = []
        for p in ps where !p.isNaN {
            let pos = position(p)
            let r = Int(pos.rounded(.down))
            ranks.append(r)
            if pos > Double(r) && r + 1 < n { ranks.append(r + 1) }
        }
        ranks.sort()
        // Many ranks of a large buffer (calibration asks for 101 percentiles of ~10⁶
        // confidences): two counting passes beat a hundred quickselect partitions.
        let bucketed = n >= 1 << 16 && ranks.count > 8 ? orderStatisticsByBuckets(buf, ranks) : nil
        if bucketed == nil { selectRanks(buf, ranks[...], lo: 0, hi: n - 1) }
        func value(_ r: Int) -> Double { bucketed?[r] ?? buf[r] }
        return ps.map { p in
            guard !p.isNaN else { return .nan }
            let pos = position(p)
            let r = Int(pos.rounded(.down))
            guard pos > Double(r), r + 1 < n else { return value(r) }
            return lerp(value(r), value(r + 1), pos - Double(r))
        }
    }

    /// The order statistics at `ranks` (ascending) without moving `buf`: count values into
    /// equal-width buckets between min and max (a monotone map, so bucket order is value
    /// order), then sort only the buckets that hold a wanted rank. Nil when the range is
    /// not finite (±infinity), for the caller's quickselect.
    static func orderStatisticsByBuckets(_ buf: UnsafeMutableBufferPointer<Double>, _ ranks: [Int]) -> [Int: Double]? {
        var lo = buf[0], hi = buf[0]
        for v in buf { lo = Swift.min(lo, v); hi = Swift.max(hi, v) }
        guard lo.isFinite, hi.isFinite else { return nil }
        if lo == hi { return Dictionary(ranks.map { ($0, lo) }, uniquingKeysWith: { a, _ in a }) }
        let bucketCount = Swift.min(1 << 16, buf.count / 8)
        let scale = Double(bucketCount) / (hi - lo)
        guard scale.isFinite, scale > 0 else { return nil }
        @inline(__always) func bucket(_ v: Double) -> Int {
            Swift.min(bucketCount - 1, Int((v - lo) * scale))
        }
        var counts = [Int](repeating: 0, count: bucketCount)
        for v in buf { counts[bucket(v)] += 1 }
        // For each wanted rank, its bucket and its position inside the bucket.
        var wanted: [(rank: Int, bucket: Int, offset: Int)] = []
        var slotOfBucket = [Int32](repeating: -1, count: bucketCount)
        var slots = 0
        var b = 0, before = 0
        for r in ranks {
            while before + counts[b] <= r { before += counts[b]; b += 1 }
            wanted.append((r, b, r - before))
            if slotOfBucket[b] < 0 { slotOfBucket[b] = Int32(slots); slots += 1 }
        }
        var members = [[Double]](repeating: [], count: slots)
        for v in buf {
            let s = slotOfBucket[bucket(v)]
            if s >= 0 { members[Int(s)].append(v) }
        }
        for s in members.indices { members[s].sort() }
        var out: [Int: Double] = [:]
        for w in wanted { out[w.rank] = members[Int(slotOfBucket[w.bucket])][w.offset] }
        return out
    }

    /// Places every order statistic in `ranks` (ascending, duplicates allowed) at its index:
    /// select the middle rank, then recurse into the two sides with the ranks that fall there.
    static func selectRanks(_ buf: UnsafeMutableBufferPointer<Double>, _ ranks: ArraySlice<Int>, lo: Int, hi: Int) {
        guard !ranks.isEmpty, lo < hi else { return }
        let m = ranks.startIndex + ranks.count / 2
        let k = ranks[m]
        select(UnsafeMutableBufferPointer(rebasing: buf[lo...hi]), k - lo)
        var left = m, right = m + 1
        while left > ranks.startIndex && ranks[left - 1] == k { left -= 1 }
        while right < ranks.endIndex && ranks[right] == k { right += 1 }
        selectRanks(buf, ranks[ranks.startIndex..<left], lo: lo, hi: k - 1)
        selectRanks(buf, ranks[right..<ranks.endIndex], lo: k + 1, hi: hi)
    }

    /// Rearranges `buf` so `buf[k]` holds the k-th smallest value, smaller-or-equal values
    /// before it and greater-or-equal after (quickselect, median-of-three pivot, falling
    /// back to a sort when partitions keep coming out lopsided).
    static func select(_ buf: UnsafeMutableBufferPointer<Double>, _ k: Int) {
        var lo = 0, hi = buf.count - 1
        guard k >= 0, k <= hi else { return }
        var budget = 2 * (Int.bitWidth - buf.count.leadingZeroBitCount) + 4
        while hi > lo {
            if hi - lo < 16 || budget == 0 {
                var part = UnsafeMutableBufferPointer(rebasing: buf[lo...hi])
                part.sort()
                return
            }
            budget -= 1
            let mid = lo + (hi - lo) / 2
            if buf[mid] < buf[lo] { buf.swapAt(mid, lo) }
            if buf[hi] < buf[lo] { buf.swapAt(hi, lo) }
            if buf[hi] < buf[mid] { buf.swapAt(hi, mid) }
            let pivot = buf[mid]
            var i = lo, j = hi
            while i <= j {
                while buf[i] < pivot { i += 1 }
                while buf[j] > pivot { j -= 1 }
                if i <= j {
                    buf.swapAt(i, j)
                    i += 1; j -= 1
                }
            }
            // [lo, j] ≤ pivot, (j, i) == pivot, [i, hi] ≥ pivot.
            if k <= j { hi = j } else if k >= i { lo = i } else { return }
        }
    }
}
