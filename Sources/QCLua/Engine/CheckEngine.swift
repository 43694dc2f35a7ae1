import Foundation
import QCCore

/// Runs a rule pack over a loaded dataset: each rule in its own sandbox (so a rule can
/// neither see nor break another), params resolved against the project config, findings
/// collected, exceptions applied, statuses and readiness decided.
public enum CheckEngine {
    public struct Options {
        public var only: Set<String>?
        public var skip: Set<String> = []
        public var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
        public var limits = LuaSandbox.Limits(memoryBytes: 1 << 30, timeoutSeconds: 600)
        public var strict = false
        /// "YYYY-MM-DD", for exception expiry.
        public var today: String = CheckEngine.isoToday()
        public var findingCap = 50_000
        public var printSink: ((String) -> Void)?
        /// Finding ids from a previous findings.json (`--baseline`): known findings are
        /// reported but only new ones decide a check's status.
        public var baseline: Set<String> = []
        /// Where image hashes persist between runs (nil: hash without a cache). The
        /// pipeline opens it as `hashCache`, refusing a folder inside the dataset.
        public var cacheDirectory: String?
        public var hashCache: HashCache?
        /// (phase, done, total) for long phases such as hashing.
        public var progress: (@Sendable (String, Int, Int) -> Void)?
        public init() {}
    }

    public struct Outcome {
        public var checks: [CheckResult]
        public var findings: [Finding]
        public var ready: Bool
        /// A rule failed to load or run (exit code 2).
        public var hadRuleErrors: Bool
        public var groupKeys: [String?]
        /// Every image's hashes when a rule needed them (nil otherwise).
        public var hashes: DatasetHashes?
        /// The class histogram the rules read through `qc.hist` (built once per run, here
        /// so the findings document and report.html count from the same table).
        public var histogram: ClassHistogram.Report
    }

    public static func run(dataset: Dataset, pack: RulePack, config: ProjectConfig,
                           options: Options) throws(EngineError) -> Outcome {
        let histogram = RunData.startHistogram(dataset, concurrently: options.jobs > 1)
        var loaded: [LoadedRule] = []
        var loadFailures: [CheckResult] = []
        for source in pack.rules {
            let id = URL(fileURLWithPath: source.path).deletingPathExtension().lastPathComponent
            do throws(EngineError) {
                loaded.append(try LoadedRule.load(source: source, id: id, pack: pack, options: options))
            } catch {
                var r = CheckResult(id: id, title: id, status: .error, message: error.description)
                r.errorPlace = source.displayName
                r.ruleFile = source.displayName
                loadFailures.append(r)
            }
        }
        let params = try ParamResolver.resolve(rules: loaded, config: config, knownIds: pack.configurableIds)
        let minRun = params["split_leakage"]?.first { $0.name == "min_run" }?.value.asInt ?? 3
        let groupKeys = try PhaseTimer.measure("group keys") { () throws(EngineError) in try GroupKeys.compute(dataset: dataset, config: config, minRun: Int(minRun)) }
        // Decide which rules run; the others are reported as skipped with the reason.
        var results = [CheckResult?](repeating: nil, count: loaded.count)
        var toRun: [Int] = []
        for (i, rule) in loaded.enumerated() {
            let id = rule.definition.id
            if let only = options.only, !only.contains(id) {
                results[i] = skipped(rule, "not selected (--only)")
            } else if options.skip.contains(id) {
                results[i] = skipped(rule, "skipped with --skip")
            } else if config.disabled.contains(id) {
                results[i] = skipped(rule, "disabled in \(config.path ?? "the project config")")
            } else {
                toRun.append(i)
            }
        }
        // Decoding every image is the costliest input: only when a running rule reads it.
        var hashes: DatasetHashes?
        if toRun.contains(where: { loaded[$0].definition.needs.contains("image_hashes") }) {
            let progress = options.progress
            hashes = PhaseTimer.measure("hashing") {
                DatasetHashes.compute(dataset, jobs: options.jobs, cache: options.hashCache,
                                      progress: progress.map { report in { done, total in report("hashing", done, total) } })
            }
            do { try options.hashCache?.flush() } catch {
                options.printSink?("warning: image hashes were not saved: \(error)")
            }
        }
        let data = PhaseTimer.measure("run data") {
            RunData(dataset: dataset, groupKeys: groupKeys, today: options.today, hashes: hashes, histogram: histogram)
        }
        var contexts = [RuleContext?](repeating: nil, count: loaded.count)
        for (i, rule) in loaded.enumerated() {
            let id = rule.definition.id
            contexts[i] = RuleContext(data: data, checkId: id,
                                      severityOverrides: config.severity[id] ?? [:],
                                      disabledKinds: config.disabled, cap: options.findingCap)
        }
        // Loader findings belong to their check (normally `input`) whatever rule runs.
        var orphanIssues: [Finding] = []
        for issue in dataset.issues + (hashes?.issues(dataset) ?? []) {
            if let i = loaded.firstIndex(where: { $0.definition.id == issue.check }) { contexts[i]!.add(issue) }
            else { orphanIssues.append(issue) }
        }

        let lock = NSLock()
        let workers = max(1, min(options.jobs, toRun.count))
        let rules = loaded
        // Workers take the next rule when free: rule costs differ by orders of magnitude.
        // Threads of their own, so the natives rules call can still spread over the cores.
        var next = 0
        WorkerThreads.run(count: workers) { _ in
            while true {
                lock.lock()
                let k = next
                next += 1
                lock.unlock()
                guard k < toRun.count else { return }
                let i = toRun[k]
                let started = PhaseTimer.now()
                let result = rules[i].execute(context: contexts[i]!, params: params[rules[i].definition.id] ?? [])
                PhaseTimer.report("rule \(rules[i].definition.id)", since: started)
                lock.lock(); results[i] = result; lock.unlock()
            }
        }

        var t0 = PhaseTimer.now()
        var checks: [CheckResult] = []
        var findings: [Finding] = orphanIssues
        for (i, rule) in loaded.enumerated() {
            guard var result = results[i], let ctx = contexts[i] else { continue }
            // Taken out of the context, not copied: a finding still held there would be
            // copied again when its id is assigned below.
            var ruleFindings = ctx.takeFindings()
            ExceptionPolicy.apply(config.exceptions.filter { $0.check == rule.definition.id },
                                  to: &result, findings: &ruleFindings, today: options.today)
            if !options.baseline.isEmpty {
                BaselinePolicy.apply(options.baseline, to: &result, findings: &ruleFindings)
            }
            if ctx.droppedOverCap > 0 {
                result.message += " (\(ctx.droppedOverCap) more findings not listed: cap of \(ctx.cap) per check)"
            }
            if result.status == .skipped { ruleFindings.removeAll() }
            findings += ruleFindings
            checks.append(result)
        }
        checks += loadFailures
        PhaseTimer.report("findings: collect", since: t0); t0 = PhaseTimer.now()
        FindingIdentity.assign(&findings)
        PhaseTimer.report("findings: identity", since: t0); t0 = PhaseTimer.now()
        FindingIdentity.sort(&findings, checkOrder: RulePack.checkOrder)
        PhaseTimer.report("findings: sort", since: t0)
        let hadErrors = checks.contains { $0.status == .error }
        let blocking: Set<CheckResult.Status> = options.strict ? [.fail, .error, .warn] : [.fail, .error]
        let ready = !checks.contains { blocking.contains($0.status) }
        // Eight Lua states close, and what the rules built is freed, beside the outputs.
        ReleaseInBackground.drop(loaded + contexts.compactMap { $0 })
        return Outcome(checks: checks, findings: findings, ready: ready, hadRuleErrors: hadErrors, groupKeys: groupKeys,
                       hashes: hashes, histogram: data.histogram)
    }

    static func skipped(_ rule: LoadedRule, _ why: String) -> CheckResult {
        var r = CheckResult(id: rule.definition.id, title: rule.definition.title, status: .skipped, message: why)
        r.ruleFile = rule.definition.source.displayName
        return r
    }

    public static func isoToday() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone.current
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date())
    }
}
