import ArgumentParser
import Foundation
import QCCore
import QCLua

/// `qcpass sample DATASET`: the stratified visual audit. Runs the checks (for the
/// flagged bucket), the pack's audit rule (bucket sizes, edge cases), picks the images,
/// and writes the blank sheet `audit.csv` and the gallery a reviewer fills it from.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Pick the stratified audit sample; write audit.csv and gallery.html into --out.",
        discussion: """
        Buckets, in the order they fill (an image appears once): per_class, background, edge_cases, \
        low_confidence (with --predictions), flagged, random. Their sizes are the params of the pack's \
        audit/sample.lua, set in qcpass.lua as params.sample. After review, `qcpass check DATASET --audit audit.csv` \
        puts the verdicts into the report. Exit status: 0 written, 2 usage/config/rule error or unreadable input.
        """
    )

    @Argument(help: "A YOLO data.yaml, a COCO instances JSON, or a folder holding either.")
    var dataset: String

    @Option(name: .long, help: "Output folder.")
    var out: String = "qc"

    @Option(name: .long, help: "Seed of the random picks: the same seed and data give the same sample.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Also take N plain random images (the audit param random).")
    var random: Int?

    @Option(name: .long, help: "Images per class (the audit param per_class).")
    var perClass: Int?

    @Flag(name: .long, help: "Draw boxes on blank frames instead of thumbnails.")
    var noImages = false

    @Option(name: .long, help: "Images per gallery page.")
    var pageSize: Int = 500

    @Flag(name: .long, help: "Replace an audit.csv that already holds verdicts.")
    var force = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let random, random < 0 { throw ValidationError("--random must be 0 or more") }
        if let perClass, perClass < 0 { throw ValidationError("--per-class must be 0 or more") }
        if pageSize < 1 { throw ValidationError("--page-size must be at least 1") }
    }

    func run() throws {
        var request = common.pipelineRequest(dataset: dataset)
        let progress = ProgressLine(enabled: !common.quiet)
        request.progress = { phase, done, total in progress.update(phase, done, total) }

        let outDir = URL(fileURLWithPath: out).standardizedFileURL.path
        let sheetPath = "\(outDir)/audit.csv"
        do {
            let result = try CheckPipeline.run(request)
            progress.finish()
            try OutputFolder.refuseInsideDataset(outDir, datasetRoot: result.dataset.root)
            try refuseToClobberVerdicts(sheetPath)
            var overrides: [(name: String, value: LuaValue)] = []
            if let random { overrides.append(("random", .int(Int64(random)))) }
            if let perClass { overrides.append(("per_class", .int(Int64(perClass)))) }
            let plan = try AuditSampling.plan(result, overrides: overrides, options: request.engine)
            let ds = result.dataset
            let picks = StratifiedSampler.sample(ds, findings: result.document.findings, edgeCases: plan.edgeCases,
                                                 quotas: plan.quotas, seed: seed)
            let rows = picks.map { AuditSheet.Row(image: ds.images[$0.image].path, bucket: $0.bucket, reason: $0.reason, findingId: $0.findingId) }
            try AtomicFile.write(AuditSheet(rows: rows).csv(), to: sheetPath)
            let page = GalleryPage(title: "Audit sample: \(ds.name)",
                                   subtitle: "\(rows.count) images, seed \(seed) · mark each image, then export audit.csv",
                                   baseName: "gallery", groupLabel: "bucket", groupOrder: AuditSheet.buckets,
                                   classNames: ds.classIds.map { ds.className($0) }, sheetRows: rows, pageSize: pageSize)
            let pages = try GalleryOutput.write(page, rows: rows, group: \.bucket, dataset: ds, findings: result.document.findings,
                                                options: .init(outDir: outDir, images: !noImages, jobs: request.engine.jobs,
                                                               knownContent: result.outcome.hashes?.contentDigests ?? []))
            if result.outcome.hadRuleErrors {
                printError("qcpass: warning: a check failed to run (see `qcpass check`); the flagged bucket may miss its images")
            }
            if !common.quiet {
                let counts = AuditSheet.buckets.map { b in "\(b) \(picks.filter { $0.bucket == b }.count)" }.joined(separator: ", ")
                print("Sampled \(rows.count) images (seed \(seed)): \(counts)")
                print("Sheet: \(out)/audit.csv · gallery: \(out)/\(pages[0])\(pages.count > 1 ? " (+\(pages.count - 1) pages)" : "")")
            }
        } catch {
            progress.finish()
            printError("qcpass: \(error)")
            throw ExitCode(ExitStatus.error)
        }
    }

    /// A sheet with verdicts is a reviewer's work: never overwrite it silently.
    func refuseToClobberVerdicts(_ path: String) throws {
        guard !force, FileIO.kind(of: path) == .file, let sheet = try? AuditSheetReader.read(path: path) else { return }
        let reviewed = sheet.rows.filter { !$0.verdict.isEmpty }.count
        if reviewed > 0 {
            throw CommandError("\(path) holds \(reviewed) verdict\(reviewed == 1 ? "" : "s"); pass --force to replace it, or choose another --out")
        }
    }
}

struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ text: String) { description = text }
}

/// qcpass never writes into a dataset: an --out inside it is refused before anything is written.
enum OutputFolder {
    static func refuseInsideDataset(_ outDir: String, datasetRoot: String) throws {
        let root = datasetRoot.hasSuffix("/") ? datasetRoot : datasetRoot + "/"
        if outDir == datasetRoot || outDir.hasPrefix(root) {
            throw CommandError("--out \(outDir) is inside the dataset folder; qcpass never writes into a dataset")
        }
    }
}
