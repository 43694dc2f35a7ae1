import Foundation
import XCTest
import QCLua

final class SandboxIsolationTests: XCTestCase {
    func testDangerousGlobalsAreAbsent() throws {
        let sandbox = try makeSandbox()
        let names = ["os", "io", "load", "loadstring", "loadfile", "dofile", "debug", "package", "coroutine"]
        for name in names {
            XCTAssertEqual(try sandbox.run(source: "return \(name) == nil", chunkName: "g.lua"), [.bool(true)], name)
        }
        XCTAssertEqual(try sandbox.run(source: "return string.dump == nil, ('').dump == nil", chunkName: "g.lua"),
                       [.bool(true), .bool(true)])
        XCTAssertEqual(try sandbox.run(source: "return type(string.format), type(table.concat), type(math.floor), type(utf8.char)",
                                       chunkName: "g.lua"), ["function", "function", "function", "function"])
    }

    func testCollectGarbageOnlyCounts() throws {
        let sandbox = try makeSandbox()
        let counted = try sandbox.run(source: "return collectgarbage('count')", chunkName: "gc.lua")
        XCTAssertGreaterThan(counted.first?.asDouble ?? 0, 1)
        let error = luaError { _ = try sandbox.run(source: "collectgarbage('stop')", chunkName: "gc.lua") }
        XCTAssertTrue(error?.runtimeMessage?.contains("only \"count\"") ?? false, "\(String(describing: error))")
    }

    func testRequireLoadsOnlyFromLibDirectory() throws {
        let dir = try temporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: dir + "/lib/stats", withIntermediateDirectories: true)
        try "leak = 'from module'\nlocal M = {}\nfunction M.mean(t) local s = 0 for _, v in ipairs(t) do s = s + v end return s / #t end\nreturn M"
            .write(toFile: dir + "/lib/stats/basic.lua", atomically: true, encoding: .utf8)
        try "error('module failed')".write(toFile: dir + "/lib/broken.lua", atomically: true, encoding: .utf8)
        try "\u{1B}Lua fake bytecode".write(toFile: dir + "/lib/binary.lua", atomically: true, encoding: .utf8)
        try "return 'secret'".write(toFile: dir + "/outside.lua", atomically: true, encoding: .utf8)

        let sandbox = try makeSandbox(libDirectory: dir + "/lib")
        XCTAssertEqual(try sandbox.run(source: """
            local s = require('stats.basic')
            return s.mean({1, 2, 3, 4}), require('stats.basic') == s, leak
            """, chunkName: "rules/use.lua"), [.number(2.5), .bool(true), .nil])

        for bad in ["../outside", "/etc/passwd", "..", "stats/basic", "a..b", ".x", "x.", "", "stats.basic\0"] {
            let error = luaError { _ = try sandbox.run(source: "return require(\(luaQuoted(bad)))", chunkName: "r.lua") }
            XCTAssertTrue(error?.runtimeMessage?.contains("invalid module name") ?? false, "\(bad): \(String(describing: error))")
        }
        let missing = luaError { _ = try sandbox.run(source: "return require('nope')", chunkName: "r.lua") }
        XCTAssertTrue(missing?.runtimeMessage?.contains("module 'nope' not found") ?? false, "\(String(describing: missing))")

        let broken = luaError { _ = try sandbox.run(source: "return require('broken')", chunkName: "r.lua") }
        // The temporary path is longer than Lua's 60-character chunk names: shown shortened.
        XCTAssertEqual(broken?.location?.file, (dir + "/lib/broken.lua").count < 59 ? dir + "/lib/broken.lua" : "lib/broken.lua")
        XCTAssertEqual(broken?.location?.line, 1)

        let binary = luaError { _ = try sandbox.run(source: "return require('binary')", chunkName: "r.lua") }
        XCTAssertTrue(binary?.runtimeMessage?.contains("binary (precompiled) chunks are not accepted") ?? false,
                      "\(String(describing: binary))")

        let noLib = try makeSandbox()
        XCTAssertTrue(luaError { _ = try noLib.run(source: "return require('stats.basic')", chunkName: "r.lua") }?
            .runtimeMessage?.contains("not found") ?? false)
    }

    func testBinaryChunkRefused() throws {
        let sandbox = try makeSandbox()
        let bytecode = "\u{1B}Lua\u{54}\u{00}\u{19}\u{93}\r\n\u{1A}\n\u{04}\u{08}\u{08}"
        let error = luaError { _ = try sandbox.run(source: bytecode, chunkName: "rules/compiled.lua") }
        guard case .syntax(let message)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertEqual(message, "rules/compiled.lua: binary (precompiled) chunks are not accepted; load Lua source text")
    }

    func testChunksCannotAffectEachOther() throws {
        let sandbox = try makeSandbox()
        try sandbox.register("qc.answer") { _ in .success([.int(42)]) }
        try sandbox.setGlobal("limits", ["max": 3])
        _ = try sandbox.run(source: """
            shared = 'A was here'
            string.rep = nil
            table.insert = nil
            math.pi = 3
            qc.answer = nil
            limits.max = 99
            print = nil
            _G.injected = true
            """, chunkName: "a.lua")
        let seen = try sandbox.run(source: """
            return shared, type(string.rep), type(table.insert), math.pi, qc.answer(), limits.max, type(print),
                   injected, ('ab'):rep(2)
            """, chunkName: "b.lua")
        XCTAssertEqual(seen, [.nil, "function", "function", .number(Double.pi), .int(42), .int(3), "function", .nil, "abab"])
    }

    func testStringMetatableIsLocked() throws {
        let sandbox = try makeSandbox()
        XCTAssertEqual(try sandbox.run(source: "return getmetatable('')", chunkName: "m.lua"), [.bool(false)])
        let error = luaError {
            _ = try sandbox.run(source: "getmetatable('').__index.rep = nil", chunkName: "m.lua")
        }
        XCTAssertNotNil(error?.runtimeMessage)
        XCTAssertEqual(try sandbox.run(source: "return ('x'):rep(3), ('%d'):format(5)", chunkName: "m.lua"), ["xxx", "5"])
    }

    func testPrintGoesToTheSink() throws {
        final class Lines: @unchecked Sendable { var all: [String] = [] }
        let lines = Lines()
        let sandbox = try makeSandbox(printSink: { lines.all.append($0) })
        _ = try sandbox.run(source: "print('hello', 1, 2.5, nil, true)\nprint()", chunkName: "p.lua")
        XCTAssertEqual(lines.all, ["hello\t1\t2.5\tnil\ttrue", ""])
    }

    func testGlobalsRegisteredLaterAreOnlyVisibleToLaterChunks() throws {
        let sandbox = try makeSandbox()
        let early = try XCTUnwrap(sandbox.run(source: "return function() return qc end", chunkName: "early.lua").first?.asFunction)
        try sandbox.register("qc.late") { _ in .success(["late"]) }
        XCTAssertEqual(try sandbox.call(early, []), [.nil])
        XCTAssertEqual(try sandbox.run(source: "return qc.late()", chunkName: "late.lua"), ["late"])
        XCTAssertThrowsError(try sandbox.register("bad path", { _ in .success([]) }))
        XCTAssertThrowsError(try sandbox.register("qc.late.x", { _ in .success([]) }))
    }
}

private func luaQuoted(_ s: String) -> String {
    "\"" + s.unicodeScalars.map { $0.value < 32 || $0 == "\"" || $0 == "\\" ? "\\\($0.value)" : String($0) }.joined() + "\""
}
