import Foundation
import XCTest
import QCLua

final class SandboxLimitTests: XCTestCase {
    private func assertStopsInTime(_ source: String, timeout: Double = 0.3,
                                   file: StaticString = #filePath, line: UInt = #line) throws -> LuaError? {
        let sandbox = try makeSandbox(timeout: timeout)
        let start = Date()
        let error = luaError({ _ = try sandbox.run(source: source, chunkName: "rules/loop.lua") }, file: file, line: line)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertTrue(error?.isTimeLimit ?? false, "got \(String(describing: error))", file: file, line: line)
        XCTAssertGreaterThanOrEqual(elapsed, timeout * 0.95, file: file, line: line)
        XCTAssertLessThan(elapsed, timeout + 2, file: file, line: line)
        // Usable afterwards, with a fresh deadline.
        XCTAssertEqual(try sandbox.run(source: "local s = 0 for i = 1, 1000 do s = s + i end return s", chunkName: "after.lua"),
                       [.int(500500)], file: file, line: line)
        return error
    }

    func testInfiniteLoopStoppedByTimeLimit() throws {
        let error = try assertStopsInTime("local n = 0\nwhile true do\n  n = n + 1\nend")
        guard case .timeLimit(let seconds, let traceback)? = error else { return XCTFail() }
        XCTAssertEqual(seconds, 0.3)
        XCTAssertEqual(error?.location?.file, "rules/loop.lua")
        XCTAssertTrue([2, 3].contains(error?.location?.line ?? 0), "\(traceback)")
        XCTAssertTrue(error?.description.hasSuffix("time limit of 0.3 s exceeded") ?? false, error?.description ?? "")
    }

    func testPcallCannotSwallowTheTimeLimit() throws {
        _ = try assertStopsInTime("pcall(function() while true do end end)\nreturn 'swallowed'")
        _ = try assertStopsInTime("while true do pcall(function() while true do end end) end")
        _ = try assertStopsInTime("xpcall(function() while true do end end, function(e) return e end)\nreturn 'swallowed'")
        _ = try assertStopsInTime("""
            while true do
              local ok = pcall(error, 'x')
              xpcall(function() while true do end end, function() while true do end end)
            end
            """)
    }

    func testLongCallFromSwiftStoppedAndFunctionStillCallable() throws {
        let sandbox = try makeSandbox(timeout: 0.3)
        let f = try XCTUnwrap(sandbox.run(source: "return function(n) if n < 0 then while true do end end return n * 2 end",
                                          chunkName: "f.lua").first?.asFunction)
        XCTAssertEqual(try sandbox.call(f, [.int(21)]), [.int(42)])
        XCTAssertTrue(luaError { _ = try sandbox.call(f, [.int(-1)]) }?.isTimeLimit ?? false)
        XCTAssertEqual(try sandbox.call(f, [.int(4)]), [.int(8)])
    }

    func testManyShortCallsDoNotAccumulateTowardsTheLimit() throws {
        let sandbox = try makeSandbox(timeout: 0.2)
        let f = try XCTUnwrap(sandbox.run(source: "return function() local s = 0 for i = 1, 20000 do s = s + i end return s end",
                                          chunkName: "f.lua").first?.asFunction)
        let start = Date()
        while Date().timeIntervalSince(start) < 0.6 {
            XCTAssertEqual(try sandbox.call(f, []), [.int(200010000)])
        }
    }

    func testNestedCallFromNativeSharesTheOuterDeadline() throws {
        let sandbox = try makeSandbox(timeout: 0.3)
        try sandbox.register("qc.each") { [unowned sandbox] args in
            guard case .function(let f)? = args.first else { return .failure(NativeError("qc.each: function expected")) }
            for i in 1...3 {
                do { _ = try sandbox.call(f, [.int(Int64(i))]) } catch { return .failure(NativeError("\(error)")) }
            }
            return .success([])
        }
        let error = luaError {
            _ = try sandbox.run(source: "qc.each(function(i) if i == 2 then while true do end end end)\nreturn 1", chunkName: "nested.lua")
        }
        XCTAssertTrue(error?.isTimeLimit ?? false, "\(String(describing: error))")
        XCTAssertEqual(try sandbox.run(source: "local n = 0 qc.each(function(i) n = n + i end) return n", chunkName: "ok.lua"), [.int(6)])
    }

    func testMemoryBombStoppedByMemoryLimit() throws {
        let limit = 32 << 20
        let sandbox = try makeSandbox(memory: limit, timeout: 30)
        let baseline = sandbox.memoryUsed
        let bombs = [
            "local t = {}\nfor i = 1, 1e9 do t[i] = {i} end",
            "local s = string.rep('x', 100 * 1024 * 1024)\nreturn #s",
            "local parts = {} for i = 1, 1e9 do parts[#parts + 1] = ('x'):rep(1000) .. i end",
            "local ok = pcall(function() local t = {} for i = 1, 1e9 do t[i] = i end end)\nreturn 'swallowed', ok",
            "local t = {}\nwhile true do t[#t + 1] = tostring(#t) .. ('y'):rep(100) end",
        ]
        for bomb in bombs {
            let error = luaError { _ = try sandbox.run(source: bomb, chunkName: "rules/bomb.lua") }
            guard case .memoryLimit(let bytes, _)? = error else { XCTFail("\(bomb): got \(String(describing: error))"); continue }
            XCTAssertEqual(bytes, limit)
            XCTAssertTrue(error?.description.contains("memory limit of 32 MiB exceeded") ?? false)
            XCTAssertLessThan(sandbox.memoryUsed, baseline + (1 << 20), "garbage collected after the failure")
            // Still usable, with room to work.
            XCTAssertEqual(try sandbox.run(source: "return #string.rep('z', 8 * 1024 * 1024)", chunkName: "after.lua"),
                           [.int(8 << 20)])
        }
    }

    func testGarbageDoesNotCountAgainstTheLimit() throws {
        // Allocates far more than the limit in total, but never holds much at once.
        let sandbox = try makeSandbox(memory: 16 << 20, timeout: 30)
        let result = try sandbox.run(source: """
            local n = 0
            for i = 1, 200 do
              local t = {}
              for j = 1, 2000 do t[j] = ('x'):rep(100) .. j end
              n = n + #t
            end
            return n
            """, chunkName: "churn.lua")
        XCTAssertEqual(result, [.int(400_000)])
    }

    func testFinalizersAreRefused() throws {
        let sandbox = try makeSandbox()
        let error = luaError {
            _ = try sandbox.run(source: "setmetatable({}, {__gc = function() while true do end end})", chunkName: "gc.lua")
        }
        XCTAssertTrue(error?.runtimeMessage?.contains("__gc metamethods are not allowed") ?? false, "\(String(describing: error))")
        // Adding __gc after setmetatable does not mark the object for finalization (Lua semantics).
        XCTAssertEqual(try sandbox.run(source: """
            local mt = {}
            local t = setmetatable({}, mt)
            mt.__gc = function() while true do end end
            t = nil
            return getmetatable(setmetatable({}, {__index = {a = 1}})).__index.a
            """, chunkName: "gc2.lua"), [.int(1)])
        sandbox.collectGarbage()
    }
}
