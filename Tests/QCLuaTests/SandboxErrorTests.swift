import XCTest
import QCLua

final class SandboxErrorTests: XCTestCase {
    func testRuntimeErrorCarriesChunkLineAndTraceback() throws {
        let sandbox = try makeSandbox()
        let source = """
            local x = 1
            local function explode()
              error("boom")
            end
            explode()
            """
        let error = luaError { _ = try sandbox.run(source: source, chunkName: "rules/explode.lua") }
        guard case .runtime(let message, let traceback)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertEqual(message, "rules/explode.lua:3: boom")
        XCTAssertEqual(error?.location?.file, "rules/explode.lua")
        XCTAssertEqual(error?.location?.line, 3)
        XCTAssertTrue(traceback.hasPrefix("stack traceback:"), traceback)
        XCTAssertTrue(traceback.contains("rules/explode.lua:3: in local 'explode'"), traceback)
        XCTAssertTrue(traceback.contains("rules/explode.lua:5: in main chunk"), traceback)
        XCTAssertFalse(traceback.hasSuffix("[C]: in ?"), traceback)
    }

    func testErrorInsideCalledFunctionPointsAtItsLine() throws {
        let sandbox = try makeSandbox()
        let returned = try sandbox.run(source: "return function(t)\n  return t.missing.field\nend", chunkName: "rules/index.lua")
        let function = try XCTUnwrap(returned.first?.asFunction)
        let error = luaError { _ = try sandbox.call(function, [.table(LuaTable())]) }
        XCTAssertEqual(error?.location?.file, "rules/index.lua")
        XCTAssertEqual(error?.location?.line, 2)
        XCTAssertTrue(error?.runtimeMessage?.contains("attempt to index a nil value (field 'missing')") ?? false, "\(String(describing: error))")
        // The sandbox is still fine.
        XCTAssertEqual(try sandbox.call(function, [["missing": ["field": 7]]]), [.int(7)])
    }

    func testSyntaxErrorIsSyntax() throws {
        let sandbox = try makeSandbox()
        let error = luaError { _ = try sandbox.run(source: "local x = \nreturn = 3", chunkName: "rules/bad.lua") }
        guard case .syntax(let message)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertTrue(message.hasPrefix("rules/bad.lua:2:"), message)
        XCTAssertEqual(error?.location?.line, 2)
    }

    func testNonStringErrorObjectsAreDescribed() throws {
        let sandbox = try makeSandbox()
        let error = luaError { _ = try sandbox.run(source: "error({code = 1})", chunkName: "t.lua") }
        XCTAssertEqual(error?.runtimeMessage, "(error object is a table value)")
        XCTAssertNil(error?.location)
        let withToString = luaError {
            _ = try sandbox.run(source: "error(setmetatable({}, {__tostring = function() return 'custom' end}))", chunkName: "t.lua")
        }
        XCTAssertEqual(withToString?.runtimeMessage, "custom")
    }

    func testNativeBadArgumentReadsLikeLuasOwnAndIsCatchable() throws {
        let sandbox = try makeSandbox()
        try sandbox.register("qc.x") { args in
            guard let first = args.first else {
                return .failure(.missingArgument(1, function: "qc.x", expected: "table"))
            }
            guard case .table(let t) = first else {
                return .failure(.badArgument(1, function: "qc.x", expected: "table", got: first))
            }
            return .success([.int(Int64(t.array.count))])
        }
        let caught = try sandbox.run(source: """
            local ok, err = pcall(qc.x, 5)
            local ok2, err2 = pcall(function() local r = qc.x(); return r end)
            return ok, err, ok2, err2, qc.x({1, 2, 3})
            """, chunkName: "rules/args.lua")
        XCTAssertEqual(caught, [
            .bool(false), .string("bad argument #1 to 'qc.x' (table expected, got number)"),
            .bool(false), .string("rules/args.lua:2: bad argument #1 to 'qc.x' (table expected, got no value)"),
            .int(3),
        ])

        let error = luaError { _ = try sandbox.run(source: "local n = 1\nqc.x(n)", chunkName: "rules/args.lua") }
        XCTAssertEqual(error?.runtimeMessage, "rules/args.lua:2: bad argument #1 to 'qc.x' (table expected, got number)")
        XCTAssertEqual(error?.location?.line, 2)
    }

    func testLocationParsing() {
        XCTAssertEqual(LuaError.runtime(message: "C:/x/y.lua:12: oops", traceback: "").location?.file, "C:/x/y.lua")
        XCTAssertEqual(LuaError.runtime(message: "C:/x/y.lua:12: oops", traceback: "").location?.line, 12)
        XCTAssertNil(LuaError.runtime(message: "no place here: at all", traceback: "").location)
        XCTAssertNil(LuaError.runtime(message: "first line\nt.lua:3: later", traceback: "").location)
    }
}
