import ArgumentParser
import Foundation
import QCCore
import QCLua

/// Loads a dataset and prints its size, per split and per class: a quick look, and
/// the loader on its own (the benchmark times it against pycocotools).
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Load a dataset and print images, labels and classes per split."
    )

    @Argument(help: "A YOLO data.yaml, a COCO instances JSON, or a folder holding either.")
    var dataset: String

    @Option(name: .long, help: "Images folder for a lone COCO file.")
    var images: String?

    @Flag(name: .long, help: "Do not open images; trust the sizes in the annotations (COCO).")
    var noHeaders = false

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var jobs: Int?

    func run() throws {
        var options = LoadOptions()
        options.readHeaders = !noHeaders
        options.imagesDirectory = images
        if let jobs { options.jobs = jobs }
        let ds: Dataset
        do { ds = try DatasetLoader.load(dataset, options: options) } catch {
            printError("qcpass: \(error)")
            throw ExitCode(ExitStatus.error)
        }
        let h = ClassHistogram.build(ds, sizeStatistics: false)
        print("\(ds.name) (\(ds.format.rawValue)): \(ds.images.count) images, \(ds.boxes.count) labels, \(ds.classNames.count) classes, \(ds.issues.count) input findings")
        for r in h.perSplit {
            print("  \(r.splitName ?? "?"): \(r.images) images, \(r.boxes) labels, \(r.backgroundImages) background")
        }
        let top = h.perClass.sorted { $0.instances > $1.instances }.prefix(10)
        print("  largest classes: " + top.map { "\($0.className) \($0.instances)" }.joined(separator: ", "))
    }
}
