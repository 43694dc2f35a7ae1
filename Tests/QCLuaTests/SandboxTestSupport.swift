import Foundation
import XCTest
import QCLua

/// Runs `body`, which must fail with a LuaError, and returns that error.
func luaError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> LuaError? {
    do {
        try body()
        XCTFail("expected a LuaError", file: file, line: line)
        return nil
    } catch let error as LuaError {
        return error
    } catch {
        XCTFail("expected a LuaError, got \(error)", file: file, line: line)
        return nil
    }
}

func makeSandbox(memory: Int = 64 << 20, timeout: Double = 5, libDirectory: String? = nil,
                 printSink: ((String) -> Void)? = nil) throws -> LuaSandbox {
    try LuaSandbox(limits: .init(memoryBytes: memory, timeoutSeconds: timeout), libDirectory: libDirectory, printSink: printSink)
}

/// A temporary directory removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qcb-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
    return dir
}

extension LuaError {
    var isTimeLimit: Bool { if case .timeLimit = self { return true } else { return false } }
    var isMemoryLimit: Bool { if case .memoryLimit = self { return true } else { return false } }
    var runtimeMessage: String? { if case .runtime(let m, _) = self { return m } else { return nil } }
}
