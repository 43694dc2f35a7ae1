import Foundation
import QCCore

/// `qcpass check` without the terminal: load the dataset, the pack and the project
/// config, run the checks, and assemble findings.json. The CLI, the rule-example tests
/// and the end-to-end tests all go through here.
public enum CheckPipeline {
    public static let version = "0.1.0"

    public struct Request {
        public var datasetPath: String
        public var predictionsPath: String?
        public var configPath: String?
        public var extraRuleDirectories: [String] = []
        public var defaultRuleDirectory: String?
        public var imagesDirectory: String?
        public var split: String?
        public var readHeaders = true
        public var engine = CheckEngine.Options()
        public var progress: (@Sendable (String, Int, Int) -> Void)?
        public init(datasetPath: String) { self.datasetPath = datasetPath }
    }

    public struct Result {
        public var dataset: Dataset
        public var outcome: CheckEngine.Outcome
        public var document: FindingsDocument
        public var pack: RulePack
        public var config: ProjectConfig
    }

    public enum Failure: Error, CustomStringConvertible {
        case input(String)
        case engine(EngineError)
        public var description: String {
            switch self {
            case .input(let m): return m
            case .engine(let e): return e.description
            }
        }
    }

    public static func run(_ request: Request) throws(Failure) -> Result {
        var options = LoadOptions()
        options.readHeaders = request.readHeaders
        options.jobs = request.engine.jobs
        options.imagesDirectory = request.imagesDirectory
        options.onlySplit = request.split
        options.progress = request.progress
        if let directory = request.engine.cacheDirectory, request.readHeaders {
            do { options.headerCache = try HeaderCache(directory: directory) } catch { throw .input(error.description) }
        }
        let predictions = request.predictionsPath.map { PredictionsLoader.prepare($0, options: options) }
        var dataset: Dataset
        do { dataset = try PhaseTimer.measure("load") { () throws(LoadError) in try DatasetLoader.load(request.datasetPath, options: options) } }
        catch { throw .input(error.description) }
        if let predictions {
            do { try PhaseTimer.measure("predictions") { () throws(LoadError) in try PredictionsLoader.attach(predictions, to: &dataset, options: options) } }
            catch { throw .input(error.description) }
            predictions.releaseInBackground()
        }
        // Needed only for findings.json: hashed beside the checks, not before them.
        let frozen = dataset
        let fingerprint = BackgroundValue(concurrently: options.jobs > 1) { frozen.fingerprint() }

        var engine = request.engine
        engine.progress = engine.progress ?? request.progress
        if let directory = engine.cacheDirectory {
            try checkCacheLocation(directory, datasetRoot: dataset.root)
            if engine.hashCache == nil {
                do { engine.hashCache = try HashCache(directory: directory) } catch { throw .input(error.description) }
            }
            do { try options.headerCache?.flush() } catch {
                engine.printSink?("warning: image headers were not saved: \(error)")
            }
        }

        var config = ProjectConfig()
        do throws(EngineError) {
            if let path = ProjectConfig.locate(explicit: request.configPath, datasetDirectory: datasetDirectory(dataset)) {
                guard FileManager.default.fileExists(atPath: path) else {
                    throw EngineError.config(place: path, message: "config file not found")
                }
                config = try ProjectConfig.load(path: path, limits: request.engine.limits)
            }
            guard let defaultDir = request.defaultRuleDirectory ?? RulePack.defaultDirectory() else {
                throw EngineError.config(place: "rules", message: "the default rule pack was not found; pass --rules DIR or set QCPASS_RULES")
            }
            let pack = try RulePack.load(directories: [defaultDir] + request.extraRuleDirectories,
                                         extraRuleFiles: config.ruleFiles)
            let outcome = try PhaseTimer.measure("checks") { () throws(EngineError) in try CheckEngine.run(dataset: dataset, pack: pack, config: config, options: engine) }
            let document = PhaseTimer.measure("findings document") {
                makeDocument(dataset: dataset, outcome: outcome, pack: pack, config: config,
                             predictionsSHA: dataset.predictionsDigest, fingerprint: fingerprint.value)
            }
            return Result(dataset: dataset, outcome: outcome, document: document, pack: pack, config: config)
        } catch {
            throw .engine(error)
        }
    }

    /// A cache folder inside the dataset root is refused: qcpass never writes into a dataset.
    static func checkCacheLocation(_ directory: String, datasetRoot: String) throws(Failure) {
        let cache = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath().path
        let root = URL(fileURLWithPath: datasetRoot).standardizedFileURL.resolvingSymlinksInPath().path
        if cache == root || cache.hasPrefix(root.hasSuffix("/") ? root : root + "/") {
            throw .input("\(directory): the cache directory is inside the dataset (\(datasetRoot)); qcpass never writes into a dataset — pass another --cache-dir")
        }
    }

    static func datasetDirectory(_ ds: Dataset) -> String {
        URL(fileURLWithPath: ds.source).deletingLastPathComponent().path
    }

    static func makeDocument(dataset ds: Dataset, outcome: CheckEngine.Outcome, pack: RulePack,
                             config: ProjectConfig, predictionsSHA: String?, fingerprint: String) -> FindingsDocument {
        // The same counts the rules saw through qc.hist, not a second tally.
        let histogram = outcome.histogram
        let perClass = ds.classIds.map { id in
            let row = histogram.row(classId: id)
            return FindingsDocument.ClassCount(name: ds.className(id), instances: row?.instances ?? 0, images: row?.images ?? 0)
        }
        return FindingsDocument(
            ready: outcome.ready,
            tool: .init(version: version, rulesSHA256: pack.sha256, configSHA256: config.sha256,
                        predictionsSHA256: predictionsSHA),
            datasetName: ds.name, datasetRoot: ds.root, datasetFormat: ds.format.rawValue,
            fingerprint: fingerprint, images: ds.images.count, labels: ds.boxes.count,
            backgroundImages: histogram.total.backgroundImages, perClass: perClass, checks: outcome.checks, findings: outcome.findings)
    }
}
