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
        var perSplit = [(images: Int, labels: Int, background: Int)](repeating: (0, 0, 0), count: ds.splits.count)
        var perClass: [Int: Int] = [:]
        for image in ds.images {
            let s = Int(image.split)
            perSplit[s].images += 1
            perSplit[s].labels += image.boxCount
            if image.boxCount == 0 { perSplit[s].background += 1 }
        }
        for b in ds.boxes { perClass[Int(b.classId), default: 0] += 1 }
        print("\(ds.name) (\(ds.format.rawValue)): \(ds.images.count) images, \(ds.boxes.count) labels, \(ds.classNames.count) classes, \(ds.issues.count) input findings")
        for (i, name) in ds.splits.enumerated() {
            print("  \(name): \(perSplit[i].images) images, \(perSplit[i].labels) labels, \(perSplit[i].background) background")
        }
        let top = perClass.sorted { $0.value > $1.value }.prefix(10)
        print("  largest classes: " + top.map { "\(ds.className($0.key)) \($0.value)" }.joined(separator: ", "))
    }
}
