import XCTest
import QCLua

final class SandboxValueTests: XCTestCase {
    private let samples: [LuaValue] = [
        .nil, .bool(true), .bool(false),
        .int(0), .int(-7), .int(Int64.max), .int(Int64.min),
        .number(1.0), .number(-0.5), .number(1e300), .number(Double.infinity),
        .string(""), .string("plain"), .string("nul\0in\0the middle"), .string("ünïcödé ✓ 日本語 🚀"),
        [1, 2, 3],
        ["name": "cat", "count": 3, "share": 0.25, "flags": [true, false]],
        .table(LuaTable(array: [.int(1), .number(2)], fields: [(.int(10), "ten"), (.int(-1), "minus"), (.string("k"), [["deep": [1.5]]])])),
        .table(LuaTable()),
    ]

    func testValuesRoundTripThroughACall() throws {
        let sandbox = try makeSandbox()
        let identity = try XCTUnwrap(sandbox.run(source: "return function(...) return ... end", chunkName: "id.lua").first?.asFunction)
        XCTAssertEqual(try sandbox.call(identity, samples), samples)
        for sample in samples {
            XCTAssertEqual(try sandbox.call(identity, [sample]), [sample])
        }
    }

    func testValuesRoundTripThroughGlobals() throws {
        let sandbox = try makeSandbox()
        for (i, sample) in samples.enumerated() where sample != .nil {
            try sandbox.setGlobal("v\(i)", sample)
            XCTAssertEqual(try sandbox.run(source: "return v\(i)", chunkName: "g.lua"), [sample])
        }
    }

    func testLuaSeesTheRightTypes() throws {
        let sandbox = try makeSandbox()
        let probe = try XCTUnwrap(sandbox.run(source: """
            return function(i, f, s, t)
              return math.type(i), math.type(f), #s, s:byte(4), t.list[3], t.map.x, #t.list
            end
            """, chunkName: "probe.lua").first?.asFunction)
        let result = try sandbox.call(probe, [.int(3), .number(3), "nul\0x", ["list": [10, 20, 30], "map": ["x": "y"]]])
        XCTAssertEqual(result, ["integer", "float", .int(5), .int(0), .int(30), "y", .int(3)])
    }

    func testLuaTablesDecodeIntoArrayAndFields() throws {
        let sandbox = try makeSandbox()
        let result = try sandbox.run(source: """
            local t = {10, 20, 30, name = 'x'}
            t[5] = 50          -- a hole at 4: 5 stays a field
            local grown = {}
            grown[3] = 'c'; grown[2] = 'b'; grown[1] = 'a'   -- filled backwards, still a sequence
            return t, grown, {[2.0] = 'two', [1] = 'one'}, 1, 1.0, 2^53
            """, chunkName: "t.lua")
        XCTAssertEqual(result[0], .table(LuaTable(array: [10, 20, 30], fields: [(.string("name"), "x"), (.int(5), 50)])))
        XCTAssertEqual(result[1], ["a", "b", "c"])
        XCTAssertEqual(result[2], ["one", "two"])
        XCTAssertEqual(result[3], .int(1))
        XCTAssertEqual(result[4], .number(1))
        XCTAssertEqual(result[5], .number(9007199254740992))
    }

    func testDeepNestingIsInvalidValueNotACrash() throws {
        let sandbox = try makeSandbox()
        let error = luaError {
            _ = try sandbox.run(source: "local t = {} for i = 1, 1000 do t = {t} end return t", chunkName: "deep.lua")
        }
        guard case .invalidValue(let message)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertTrue(message.contains("nested more than 64 levels"), message)
        let cycle = luaError { _ = try sandbox.run(source: "local t = {} t.self = t return t", chunkName: "cycle.lua") }
        guard case .invalidValue? = cycle else { return XCTFail("got \(String(describing: cycle))") }
        // Swift → Lua: too deep is refused too.
        var deep: LuaValue = [1]
        for _ in 0..<1000 { deep = [deep] }
        let identity = try XCTUnwrap(sandbox.run(source: "return function(...) return ... end", chunkName: "id.lua").first?.asFunction)
        guard case .invalidValue? = luaError({ _ = try sandbox.call(identity, [deep]) }) else { return XCTFail() }
        XCTAssertEqual(try sandbox.run(source: "return 'still fine'", chunkName: "ok.lua"), ["still fine"])
    }

    func testUnrepresentableKeysAreInvalidValue() throws {
        let sandbox = try makeSandbox()
        for source in ["return {[true] = 1}", "return {[1.5] = 1}", "return {[{}] = 1}"] {
            guard case .invalidValue? = luaError({ _ = try sandbox.run(source: source, chunkName: "k.lua") }) else {
                return XCTFail(source)
            }
        }
    }

    func testNativeReceivesDecodedTable() throws {
        let sandbox = try makeSandbox()
        final class Box: @unchecked Sendable { var args: [LuaValue] = [] }
        let box = Box()
        try sandbox.register("qc.take") { args in
            box.args = args
            return .success([.int(Int64(args.count)), ["echo": args.first ?? .nil]])
        }
        let result = try sandbox.run(source: """
            local n, r = qc.take({boxes = {{1, 2, 3, 4}, {5, 6, 7, 8}}, label = 'cat', score = 0.5}, nil, 7)
            return n, r.echo.label, r.echo.boxes[2][4]
            """, chunkName: "take.lua")
        XCTAssertEqual(result, [.int(3), "cat", .int(8)])
        XCTAssertEqual(box.args.count, 3)
        XCTAssertEqual(box.args[0], ["boxes": [[1, 2, 3, 4], [5, 6, 7, 8]], "label": "cat", "score": 0.5])
        XCTAssertEqual(box.args[1], .nil)
        XCTAssertEqual(box.args[2], .int(7))
    }

    func testFunctionsBecomeStableReferences() throws {
        let sandbox = try makeSandbox()
        let returned = try sandbox.run(source: """
            local function run(x) return x + 1 end
            return {id = 'r', run = run}, run
            """, chunkName: "rule.lua")
        guard case .function(let inTable)? = returned[0].asTable?["run"], case .function(let direct) = returned[1] else {
            return XCTFail("\(returned)")
        }
        XCTAssertEqual(inTable, direct, "the same function gives the same reference")
        XCTAssertEqual(try sandbox.call(inTable, [.int(1)]), [.int(2)])
        // A function can go back into Lua and be called there.
        let apply = try XCTUnwrap(sandbox.run(source: "return function(f, v) return f(v) end", chunkName: "apply.lua").first?.asFunction)
        XCTAssertEqual(try sandbox.call(apply, [.function(direct), .int(41)]), [.int(42)])
        // Not across sandboxes.
        let other = try makeSandbox()
        guard case .invalidValue? = luaError({ _ = try other.call(direct, []) }) else { return XCTFail() }
        // Released references stop working.
        sandbox.release(direct)
        XCTAssertNotNil(luaError { _ = try sandbox.call(direct, [.int(1)]) }?.runtimeMessage)
    }

    func testNativeReturningForeignFunctionIsALuaError() throws {
        let a = try makeSandbox()
        let b = try makeSandbox()
        let fromA = try XCTUnwrap(a.run(source: "return function() end", chunkName: "a.lua").first)
        try b.register("qc.leak") { _ in .success([fromA]) }
        let error = luaError { _ = try b.run(source: "return qc.leak()", chunkName: "b.lua") }
        XCTAssertTrue(error?.runtimeMessage?.contains("another sandbox") ?? false, "\(String(describing: error))")
    }
}
