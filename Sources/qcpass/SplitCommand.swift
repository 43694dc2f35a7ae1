import ArgumentParser
import Foundation
import QCCore
import QCLua

/// `qcpass split DATASET --out NEW`: a grouped, class-stratified split, written as a new
/// dataset or (`--lists`) as a data.yaml with image lists over the original files.
struct SplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Make a grouped, class-stratified split: no group key or duplicate cluster spans two splits.",
        discussion: """
        Groups are the project's group_key (or the default: metadata.csv's scene, camera|day, EXIF, frame runs), \
        or the metadata columns given with --by; exact and near-duplicate copies join their group (--duplicates). \
        Each split gets close to its ratio of every class's instances. Prints per class and split the share of the \
        class's instances and its deviation from the ratio, and the groups per split. Exit status: 0 written, 2 error.
        """
    )

    @Argument(help: "A YOLO data.yaml, a COCO instances JSON, or a folder holding either.")
    var dataset: String

    @Option(name: .long, help: "The new dataset folder (must not exist, or be empty).")
    var out: String

    @Option(name: .long, help: "Metadata columns whose values form the group key (comma-separated), instead of the project's group_key.")
    var by: String?

    @Option(name: .long, help: "Split ratios, comma-separated.")
    var ratios: String = "0.8,0.1,0.1"

    @Option(name: .long, help: "Split names, comma-separated (default: train,val,test for three ratios, train,val for two).")
    var names: String?

    @Option(name: .long, help: "Seed: the same seed and data give the same split.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Duplicate copies kept in one split: near (pHash, as the split_leakage check), exact, or none.")
    var duplicates: String = "near"

    @Flag(name: .long, help: "Write only data.yaml and image list files over the original images (no copying).")
    var lists = false

    @Flag(name: .long, help: "Copy images instead of reflinking or hard-linking them.")
    var copy = false

    @Flag(name: .long, help: "Print the table; write nothing.")
    var dryRun = false

    @Option(name: .long, help: "Classes in fewer groups than this are not expected to meet their ratios.")
    var minGroups: Int = 20

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if SplitPipeline.Duplicates(rawValue: duplicates) == nil { throw ValidationError("--duplicates must be near, exact or none") }
        if minGroups < 1 { throw ValidationError("--min-groups must be at least 1") }
    }

    func run() throws {
        var request = CheckPipeline.Request(datasetPath: dataset)
        request.configPath = common.config
        request.extraRuleDirectories = common.rules
        request.imagesDirectory = common.images
        request.engine = common.engineOptions()
        let progress = ProgressLine(enabled: !common.quiet)
        request.progress = { phase, done, total in progress.update(phase, done, total) }
        do {
            var split = SplitPlanner.Request()
            let values = ratios.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { throw CommandError("--ratios: '\(ratios)' is not a list of numbers like 0.8,0.1,0.1") }
            split.ratios = values.map { $0! }
            split.names = names.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                ?? (split.ratios.count == 2 ? ["train", "val"] : split.ratios.count == 3 ? ["train", "val", "test"] : split.ratios.indices.map { "split\($0 + 1)" })
            split.seed = seed
            split.by = by.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            split.minGroups = minGroups
            let result = try SplitPipeline.run(request, split: split, duplicates: SplitPipeline.Duplicates(rawValue: duplicates)!)
            progress.finish()
            let ds = result.run.dataset
            let plan = result.plan
            let outDir = URL(fileURLWithPath: out).standardizedFileURL.path
            try OutputFolder.refuseInsideDataset(outDir, datasetRoot: ds.root)
            if !common.quiet {
                print(plan.table.render(minGroups: minGroups))
                let keyed = plan.units.keyed.filter { $0 }.count
                print(String(format: "%d images in %d units (%d with a group key, %d duplicate clusters joined); loading %.2f s, split %.3f s (seed %llu)",
                             ds.images.count, plan.units.units.count, keyed, result.clusters, result.loadSeconds, plan.seconds, seed))
            }
            if dryRun { return }
            let staged = try StagedFolder(target: outDir)
            do {
                if lists {
                    try SplitLists.write(ds, plan: plan, staging: staged.staging, target: outDir)
                } else {
                    guard ds.format == .yolo else {
                        throw CommandError("a COCO dataset is split with --lists only for now (YOLO data.yaml over the images needs YOLO labels)")
                    }
                    let layout = ExportLayout.regrouped(ds, splits: plan.names, splitOfImage: plan.splitOfImage)
                    _ = try YOLOExport.write(ds, plan: FixPlan(), layout: layout, to: staged.staging, copyOnly: copy)
                }
                try AtomicFile.write(plan.table.render(minGroups: minGroups) + "\n", to: "\(staged.staging)/.qcpass/split.txt")
                try FaultInjection.point("before-rename")
                try staged.commit()
            } catch {
                staged.abandon()
                throw error
            }
            if !common.quiet { print("Wrote \(outDir)\(lists ? " (data.yaml + image lists)" : "")") }
        } catch {
            progress.finish()
            printError("qcpass: \(error)")
            throw ExitCode(ExitStatus.error)
        }
    }
}

/// `--lists`: data.yaml over the original images, one list file of absolute image paths
/// per split; labels stay where they are (found beside the images, as YOLO does).
enum SplitLists {
    static func write(_ ds: QCCore.Dataset, plan: SplitPlanner.Plan, staging: String, target: String) throws {
        guard ds.format == .yolo else { throw CommandError("--lists writes a YOLO data.yaml; this dataset is COCO") }
        var yaml = "path: \(ds.root)\n"
        for (s, name) in plan.names.enumerated() {
            let paths = ds.images.indices.filter { plan.splitOfImage[$0] == s }.map { ds.images[$0].absolutePath }
            guard !paths.isEmpty else { continue }
            try AtomicFile.write(paths.map { $0 + "\n" }.joined(), to: "\(staging)/\(name).txt")
            yaml += "\(name): \(target)/\(name).txt\n"
        }
        if let k = ds.keypointShape { yaml += "kpt_shape: [\(k.map(String.init).joined(separator: ", "))]\n" }
        yaml += "names:\n"
        for id in ds.classIds { yaml += "  \(id): \(YOLOExport.yamlString(ds.className(id)))\n" }
        try AtomicFile.write(yaml, to: "\(staging)/data.yaml")
    }
}
