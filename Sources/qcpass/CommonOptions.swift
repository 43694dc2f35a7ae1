import ArgumentParser
import Foundation
import QCLua

/// Options shared by the commands that read a dataset (DESIGN.md "Common options").
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Model predictions: a folder of YOLO txt files with a conf column, or a COCO results JSON.")
    var predictions: String?

    @Option(name: .long, help: "Project config (default: qcpass.lua next to the dataset, else in the current folder).")
    var config: String?

    @Option(name: .long, help: "A rule-pack folder whose rules add to or replace the default pack's.")
    var rules: [String] = []

    @Option(name: .long, help: "Images folder for a lone COCO file.")
    var images: String?

    @Option(name: .long, help: "Run only these checks (comma-separated ids).")
    var only: String?

    @Option(name: .long, help: "Skip these checks (comma-separated ids).")
    var skip: String?

    @Option(name: .long, help: "Only this split (e.g. val).")
    var split: String?

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var jobs: Int?

    @Option(name: .long, help: "Memory limit per rule, in MB.")
    var ruleMemoryMb: Int = 1024

    @Option(name: .long, help: "Time limit per rule, in seconds.")
    var ruleTimeLimit: Double = 600

    @Option(name: .long, help: "Where image hashes are kept between runs (default: $XDG_CACHE_HOME/qcpass, else ~/.cache/qcpass; never inside the dataset).")
    var cacheDir: String?

    @Flag(name: .long, help: "Hash every image afresh and keep nothing between runs.")
    var noCache = false

    @Flag(name: .long, help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if ruleMemoryMb < 16 { throw ValidationError("--rule-memory-mb must be at least 16") }
        if ruleTimeLimit <= 0 { throw ValidationError("--rule-time-limit must be positive") }
        if noCache && cacheDir != nil { throw ValidationError("--cache-dir and --no-cache exclude each other") }
    }

    /// DESIGN.md's default cache location, or nil with --no-cache.
    func cacheDirectory() -> String? {
        if noCache { return nil }
        if let cacheDir { return cacheDir }
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/qcpass" }
        return (env["HOME"] ?? NSHomeDirectory()) + "/.cache/qcpass"
    }

    static func idList(_ s: String?) -> Set<String>? {
        guard let s else { return nil }
        return Set(s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    /// The pipeline request every dataset-reading command starts from.
    func pipelineRequest(dataset: String) -> CheckPipeline.Request {
        var request = CheckPipeline.Request(datasetPath: dataset)
        request.predictionsPath = predictions
        request.configPath = config
        request.extraRuleDirectories = rules
        request.imagesDirectory = images
        request.split = split
        request.engine = engineOptions()
        return request
    }

    func engineOptions() -> CheckEngine.Options {
        var o = CheckEngine.Options()
        o.only = Self.idList(only)
        o.skip = Self.idList(skip) ?? []
        if let jobs { o.jobs = jobs }
        o.limits = LuaSandbox.Limits(memoryBytes: ruleMemoryMb << 20, timeoutSeconds: ruleTimeLimit)
        o.printSink = { line in printError(line) }
        o.cacheDirectory = cacheDirectory()
        return o
    }
}
