import Foundation
import XCTest

/// `qcpass check` against inputs that must not take it down: a 100 MB label file, headers
/// claiming 100000×100000 pixels, an interrupt in the middle of hashing, and the promise
/// that nothing is written inside the dataset folder.
final class HostileInputTests: XCTestCase {
    /// Sanitizer runs (Tests/sanitizers.sh) multiply memory use: no bound is meaningful there.
    private var sanitized: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["ASAN_OPTIONS"] != nil || environment["TSAN_OPTIONS"] != nil
    }

    /// Runs qcpass like `CLI.run`, also returning its peak resident size (VmHWM, sampled
    /// until it exits), in bytes.
    private func runMeasuringPeak(_ args: [String]) throws -> (status: Int32, stderr: String, peak: Int) {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = args
        var environment = ProcessInfo.processInfo.environment
        environment["QCPASS_RULES"] = CLI.repoRoot.appendingPathComponent("rules").path
        process.environment = environment
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        var peak = 0
        while process.isRunning {
            if let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
               let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") {
                peak = max(peak, kilobytes * 1024)
            }
            usleep(20_000)
        }
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, stderr, peak)
    }

    func testHundredMegabyteLabelFileGivesCappedFindingsInBoundedMemory() throws {
        let f = YOLOFixture()
        try f.image("images/train/a.png")
        try f.image("images/train/b.png")
        try f.label("labels/train/b.txt", "0 0.5 0.5 0.2 0.2\n")
        try f.yaml(splits: ["train"])
        // 100 MB of broken lines, with a valid one every 10000.
        let path = f.root.appendingPathComponent("labels/train/a.txt").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        var block = ""
        for i in 0..<10_000 { block += i == 0 ? "1 0.5 0.5 0.1 0.1\n" : "this line is not a box\n" }
        let blockData = Data(block.utf8)
        var written = 0
        while written < 100 << 20 {
            handle.write(blockData)
            written += blockData.count
        }
        try handle.close()
        let blocks = written / blockData.count

        let out = CLI.tempDir()
        let run = try runMeasuringPeak(["check", f.root.path, "--out", out.path, "--no-images", "--quiet",
                                        "--cache-dir", CLI.tempDir().path])
        XCTAssertEqual(run.status, 1, run.stderr)
        let json = try CLI.findings(in: out)
        let invalid = json.findings(kind: "invalid_label")
        XCTAssertEqual(invalid.count, 1001, "the first 1000 lines listed, the rest counted in one finding")
        let counted = invalid.compactMap { $0["message"] as? String }.filter { $0.contains("more invalid lines") }
        XCTAssertEqual(counted, ["\(blocks * 9_999 - 1000) more invalid lines in this file not listed (only the first ones are)"])
        let findingsSize = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("findings.json").path)[.size] as? Int)
        XCTAssertLessThan(findingsSize, 2 << 20, "findings.json stays small")
        XCTAssertEqual((json["summary"] as? [String: Any])?["labels"] as? Int, blocks + 1)
        if !sanitized { XCTAssertLessThan(run.peak, 600 << 20, "memory bounded: the file once, not findings per line") }
    }

    func testHeadersClaimingAHundredThousandSquaredAreFindingsNamingTheImage() throws {
        let f = YOLOFixture()
        try f.image("images/train/ok.png")
        try f.label("labels/train/ok.txt", "0 0.5 0.5 0.2 0.2\n")
        // Signature and header only: a decoder trusting the header would allocate 10^10 pixels.
        func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func crc32(_ bytes: [UInt8]) -> Int {
            var c: UInt32 = 0xFFFF_FFFF
            for b in bytes {
                c ^= UInt32(b)
                for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            }
            return Int(c ^ 0xFFFF_FFFF)
        }
        let ihdr = Array("IHDR".utf8) + be32(100_000) + be32(100_000) + [8, 2, 0, 0, 0]
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be32(13) + ihdr + be32(crc32(ihdr))
        // JPEG sides are 16-bit: 65000×65000 is the most it can claim.
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0xFD, 0xE8, 0xFD, 0xE8, 1, 1, 0x11, 0, 0xFF, 0xD9]
        var vp8x: [UInt8] = Array("VP8X".utf8) + [10, 0, 0, 0, 0, 0, 0, 0]
        vp8x += [0x9F, 0x86, 0x01, 0x9F, 0x86, 0x01]   // 99999 + 1 on each side, little-endian 24-bit
        let webp: [UInt8] = Array("RIFF".utf8) + [UInt8(vp8x.count + 4), 0, 0, 0] + Array("WEBP".utf8) + vp8x
        for (name, bytes) in [("huge.png", png), ("huge.jpg", jpeg), ("huge.webp", webp)] {
            try Data(bytes).write(to: f.root.appendingPathComponent("images/train/\(name)"))
            try f.label("labels/train/\(name.split(separator: ".")[0]).txt", "0 0.5 0.5 0.2 0.2\n")
        }
        try f.yaml(splits: ["train"])
        let out = CLI.tempDir()
        let run = try runMeasuringPeak(["check", f.root.path, "--out", out.path, "--quiet", "--cache-dir", CLI.tempDir().path])
        XCTAssertNotEqual(run.status, 2, run.stderr)
        let json = try CLI.findings(in: out)
        let unreadable = json.findings(kind: "unreadable_image")
        let messages = Dictionary(grouping: unreadable, by: { $0["image"] as? String ?? "" })
            .mapValues { $0.compactMap { $0["message"] as? String }.joined(separator: " | ") }
        XCTAssertEqual(Set(messages.keys), ["images/train/huge.png", "images/train/huge.jpg", "images/train/huge.webp"])
        for (image, text) in messages {
            XCTAssertTrue(text.contains("100000") || text.contains("65000"), "\(image): \(text)")
        }
        if !sanitized { XCTAssertLessThan(run.peak, 300 << 20, "no pixel buffer for the claimed size") }
    }

    // MARK: Interrupted hashing

    private func makeManyImages(_ count: Int) throws -> YOLOFixture {
        let f = YOLOFixture()
        for i in 0..<count {
            let split = i % 5 == 0 ? "val" : "train"
            try f.image("images/\(split)/frame\(i).png", width: 96, height: 96)
            try f.label("labels/\(split)/frame\(i).txt", "\(i % 3) 0.5 0.5 0.2 0.3\n")
        }
        try f.yaml()
        return f
    }

    private func hashingMetrics(_ json: [String: Any]) -> [String: Any] {
        ((json.check("duplicates")?["metrics"] as? [String: Any])?["hashing"] as? [String: Any]) ?? [:]
    }

    /// Ctrl-C (or a TERM from a CI runner) after hashing started: the cache holds whole
    /// records only, and the next run takes them instead of hashing those images again.
    func testInterruptDuringHashingKeepsTheCacheAndTheNextRunResumes() throws {
        let f = try makeManyImages(3000)
        for signal in [SIGINT, SIGTERM] {
            let cache = CLI.tempDir("cache\(signal)")
            let log = cache.appendingPathComponent("image-hashes-v1.log").path
            let out = CLI.tempDir("out\(signal)")
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["check", f.root.path, "--out", out.path, "--cache-dir", cache.path, "--jobs", "1", "--quiet"]
            var environment = ProcessInfo.processInfo.environment
            environment["QCPASS_RULES"] = CLI.repoRoot.appendingPathComponent("rules").path
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Hashing has started once its first slice reached the cache log.
            let deadline = Date().addingTimeInterval(120)
            while process.isRunning && Date() < deadline {
                let size = (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0
                if size > 0 { break }
                usleep(2_000)
            }
            XCTAssertTrue(process.isRunning, "hashing finished before it could be interrupted: make the dataset larger")
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("findings.json").path),
                           "an interrupted run leaves no half-written outputs")

            let rerun = try CLI.run(["check", f.root.path, "--out", out.path, "--cache-dir", cache.path, "--quiet"])
            XCTAssertNotEqual(rerun.status, 2, rerun.stderr)
            XCTAssertFalse(rerun.stderr.contains("cache"), rerun.stderr)
            let json = try CLI.findings(in: out)
            XCTAssertEqual(json.status("duplicates").map { $0 == "error" }, false)
            let metrics = hashingMetrics(json)
            let fromCache = metrics["from_cache"] as? Int ?? 0
            XCTAssertGreaterThan(fromCache, 0, "signal \(signal): \(metrics)")
            XCTAssertLessThan(fromCache, 3000, "signal \(signal): the first run was cut short: \(metrics)")
            XCTAssertEqual(fromCache + (metrics["decoded"] as? Int ?? -1) + (metrics["from_cache_content"] as? Int ?? 0), 3000,
                           "\(metrics)")
            XCTAssertEqual(metrics["failed"] as? Int, 0, "\(metrics)")
        }
    }

    // MARK: The dataset folder is read-only to qcpass

    private func snapshot(_ root: URL) throws -> [String: String] {
        var entries: [String: String] = [:]
        let keys: [URLResourceKey] = [.contentModificationDateKey, .fileSizeKey, .isDirectoryKey]
        let walker = try XCTUnwrap(FileManager.default.enumerator(at: root, includingPropertiesForKeys: keys))
        for case let url as URL in walker {
            let values = try url.resourceValues(forKeys: Set(keys))
            let stamp = values.contentModificationDate?.timeIntervalSince1970 ?? 0
            entries[url.path] = "\(values.isDirectory == true ? "d" : "f") \(values.fileSize ?? 0) \(stamp)"
        }
        var info = stat()
        stat(root.path, &info)
        entries["."] = "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        return entries
    }

    func testCheckAndSampleWriteNothingInsideTheDataset() throws {
        let copy = CLI.tempDir().appendingPathComponent("yolo_forklift")
        try FileManager.default.copyItem(at: CLI.repoRoot.appendingPathComponent("samples/yolo_forklift"), to: copy)
        let before = try snapshot(copy)
        let work = CLI.tempDir()
        let cache = CLI.tempDir()
        // From inside the dataset folder too: the default --out (./qc) would land in it.
        let check = try CLI.run(["check", copy.path, "--out", work.appendingPathComponent("qc").path, "--cache-dir", cache.path, "--quiet"],
                                cwd: work)
        XCTAssertEqual(check.status, 1, check.stderr)
        let sample = try CLI.run(["sample", copy.appendingPathComponent("data.yaml").path, "--out", work.appendingPathComponent("audit").path,
                                  "--cache-dir", cache.path, "--quiet"], cwd: work)
        XCTAssertEqual(sample.status, 0, sample.stderr)
        let rerun = try CLI.run(["check", copy.path, "--out", work.appendingPathComponent("qc2").path, "--cache-dir", cache.path, "--quiet"],
                                cwd: work)
        XCTAssertEqual(rerun.status, 1, rerun.stderr)
        let inside = try CLI.run(["check", ".", "--cache-dir", cache.path, "--quiet"], cwd: copy)
        XCTAssertEqual(inside.status, 2, "refuses ./qc inside the dataset: \(inside.stderr)")
        XCTAssertEqual(try snapshot(copy), before)
    }
}
