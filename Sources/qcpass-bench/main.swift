// qcpass-bench: the measuring half of bench/hashing.sh (not shipped, not part of the CLI).
//
//   qcpass-bench hash --list FILES.txt [--jobs N] [--dump OUT.tsv]
//       hashes every file named in FILES.txt (one absolute path per line) and prints one
//       JSON line: images, failures, seconds (reading + decoding + hashing), images_per_s.
//       --dump writes "path<TAB>phash(16 hex)<TAB>xxh3-128<TAB>error" per file.
//   qcpass-bench index --count N [--radius 8] [--jobs N] [--seed 1] [--method auto|bktree|brute]
//       all pairs within the radius among N random 64-bit hashes; prints one JSON line.
import Foundation
import QCCore

func option(_ name: String, in args: [String]) -> String? {
    guard let at = args.firstIndex(of: name), at + 1 < args.count else { return nil }
    return args[at + 1]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write((message + "\n").data(using: .utf8)!)
    exit(2)
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func hex16(_ value: UInt64) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: 16 - text.count) + text
}

func runHash(_ args: [String]) {
    guard let list = option("--list", in: args) else { fail("hash: --list FILE is required") }
    let jobs = Int(option("--jobs", in: args) ?? "1") ?? 1
    guard let text = try? String(contentsOfFile: list, encoding: .utf8) else { fail("cannot read \(list)") }
    let paths = text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    let images = paths.map { ImageRecord(path: $0, absolutePath: $0, split: 0) }
    let start = now()
    let results = ImageHashing.hash(images: images, jobs: jobs)
    let seconds = now() - start
    let failures = results.filter { if case .failure = $0 { return true } else { return false } }.count
    if let dump = option("--dump", in: args) {
        var out = ""
        for (path, result) in zip(paths, results) {
            switch result {
            case .success(let hashes): out += "\(path)\t\(hex16(hashes.phash))\t\(hashes.contentHex)\t\n"
            case .failure(let error): out += "\(path)\t\t\(error.content?.hex ?? "")\t\(error.message)\n"
            }
        }
        try? out.write(toFile: dump, atomically: true, encoding: .utf8)
    }
    print(#"{"tool": "qcpass", "jobs": \#(jobs), "images": \#(images.count), "failures": \#(failures), "seconds": \#(seconds), "images_per_s": \#(Double(images.count) / seconds)}"#)
}

func runIndex(_ args: [String]) {
    guard let count = option("--count", in: args).flatMap(Int.init) else { fail("index: --count N is required") }
    let radius = Int(option("--radius", in: args) ?? "8") ?? 8
    let jobs = Int(option("--jobs", in: args) ?? "1") ?? 1
    // SplitMix64: the same random hashes for a seed on every machine.
    var random = SeededRandom(seed: UInt64(option("--seed", in: args) ?? "1") ?? 1)
    let method = option("--method", in: args) ?? "auto"
    let hashes = (0..<count).map { _ in random.next() }
    let start = now()
    let pairs: [HammingPair]
    var plan = method
    switch method {
    case "bktree": pairs = BKTree.allPairs(hashes, radius: radius, jobs: jobs)
    case "blocks":
        let inKey = Int(option("--in-key", in: args) ?? "3") ?? 3
        plan = "\(radius + inKey) blocks, keys of \(inKey)"
        pairs = NearDuplicateIndex.blockPairs(hashes, radius: radius, blocks: radius + inKey, inKey: inKey, jobs: jobs)
    case "brute": pairs = NearDuplicateIndex.bruteForcePairs(hashes, radius: radius, jobs: jobs)
    default:
        let index = NearDuplicateIndex(hashes: hashes)
        plan = index.searchPlan(radius: radius)
        pairs = index.pairs(radius: radius, jobs: jobs)
    }
    let seconds = now() - start
    print(#"{"method": "\#(method)", "plan": "\#(plan)", "count": \#(count), "radius": \#(radius), "jobs": \#(jobs), "pairs": \#(pairs.count), "seconds": \#(seconds)}"#)
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "hash": runHash(arguments)
case "index": runIndex(arguments)
default: fail("usage: qcpass-bench hash --list FILE [--jobs N] [--dump OUT] | index --count N [--radius R] [--jobs N] [--method auto|bktree|brute]")
}
