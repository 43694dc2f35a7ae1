import Foundation
import QCCore

// qcpass-fuzz: a deterministic mutation fuzzer over qcpass's parsers (see Tests/fuzz/run.sh).
//
//   qcpass-fuzz list
//   qcpass-fuzz run TARGET --corpus DIR [--runs N] [--seed S] [--crashes DIR] [--timeout SECONDS] [--max-len BYTES]
//   qcpass-fuzz replay TARGET FILE...
//   qcpass-fuzz seeds CORPUS-DIR      (writes the generated image and cache seeds)
//
// `run` prints one line: target, executions, seconds, executions/s, corpus size.
// A crash or hang writes the input to the crashes folder and exits non-zero.

struct Usage: Error, CustomStringConvertible { var description: String }

func option(_ name: String, in arguments: [String]) -> String? {
    guard let at = arguments.firstIndex(of: name), at + 1 < arguments.count else { return nil }
    return arguments[at + 1]
}

func readCorpus(_ directory: String) -> [[UInt8]] {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    return names.compactMap { FileManager.default.contents(atPath: "\(directory)/\($0)").map { Array($0) } }
}

func makeScratch() throws -> (String, ParserEntryPoints) {
    let scratch = NSTemporaryDirectory() + "qcpass-fuzz-\(getpid())"
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    return (scratch, try ParserEntryPoints(scratch: scratch))
}

func fuzz(_ target: String, _ arguments: [String]) throws {
    guard let corpusDirectory = option("--corpus", in: arguments) else { throw Usage(description: "run needs --corpus DIR") }
    let runs = Int(option("--runs", in: arguments) ?? "100000") ?? 100_000
    let seed = UInt64(option("--seed", in: arguments) ?? "1") ?? 1
    let crashes = option("--crashes", in: arguments) ?? "fuzz-crashes"
    let timeout = Double(option("--timeout", in: arguments) ?? "10") ?? 10
    let maxLength = Int(option("--max-len", in: arguments) ?? "65536") ?? 65536
    try FileManager.default.createDirectory(atPath: crashes, withIntermediateDirectories: true)

    var corpus = readCorpus(corpusDirectory)
    if corpus.isEmpty { corpus = [[]] }
    let seeds = corpus.count
    let (scratch, entries) = try makeScratch()
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    CrashGuard.install(crashDirectory: crashes, target: target, maxLength: maxLength, timeoutSeconds: timeout)

    var mutator = Mutator(seed: seed, maxLength: maxLength, dictionary: Dictionaries.tokens(for: target))
    // Poor man's feedback: an input whose outcome value was never seen joins the corpus,
    // so later mutations start from inputs that took a different path.
    var outcomes: Set<Int> = []
    let start = Date()
    // The seeds themselves first, unmutated.
    for input in corpus {
        CrashGuard.arm(input)
        outcomes.insert(entries.run(target, input))
    }
    for _ in 0..<runs {
        let base = corpus[mutator.below(corpus.count)]
        let other = corpus[mutator.below(corpus.count)]
        let input = mutator.mutate(base, other: other)
        CrashGuard.arm(input)
        let outcome = entries.run(target, input)
        if outcomes.count < 100_000, outcomes.insert(outcome).inserted, corpus.count < 4096, input.count <= 16384 {
            corpus.append(input)
        }
    }
    CrashGuard.disarm()
    let seconds = Date().timeIntervalSince(start)
    let total = runs + seeds
    let name = target.padding(toLength: 16, withPad: " ", startingAt: 0)
    print(name + String(format: " %11d execs %8.1f s %10.0f execs/s  corpus %d (+%d)", total, seconds,
                        Double(total) / max(seconds, 1e-9), corpus.count, corpus.count - seeds))
}

func replay(_ target: String, _ files: [String]) throws {
    let (scratch, entries) = try makeScratch()
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    for file in files {
        guard let data = FileManager.default.contents(atPath: file) else { throw Usage(description: "\(file): cannot be read") }
        print("\(file): \(entries.run(target, Array(data)))")
    }
}

/// The seeds that cannot be written by hand: encoded images and checksummed cache frames.
func writeSeeds(_ corpus: String) throws {
    let generated = ["image-header": ParserEntryPoints.seedImages(), "image-decode": ParserEntryPoints.seedImages(),
                     "cache-records": ParserEntryPoints.seedCacheRecords()]
    for (target, files) in generated {
        try FileManager.default.createDirectory(atPath: "\(corpus)/\(target)", withIntermediateDirectories: true)
        for (name, bytes) in files {
            _ = FileManager.default.createFile(atPath: "\(corpus)/\(target)/\(name)", contents: Data(bytes))
        }
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "list":
        print(ParserEntryPoints.targets.joined(separator: "\n"))
    case "run" where arguments.count >= 2 && ParserEntryPoints.targets.contains(arguments[1]):
        try fuzz(arguments[1], Array(arguments.dropFirst(2)))
    case "replay" where arguments.count >= 3 && ParserEntryPoints.targets.contains(arguments[1]):
        try replay(arguments[1], Array(arguments.dropFirst(2)))
    case "seeds" where arguments.count == 2:
        try writeSeeds(arguments[1])
    default:
        throw Usage(description: "usage: qcpass-fuzz list | run TARGET --corpus DIR [--runs N] [--seed S] [--crashes DIR] [--timeout S] [--max-len B] | replay TARGET FILE... | seeds CORPUS-DIR")
    }
} catch {
    FileHandle.standardError.write(Data("qcpass-fuzz: \(error)\n".utf8))
    exit(2)
}
