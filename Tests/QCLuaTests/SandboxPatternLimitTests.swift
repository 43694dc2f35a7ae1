import Foundation
import XCTest
import QCCore
@testable import QCLua

/// Library functions whose loops run in C, where the time limit's count hook never fires:
/// backtracking patterns and table shifts. The limits must reach them too, the pattern
/// functions must still behave as Lua 5.4's, and a rule stopped by a limit must not stop
/// the other checks.
final class SandboxPatternLimitTests: XCTestCase {
    private func assertTimeLimit(_ source: String, timeout: Double = 0.5, file: StaticString = #filePath, line: UInt = #line) throws {
        let sandbox = try makeSandbox(timeout: timeout)
        let start = Date()
        let error = luaError({ _ = try sandbox.run(source: source, chunkName: "rules/slow.lua") }, file: file, line: line)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertTrue(error?.isTimeLimit ?? false, "\(source): got \(String(describing: error))", file: file, line: line)
        XCTAssertEqual(error?.location?.file, "rules/slow.lua", file: file, line: line)
        XCTAssertLessThan(elapsed, timeout + 2, "\(source)", file: file, line: line)
        XCTAssertEqual(try sandbox.run(source: "return ('a,b'):find(',')", chunkName: "after.lua"), [.int(2), .int(2)],
                       file: file, line: line)
    }

    func testCatastrophicPatternsStopAtTheTimeLimit() throws {
        // Each of these runs for hours (exponential or high-polynomial backtracking) inside one C call.
        try assertTimeLimit("local s = ('a'):rep(40)\nreturn s:find(('a?'):rep(40) .. ('a'):rep(40))")
        try assertTimeLimit("local s = ('a'):rep(200000)\nreturn s:match('.-.-.-.-b')")
        try assertTimeLimit("local s = ('a'):rep(100000)\nreturn select(2, s:gsub('.-.-.-b', 'x'))")
        try assertTimeLimit("local n = 0 for w in (('a'):rep(100000)):gmatch('.-.-.-b') do n = n + 1 end return n")
        try assertTimeLimit("return pcall(string.find, ('x'):rep(5000000), '.-.-y')")
    }

    func testHugeGsubHitsTheMemoryLimit() throws {
        let sandbox = try makeSandbox(memory: 32 << 20, timeout: 30)
        let error = luaError {
            _ = try sandbox.run(source: "local s = ('x'):rep(1000000)\nfor i = 1, 40 do s = s:gsub('x', 'xx') end\nreturn #s",
                                chunkName: "rules/grow.lua")
        }
        XCTAssertTrue(error?.isMemoryLimit ?? false, "\(String(describing: error))")
    }

    func testTableShiftsWithAFakeLengthAreRefusedNotLooped() throws {
        let sandbox = try makeSandbox(timeout: 30)
        let start = Date()
        for source in [
            "table.insert(setmetatable({}, {__len = function() return math.maxinteger end}), 1, 0)",
            "table.remove(setmetatable({}, {__len = function() return math.maxinteger end}), 1)",
            "table.move({}, 1, math.maxinteger - 1, 1)",
            "table.move({}, math.mininteger, -1, 1)",
        ] {
            let message = luaError { _ = try sandbox.run(source: source, chunkName: "rules/shift.lua") }?.runtimeMessage ?? ""
            XCTAssertTrue(message.contains("more than a rule may move"), "\(source): \(message)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertEqual(try sandbox.run(source: """
            local t = {1, 2, 3}
            table.insert(t, 1, 0) table.insert(t, 4) local r = table.remove(t, 2)
            local m = table.move({7, 8, 9}, 1, 3, 2, {})
            return table.concat(t, ","), r, m[2], m[4]
            """, chunkName: "ok.lua"), [.string("0,2,3,4"), .int(1), .int(7), .int(9)])
    }

    /// The pattern functions behave as the reference manual says, including their errors.
    func testPatternFunctionsKeepLuaSemantics() throws {
        let sandbox = try makeSandbox()
        func check(_ expression: String, _ expected: [LuaValue], line: UInt = #line) {
            XCTAssertEqual(try sandbox.run(source: "return \(expression)", chunkName: "p.lua"), expected, expression, line: line)
        }
        check("('hello world'):find('o w')", [.int(5), .int(7)])
        check("('hello world'):find('o', 6)", [.int(8), .int(8)])
        check("('hello'):find('l', -2)", [.int(4), .int(4)])
        check("('hello'):find('')", [.int(1), .int(0)])
        check("('hello'):find('', 10)", [.nil])
        check("('a.b'):find('.', 1, true)", [.int(2), .int(2)])
        check("('a+b'):find('+', 1, true)", [.int(2), .int(2)])
        check("('key = value'):find('(%w+)%s*=%s*(%w+)')", [.int(1), .int(11), .string("key"), .string("value")])
        check("('  trim me  '):match('^%s*(.-)%s*$')", [.string("trim me")])
        check("('2024:05:01 13:45:00'):match('^(%d+):(%d+):(%d+)')", [.string("2024"), .string("05"), .string("01")])
        check("('images/train/x.jpg'):match('([^/]+)%.(%a+)$')", [.string("x"), .string("jpg")])
        check("('frame_0012.png'):match('^(.-)_?(%d+)%.%w+$')", [.string("frame"), .string("0012")])
        check("('hello'):match('()ll()')", [.int(3), .int(5)])
        check("('THE (quick) fox'):find('%f[%a]%a+%f[%A]', 5)", [.int(6), .int(10)])
        check("('x = [[a]] [[b]]'):match('%b[]')", [.string("[[a]]")])
        check("('abcabc'):match('(a)(b)c%1%2')", [.string("a"), .string("b")])
        check("('aaa'):match('a-b')", [.nil])
        check("('aaab'):match('a-b')", [.string("aaab")])
        check("('aaab'):match('^a*')", [.string("aaa")])
        check("('ab'):match('a?b?c?')", [.string("ab")])
        check("('[x]'):match('[%[]')", [.string("[")])
        check("('a-z'):match('[a%-z]+')", [.string("a-z")])
        check("('Z9_'):match('[%u%d_]+')", [.string("Z9_")])
        check("('abc'):match('[^a]+')", [.string("bc")])
        check("('abc'):match('^b')", [.nil])
        check("('a$b'):match('a$b')", [.string("a$b")])
        check("('hello world'):gsub('o', '0')", [.string("hell0 w0rld"), .int(2)])
        check("('hello world'):gsub('(%w+)', '<%1>')", [.string("<hello> <world>"), .int(2)])
        check("('hello world'):gsub('%w+', '%0 %0', 1)", [.string("hello hello world"), .int(1)])
        check("('abc'):gsub('', '-')", [.string("-a-b-c-"), .int(4)])
        check("('abc'):gsub('%w', {a = '1', b = false})", [.string("1bc"), .int(3)])
        check("('a b'):gsub('%w', function(c) return c:upper() end)", [.string("A B"), .int(2)])
        check("('x'):gsub('x', '%%')", [.string("%"), .int(1)])
        check("('abc'):gsub('^a', 'z')", [.string("zbc"), .int(1)])
        check("('hello'):gsub('l+', function() end)", [.string("hello"), .int(1)])
        check("('abc'):gsub('()', '%1')", [.string("1a2b3c4"), .int(4)])
        check("select('#', ('a1b2'):gsub('%d', ''))", [.int(2)])
        check("(function() local t = {} for k, v in ('a=1, b=2'):gmatch('(%w+)=(%w+)') do t[#t + 1] = k .. v end return table.concat(t, ' ') end)()",
              [.string("a1 b2")])
        check("(function() local n = 0 for w in ('one two  three'):gmatch('%a*') do n = n + 1 end return n end)()", [.int(4)])
        check("(function() local t = {} for w in ('abcd'):gmatch('.', 3) do t[#t + 1] = w end return table.concat(t) end)()",
              [.string("cd")])
        check("string.find('a\\0b', '\\0')", [.int(2), .int(2)])
        check("string.find('a\\0b', '%z')", [.nil])
        check("string.rep('ab', 3, ',')", [.string("ab,ab,ab")])

        func error(_ expression: String, _ message: String, line: UInt = #line) {
            let got = luaError { _ = try sandbox.run(source: "return \(expression)", chunkName: "p.lua") }?.runtimeMessage ?? ""
            XCTAssertTrue(got.contains(message), "\(expression): \(got)", line: line)
        }
        error("('a'):find('%')", "malformed pattern (ends with '%')")
        error("('a'):find('[a')", "malformed pattern (missing ']')")
        error("('a'):find('(a')", "unfinished capture")
        error("('a'):match('a)')", "invalid pattern capture")
        check("('a)'):find('a)')", [.int(1), .int(2)])  // no special character: a plain search
        error("('a'):find('%1')", "invalid capture index %1")
        error("('a'):find('%b')", "missing arguments to '%b'")
        error("('a'):find('%fa')", "missing '[' after '%f' in pattern")
        error("('a'):gsub('a', '%2')", "invalid capture index %2")
        error("('a'):gsub('a', '%x')", "invalid use of '%' in replacement string")
        error("('a'):gsub('a', {a = {}})", "invalid replacement value (a table)")
        error("('a'):gsub('a', true)", "string/function/table expected")
        error("('a'):find(('('):rep(40))", "too many captures")
        error("(('a'):rep(300)):match(('a?'):rep(300))", "pattern too complex")
    }

    /// A rule stopped by the time limit inside a pattern, and one stopped by the memory
    /// limit, are `error` checks; the others still run and pass.
    func testLimitedRulesDoNotStopTheOtherChecks() throws {
        let dir = try temporaryDirectory(self)
        let data = "\(dir)/data"
        for folder in ["data/images/train", "data/labels/train", "extra"] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(folder)", withIntermediateDirectories: true)
        }
        try "train: images/train\nnames: [a]\n".write(toFile: "\(data)/data.yaml", atomically: true, encoding: .utf8)
        let png = ParserEntryPoints.seedImages().first(where: { $0.name == "rgb.png" })!.bytes
        for i in 0..<10 {
            _ = FileManager.default.createFile(atPath: "\(data)/images/train/i\(i).png", contents: Data(png))
            try "0 0.5 0.5 0.2 0.2\n".write(toFile: "\(data)/labels/train/i\(i).txt", atomically: true, encoding: .utf8)
        }
        try """
            return { id = "slow_pattern", title = "Slow", description = "backtracks",
              run = function(ds, p, emit) return { status = "pass", message = tostring(('a'):rep(60):find(('a?'):rep(60) .. ('a'):rep(60))) } end }
            """.write(toFile: "\(dir)/extra/slow_pattern.lua", atomically: true, encoding: .utf8)
        try """
            return { id = "greedy", title = "Greedy", description = "allocates",
              run = function(ds, p, emit) local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(65536) .. i end end }
            """.write(toFile: "\(dir)/extra/greedy.lua", atomically: true, encoding: .utf8)
        var request = CheckPipeline.Request(datasetPath: data)
        request.defaultRuleDirectory = LabelRuleTests.rulesDir
        request.extraRuleDirectories = ["\(dir)/extra"]
        request.engine.only = ["slow_pattern", "greedy", "background"]
        request.engine.limits = LuaSandbox.Limits(memoryBytes: 48 << 20, timeoutSeconds: 3)
        let result = try CheckPipeline.run(request)
        let status = Dictionary(uniqueKeysWithValues: result.outcome.checks.map { ($0.id, $0.status) })
        XCTAssertEqual(status["slow_pattern"], .error)
        XCTAssertEqual(status["greedy"], .error)
        XCTAssertEqual(status["background"], .pass)
        let slow = try XCTUnwrap(result.outcome.checks.first { $0.id == "slow_pattern" })
        XCTAssertTrue(slow.message.contains("time limit"), slow.message)
        let greedy = try XCTUnwrap(result.outcome.checks.first { $0.id == "greedy" })
        XCTAssertTrue(greedy.message.contains("memory limit"), greedy.message)
    }
}
