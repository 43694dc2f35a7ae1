import QCCore

/// The grouped split of one dataset: units from group keys (or `--by` columns) joined
/// with duplicate clusters, placed by `GroupedSplit`, with the table to print. Shared by
/// `qcpass split` and `qc.split.grouped`.
public enum SplitPlanner {
    public struct Request {
        public var names: [String] = ["train", "val", "test"]
        public var ratios: [Double] = [0.8, 0.1, 0.1]
        public var seed: UInt64 = 1
        /// Metadata columns whose values make the group key (nil: the run's group keys).
        public var by: [String]?
        public var minGroups = 20
        public init() {}
    }

    public struct Plan {
        public var names: [String]
        public var ratios: [Double]
        public var units: SplitUnits
        public var unitSplit: [Int]
        /// Per image, index into `names`.
        public var splitOfImage: [Int]
        public var table: SplitTable
        public var seconds: Double
    }

    public static func validate(_ r: Request) throws(EngineError) {
        guard r.names.count == r.ratios.count, !r.names.isEmpty else {
            throw EngineError.config(place: "--ratios", message: "\(r.ratios.count) ratios for \(r.names.count) splits (\(r.names.joined(separator: ", ")))")
        }
        guard r.ratios.allSatisfy({ $0 >= 0 && $0.isFinite }), r.ratios.reduce(0, +) > 0 else {
            throw EngineError.config(place: "--ratios", message: "ratios must be ≥ 0 with a positive sum")
        }
        guard Set(r.names).count == r.names.count else {
            throw EngineError.config(place: "--names", message: "split names must differ")
        }
    }

    public static func plan(_ ds: Dataset, groupKeys: [String?], clusters: [[Int]], request r: Request) throws(EngineError) -> Plan {
        try validate(r)
        var keys = groupKeys
        if let by = r.by {
            for column in by where !ds.metadata.columns.contains(column) {
                throw EngineError.config(place: "--by", message: "no metadata column '\(column)' (metadata.csv has: \(ds.metadata.columns.joined(separator: ", ")))")
            }
            keys = ds.images.indices.map { i in
                let values = by.map { ds.metadata.value($0, image: i) ?? "" }
                return values.allSatisfy(\.isEmpty) ? nil : "by:" + values.joined(separator: "|")
            }
        }
        let started = PhaseTimer.now()
        let units = SplitUnits.build(ds, keys: keys, clusters: clusters)
        var options = GroupedSplit.Options(ratios: r.ratios)
        options.seed = r.seed
        options.minGroups = r.minGroups
        let unitSplit = GroupedSplit.assign(units.units, classCount: ds.classIds.count, options: options)
        let seconds = Double(PhaseTimer.now() - started) / 1e9
        let table = SplitTable.build(ds, units: units, assignment: unitSplit, splits: r.names, ratios: r.ratios)
        return Plan(names: r.names, ratios: r.ratios, units: units, unitSplit: unitSplit,
                    splitOfImage: units.unitOfImage.map { unitSplit[$0] }, table: table, seconds: seconds)
    }

    /// Exact and near-duplicate clusters (pHash within `nearRadius`; < 0: exact only).
    public static func duplicateClusters(_ ds: Dataset, hashes: DatasetHashes, nearRadius: Int, jobs: Int) -> [[Int]] {
        var clusters = DuplicateFinder.exact(ds, hashes).map(\.images)
        if nearRadius >= 0 { clusters += DuplicateFinder.near(ds, hashes, radius: nearRadius, jobs: jobs).map(\.images) }
        return clusters
    }
}
