import Foundation
import XCTest

/// Runs the built `qcpass` binary as a user would and collects what it printed and wrote.
enum CLI {
    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var binary: URL {
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("qcpass")
        }
        return Bundle.main.bundleURL.appendingPathComponent("qcpass")
    }

    static let testCacheHome: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qcpass-test-cache-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    static func run(_ args: [String], cwd: URL? = nil, env: [String: String] = [:]) throws -> Run {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        var environment = ProcessInfo.processInfo.environment
        environment["QCPASS_RULES"] = repoRoot.appendingPathComponent("rules").path
        // Image hashes go to a cache of the test run's own, never the user's ~/.cache.
        environment["XDG_CACHE_HOME"] = testCacheHome
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        if let cwd { p.currentDirectoryURL = cwd }
        return try capture(p)
    }

    /// Runs a configured process to its end and returns what it printed. stderr is read
    /// on its own thread while stdout is read here: read one after the other, a child
    /// that fills the stderr pipe (64 KiB) before closing stdout would never finish.
    static func capture(_ p: Process) throws -> Run {
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let stderrRead = DispatchGroup()
        nonisolated(unsafe) var e = Data()
        DispatchQueue.global().async(group: stderrRead) { e = err.fileHandleForReading.readDataToEndOfFile() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        stderrRead.wait()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                   stderr: String(decoding: e, as: UTF8.self))
    }

    static func tempDir(_ name: String = #function) -> URL {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qcpass-\(safe)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Loads findings.json, validates it against docs/findings.schema.json, and returns it.
    static func findings(in out: URL, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let data = try Data(contentsOf: out.appendingPathComponent("findings.json"))
        let json = try TestJSON.parse(data)
        let validator = try SchemaValidator(path: repoRoot.appendingPathComponent("docs/findings.schema.json").path)
        let errors = validator.validate(json)
        XCTAssertEqual(errors, [], "findings.json violates the schema", file: file, line: line)
        return json as! [String: Any]
    }
}

extension Dictionary where Key == String, Value == Any {
    var findingList: [[String: Any]] { self["findings"] as? [[String: Any]] ?? [] }
    var checkList: [[String: Any]] { self["checks"] as? [[String: Any]] ?? [] }
    func check(_ id: String) -> [String: Any]? { checkList.first { $0["id"] as? String == id } }
    func status(_ id: String) -> String? { check(id)?["status"] as? String }
    func findings(kind: String) -> [[String: Any]] { findingList.filter { $0["kind"] as? String == kind } }
}
