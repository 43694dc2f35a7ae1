import Foundation
import XCTest
import QCLua

/// Not a timed test: prints per-call costs when QCPASS_BENCH=1, otherwise skipped.
///   QCPASS_BENCH=1 swift test -c release --filter SandboxBenchmarkTests
final class SandboxBenchmarkTests: XCTestCase {
    func testCallCosts() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["QCPASS_BENCH"] == "1", "set QCPASS_BENCH=1 to measure")
        let n = 1_000_000
        let sandbox = try LuaSandbox()
        try sandbox.register("qc.nop") { _ in .success([]) }
        try sandbox.register("qc.inc") { args in .success([.int((args.first?.asInt ?? 0) + 1)]) }
        try sandbox.register("qc.image") { args in
            let i = args.first?.asInt ?? 0
            return .success([["path": .string("img/\(i).jpg"), "width": 640, "height": 480, "labels": .int(i % 7)]])
        }
        let prebuilt: LuaValue = ["path": "img/1.jpg", "width": 640, "height": 480, "labels": 3]
        try sandbox.register("qc.constant") { _ in .success([prebuilt]) }
        func measure(_ label: String, _ body: () throws -> Void) rethrows {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            let ns = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(n)
            print(String(format: "%-52@ %8.1f ns/call", label as NSString, ns))
        }
        try measure("empty Lua loop (baseline)") {
            _ = try sandbox.run(source: "local x = 0 for i = 1, \(n) do x = x + i end", chunkName: "b.lua")
        }
        try measure("pure Lua: build a 4-field table (baseline)") {
            _ = try sandbox.run(source: "for i = 1, \(n) do local t = {path = 'img/1.jpg', width = 640, height = 480, labels = i} end",
                                chunkName: "b.lua")
        }
        try measure("Lua -> native, no args, no results") {
            _ = try sandbox.run(source: "local f = qc.nop for i = 1, \(n) do f() end", chunkName: "b.lua")
        }
        try measure("Lua -> native, int arg, int result") {
            _ = try sandbox.run(source: "local f = qc.inc local s = 0 for i = 1, \(n) do s = s + f(i) end", chunkName: "b.lua")
        }
        try measure("Lua -> native, int arg, 4-field table result") {
            _ = try sandbox.run(source: "local f = qc.image for i = 1, \(n) do local t = f(i) end", chunkName: "b.lua")
        }
        try measure("Lua -> native, no args, prebuilt 4-field table result") {
            _ = try sandbox.run(source: "local f = qc.constant for i = 1, \(n) do local t = f() end", chunkName: "b.lua")
        }
        measure("Swift only: build that table value (no Lua)") {
            var keep = 0
            for i in 0..<n {
                let v: LuaValue = ["path": .string("img/\(i).jpg"), "width": 640, "height": 480, "labels": .int(Int64(i % 7))]
                if case .table(let t) = v { keep &+= t.fields.count }
            }
            XCTAssertEqual(keep, 4 * n)
        }
        let key = try XCTUnwrap(sandbox.run(source: "return function(img) return img end", chunkName: "k.lua").first?.asFunction)
        let identity = try XCTUnwrap(sandbox.run(source: "return function(x) return x end", chunkName: "k.lua").first?.asFunction)
        try measure("Swift -> Lua, int arg, int result") {
            for i in 0..<n { _ = try sandbox.call(identity, [.int(Int64(i))]) }
        }
        let image: LuaValue = ["path": "img/1.jpg", "width": 640, "height": 480, "labels": 3]
        let groupKey = try XCTUnwrap(sandbox.run(source: "return function(img) return img.path:match('^(.-)/') end",
                                                 chunkName: "k.lua").first?.asFunction)
        try measure("Swift -> Lua, 4-field table arg, string result") {
            for _ in 0..<n { _ = try sandbox.call(groupKey, [image]) }
        }
        _ = key
    }
}
