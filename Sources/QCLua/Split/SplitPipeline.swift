import QCCore

/// `qcpass split` without the terminal: load the dataset and project config (no checks
/// run), hash the images when duplicate copies must stay together, and plan the split.
/// Loading and splitting are timed apart, since the promise is about the split.
public enum SplitPipeline {
    public enum Duplicates: String, CaseIterable, Sendable { case near, exact, none }

    public struct Result {
        public var run: CheckPipeline.Result
        public var plan: SplitPlanner.Plan
        public var clusters: Int
        public var loadSeconds: Double
    }

    public static func run(_ request: CheckPipeline.Request, split: SplitPlanner.Request,
                           duplicates: Duplicates) throws(CheckPipeline.Failure) -> Result {
        do { try SplitPlanner.validate(split) } catch { throw .engine(error) }
        let started = PhaseTimer.now()
        var checkRequest = request
        checkRequest.engine.only = []   // no checks: the dataset, config and group keys only
        let run = try CheckPipeline.run(checkRequest)
        var clusters: [[Int]] = []
        if duplicates != .none {
            var cache: HashCache?
            if let dir = request.engine.cacheDirectory {
                try CheckPipeline.checkCacheLocation(dir, datasetRoot: run.dataset.root)
                do { cache = try HashCache(directory: dir) } catch { throw .input(error.description) }
            }
            let progress = request.progress
            let hashes = PhaseTimer.measure("hashing") {
                DatasetHashes.compute(run.dataset, jobs: request.engine.jobs, cache: cache,
                                      progress: progress.map { report in { done, total in report("hashing", done, total) } })
            }
            try? cache?.flush()
            let radius = duplicates == .exact ? -1 : nearRadius(run)
            clusters = SplitPlanner.duplicateClusters(run.dataset, hashes: hashes, nearRadius: radius, jobs: request.engine.jobs)
        }
        let loadSeconds = Double(PhaseTimer.now() - started) / 1e9
        do {
            let plan = try PhaseTimer.measure("split") { () throws(EngineError) in
                try SplitPlanner.plan(run.dataset, groupKeys: run.outcome.groupKeys, clusters: clusters, request: split)
            }
            return Result(run: run, plan: plan, clusters: clusters.count, loadSeconds: loadSeconds)
        } catch { throw .engine(error) }
    }

    /// The split_leakage check's `near_radius` as this project sets it, so a re-check
    /// counts as copies exactly what the split kept together.
    static func nearRadius(_ run: CheckPipeline.Result) -> Int {
        guard let source = run.pack.rules.first(where: { $0.path.hasSuffix("/split_leakage.lua") }),
              let rule = try? LoadedRule.load(source: source, id: "split_leakage", pack: run.pack, options: CheckEngine.Options()),
              let params = try? ParamResolver.resolve(rules: [rule], config: run.config, knownIds: run.pack.configurableIds),
              let radius = params["split_leakage"]?.first(where: { $0.name == "near_radius" })?.value.asInt else { return 10 }
        return Int(radius)
    }
}
