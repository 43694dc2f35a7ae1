import ArgumentParser
import Foundation
import QCCore
import QCLua

/// `qcpass fix DATASET --out NEW`: the safe fixes the pack's fix policy chooses, written
/// into a new dataset with `.qcpass/changes.json`. The input is only read.
struct FixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fix",
        abstract: "Write the safe fixes into a new dataset (--out NEW) with NEW/.qcpass/changes.json; the input is never modified.",
        discussion: """
        Which fixes apply is the pack's fix/policy.lua, tuned as params.fix in qcpass.lua: drop exact duplicates \
        (keeping a copy that leaves no group in two splits), thin static-frame runs, drop duplicate and degenerate \
        boxes, clip boxes that overhang the image, drop label lines that do not parse and unknown class ids, apply the \
        reviewer's box corrections (--audit) and a class remap (--remap). Images are reflinked where the filesystem \
        can, else hard-linked (the same file under two names: edit images by writing a new file, not in place), \
        --copy forces copies. NEW appears only when complete. Exit status: 0 written, 2 usage/config/rule error.
        """
    )

    @Argument(help: "A YOLO data.yaml, a COCO instances JSON, or a folder holding either.")
    var dataset: String

    @Option(name: .long, help: "The new dataset folder (must not exist, or be empty).")
    var out: String

    @Option(name: .long, help: "Fix from a saved findings.json instead of running the checks.")
    var from: String?

    @Option(name: .long, help: "A reviewed audit.csv whose box-level corrections (box_ref + corrected_class) apply.")
    var audit: String?

    @Option(name: .long, help: "Class remap, e.g. forklift=pallet,pallet=forklift.")
    var remap: String?

    @Flag(name: .long, help: "Print the plan; write nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Copy images instead of reflinking or hard-linking them.")
    var copy = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        var request = common.pipelineRequest(dataset: dataset)
        if from != nil { request.engine.only = [] }   // the saved findings replace a run
        let progress = ProgressLine(enabled: !common.quiet)
        request.progress = { phase, done, total in progress.update(phase, done, total) }
        do {
            let result = try CheckPipeline.run(request)
            progress.finish()
            let ds = result.dataset
            let outDir = URL(fileURLWithPath: out).standardizedFileURL.path
            try OutputFolder.refuseInsideDataset(outDir, datasetRoot: ds.root)
            let findings = try from.map { path throws(EngineError) in try FixFindingsReader.read(path) } ?? result.document.findings
            let sheet = try audit.map { path throws(AuditSheetReader.Failure) in try AuditSheetReader.read(path: path) }
            let inputs = FixInputs(findings: findings, audit: sheet, auditName: audit ?? "audit.csv",
                                   remap: try remap.map { text throws(EngineError) in try FixInputs.parseRemap(text) })
            let decided = try FixPolicy.decide(dataset: ds, groupKeys: result.outcome.groupKeys, pack: result.pack,
                                               config: result.config, inputs: inputs, options: request.engine)
            let plan = FixPlan.resolve(decided.fixes, in: ds)
            for fix in plan.unresolved {
                printError("qcpass: warning: not applied, names nothing in this dataset: \(FixReport.describe(fix.action)) (\(fix.reason))")
            }
            if dryRun {
                print(FixReport.plan(plan, dataset: ds))
                return
            }
            try FixWriter.write(ds, plan: plan, to: outDir, copyOnly: copy, params: decided.params,
                                command: CommandLine.arguments.dropFirst().joined(separator: " "), quiet: common.quiet)
        } catch {
            progress.finish()
            printError("qcpass: \(error)")
            throw ExitCode(ExitStatus.error)
        }
    }
}

/// Stages, exports, logs and commits a fixed dataset.
enum FixWriter {
    static func write(_ ds: QCCore.Dataset, plan: FixPlan, to outDir: String, copyOnly: Bool,
                      params: [(String, JSONValue)], command: String, quiet: Bool) throws {
        let staged = try StagedFolder(target: outDir)
        do {
            let layout = ExportLayout.keeping(ds, dropped: Set(plan.droppedImages.keys))
            let exported = ds.format == .coco
                ? try COCOExport.write(ds, plan: plan, layout: layout, to: staged.staging, copyOnly: copyOnly)
                : try YOLOExport.write(ds, plan: plan, layout: layout, to: staged.staging, copyOnly: copyOnly)
            var log = ChangeLog(command: "qcpass \(command)", source: (ds.root, ds.format.rawValue, ds.fingerprint()))
            log.entries = exported.entries
            log.placement = exported.placement
            log.params = params
            try FaultInjection.point("before-changes")
            try AtomicFile.write(log.json(), to: "\(staged.staging)/\(ChangeLog.relativePath)")
            try FaultInjection.point("before-rename")
            try staged.commit()
            if !quiet {
                let s = log.summary
                print("Wrote \(outDir): \(exported.images) images (\(exported.placement.map { "\($0.value) \($0.key.rawValue)" }.sorted().joined(separator: ", "))), \(log.entries.count) changes")
                print("  \(s.imagesDropped) images dropped (\(s.duplicatesRemoved) duplicates), \(s.labelsDropped) labels dropped, \(s.boxesClipped) boxes clipped, \(s.classesChanged) classes changed, \(s.labelFilesDropped) label files not carried")
                print("  changes: \(outDir)/\(ChangeLog.relativePath)")
            }
        } catch {
            staged.abandon()
            throw error
        }
    }
}

/// A failure or a hang at a named point of a write, for the tests that prove a killed or
/// failed run leaves no complete-looking output (QCPASS_FAULT=fail:<point> | hang:<point>).
enum FaultInjection {
    static func point(_ name: String) throws {
        guard let spec = ProcessInfo.processInfo.environment["QCPASS_FAULT"] else { return }
        if spec == "fail:\(name)" { throw CommandError("injected failure at \(name)") }
        if spec == "hang:\(name)" {
            printError("qcpass: hanging at \(name)")
            while true { sleep(60) }
        }
    }
}

/// The dry-run's plan, one line per change.
enum FixReport {
    static func describe(_ action: PlannedFix.Action) -> String {
        switch action {
        case .dropImage(let p): return "drop image \(p)"
        case .dropLabel(let r): return "drop label \(r)"
        case .clipBox(let r): return "clip box \(r)"
        case .setClass(let r, let id): return "set class of \(r) to #\(id)"
        case .dropLabelFile(let f): return "do not carry label file \(f)"
        case .remapClasses(let m): return "remap classes " + m.keys.sorted().map { "#\($0)→#\(m[$0]!)" }.joined(separator: ", ")
        }
    }

    static func cause(_ c: PlannedFix.Cause) -> String {
        if let id = c.findingId { return "[\(c.kind ?? "finding") \(id.prefix(12))]" }
        return c.place.map { "[\($0)]" } ?? ""
    }

    static func plan(_ plan: FixPlan, dataset ds: QCCore.Dataset) -> String {
        var lines: [String] = []
        for (path, fix) in plan.droppedImages.sorted(by: { $0.key < $1.key }) {
            lines.append("drop image \(path): \(fix.reason) \(cause(fix.cause))")
        }
        for (file, fix) in plan.droppedLabelFiles.sorted(by: { $0.key < $1.key }) {
            lines.append("do not carry \(file): \(fix.reason) \(cause(fix.cause))")
        }
        for file in plan.edits.keys.sorted() {
            for (key, e) in plan.edits[file]!.sorted(by: { $0.key.localizedStandardCompare($1.key) == .orderedAscending }) {
                let place = LabelPlace(file: file, key: key).ref
                let what: String
                switch e.edit {
                case .drop: what = "drop"
                case .clip: what = "clip"
                case .setClass(let id): what = "set class \(ds.className(id)) on"
                }
                lines.append("\(what) \(place): \(e.fix.reason) \(cause(e.fix.cause))")
            }
        }
        if let fix = plan.remapFix, !plan.remap.isEmpty {
            let pairs = plan.remap.keys.sorted().map { "\(ds.className($0))→\(ds.className(plan.remap[$0]!))" }
            lines.append("remap every box: \(pairs.joined(separator: ", ")) \(cause(fix.cause))")
        }
        lines.append("Plan: \(plan.droppedImages.count) images dropped, \(plan.edits.values.reduce(0) { $0 + $1.count }) label lines changed, \(plan.droppedLabelFiles.count) label files not carried\(plan.remap.isEmpty ? "" : ", a class remap") (dry run: nothing written)")
        return lines.joined(separator: "\n")
    }
}
