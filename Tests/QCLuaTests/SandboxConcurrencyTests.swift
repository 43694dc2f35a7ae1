import Foundation
import XCTest
import QCLua

final class SandboxConcurrencyTests: XCTestCase {
    private final class Outcomes: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [Int: String] = [:]
        func set(_ i: Int, _ s: String) { lock.lock(); items[i] = s; lock.unlock() }
        var all: [Int: String] { lock.lock(); defer { lock.unlock() }; return items }
    }

    /// Each sandbox hits its own limit (different deadlines, different memory caps) while
    /// the others run; none is stopped early, late, or for another's reason.
    func testSandboxesOnDifferentThreadsHitTheirOwnLimits() {
        let outcomes = Outcomes()
        let count = 6
        DispatchQueue.concurrentPerform(iterations: count) { i in
            do {
                // Each role only gets the limit it is meant to hit: the memory bombs have
                // plenty of time, the loops plenty of memory.
                let role = i % 3
                let timeout = role == 1 ? 60 : 0.2 + 0.15 * Double(i)
                let memory = role == 1 ? (16 + 4 * i) << 20 : 256 << 20
                let sandbox = try LuaSandbox(limits: .init(memoryBytes: memory, timeoutSeconds: timeout))
                try sandbox.register("qc.id") { args in .success([args.first ?? .nil]) }
                var report: [String] = []
                switch role {
                case 0:
                    let start = Date()
                    do {
                        _ = try sandbox.run(source: "while true do qc.id(1) end", chunkName: "loop\(i).lua")
                        report.append("no error")
                    } catch let error as LuaError {
                        let elapsed = Date().timeIntervalSince(start)
                        if case .timeLimit(let s, _) = error, s == timeout, elapsed >= timeout * 0.95, elapsed < timeout + 3 {
                            report.append("time")
                        } else {
                            report.append("wrong: \(error) after \(elapsed)")
                        }
                    }
                case 1:
                    do {
                        _ = try sandbox.run(source: "local t = {} for i = 1, 1e9 do t[i] = ('v'):rep(200) .. qc.id(i) end", chunkName: "mem\(i).lua")
                        report.append("no error")
                    } catch let error as LuaError {
                        if case .memoryLimit(let bytes, _) = error, bytes == memory { report.append("memory") } else { report.append("wrong: \(error)") }
                    }
                default:
                    // Ordinary work that must not be disturbed by the neighbours' limits.
                    let f = try sandbox.run(source: "return function(n) local s = 0 for i = 1, n do s = s + qc.id(i) end return s end",
                                            chunkName: "work\(i).lua").first?.asFunction
                    var ok = true
                    for _ in 0..<50 {
                        let sum = try sandbox.call(f!, [.int(2000)])
                        ok = ok && sum == [.int(2001000)]
                    }
                    report.append(ok ? "work" : "wrong sum")
                }
                let after = try sandbox.run(source: "return 40 + 2", chunkName: "after.lua")
                report.append(after == [.int(42)] ? "usable" : "unusable")
                outcomes.set(i, report.joined(separator: ","))
            } catch {
                outcomes.set(i, "setup failed: \(error)")
            }
        }
        let all = outcomes.all
        for i in 0..<count {
            let expected = ["time", "memory", "work"][i % 3] + ",usable"
            XCTAssertEqual(all[i], expected, "sandbox \(i)")
        }
    }
}
