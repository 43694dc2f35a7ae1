import Foundation

/// One sandboxed Lua 5.4 state: base/table/string/math/utf8 only, a `require` limited to
/// the rule pack's lib directory, a fresh environment per loaded chunk, a memory limit
/// and a time limit per call.
///
/// Not Sendable: use one sandbox from one thread at a time. Different sandboxes share no
/// state and may run concurrently on different threads.
public final class LuaSandbox {
    public struct Limits: Sendable {
        /// Everything the state allocates, counted by its allocator.
        public var memoryBytes: Int = 512 << 20
        /// Per `run` / `call` from Swift (nested calls made by natives share the outer deadline).
        /// Zero or less disables the limit.
        public var timeoutSeconds: Double = 60
        /// Most values (table entries included) one decode into Swift may produce.
        public var maxDecodedValues: Int = 10_000_000

        public init(memoryBytes: Int = 512 << 20, timeoutSeconds: Double = 60, maxDecodedValues: Int = 10_000_000) {
            self.memoryBytes = memoryBytes
            self.timeoutSeconds = timeoutSeconds
            self.maxDecodedValues = maxDecodedValues
        }
    }

    public let limits: Limits
    public let libDirectory: String?
    private let runtime: LuaRuntime

    /// Identity stamped on this sandbox's function references.
    public var id: UInt64 { runtime.sandboxID }

    /// `libDirectory`: where `require("a.b")` finds `a/b.lua`; nil disables `require`.
    /// `printSink` gets one line per `print` (no trailing newline); nil writes to stderr.
    public init(limits: Limits = .init(), libDirectory: String? = nil, printSink: ((String) -> Void)? = nil) throws(LuaError) {
        self.limits = limits
        self.libDirectory = libDirectory
        runtime = try LuaRuntime(memoryLimit: limits.memoryBytes, timeoutSeconds: limits.timeoutSeconds,
                                 libDirectory: libDirectory, maxDecodedValues: limits.maxDecodedValues,
                                 printSink: printSink, sandboxID: SandboxIDs.shared.next())
    }

    /// Registers a Swift function visible to every chunk loaded after this call, at a dotted
    /// path: "qc.hist" creates table `qc` if needed. The path names the function in errors.
    public func register(_ path: String, _ body: @escaping NativeFunction) throws(LuaError) {
        try runtime.register(path, body)
    }

    /// Sets a global (dotted paths allowed) visible to chunks loaded after this call. Each
    /// chunk gets its own copy of tables set here.
    public func setGlobal(_ name: String, _ value: LuaValue) throws(LuaError) {
        try runtime.setGlobal(name, value)
    }

    /// Loads a text chunk in its own fresh environment and runs it; returns what it returns.
    /// `chunkName` (e.g. "rules/background.lua") is what errors and tracebacks show.
    public func run(source: String, chunkName: String) throws(LuaError) -> [LuaValue] {
        try runtime.run(source: source, chunkName: chunkName)
    }

    /// Calls a function of this sandbox with the time limit armed.
    public func call(_ function: LuaFunctionRef, _ args: [LuaValue]) throws(LuaError) -> [LuaValue] {
        guard function.sandboxID == runtime.sandboxID else {
            throw LuaError.invalidValue("\(function) belongs to another sandbox")
        }
        return try runtime.call(function.ref, args)
    }

    /// Lets Lua collect the function once nothing else holds it; calling the reference
    /// afterwards is a runtime error. References are otherwise kept for the sandbox's life.
    public func release(_ function: LuaFunctionRef) {
        guard function.sandboxID == runtime.sandboxID else { return }
        runtime.release(function.ref)
    }

    /// Bytes currently allocated by the state.
    public var memoryUsed: Int { runtime.memoryUsed }

    /// A full garbage collection (runs automatically after a memory-limit failure).
    public func collectGarbage() { runtime.collectGarbage() }
}

/// Process-wide counter for sandbox identities (never reused, unlike object addresses).
private final class SandboxIDs: @unchecked Sendable {
    static let shared = SandboxIDs()
    private let lock = NSLock()
    private var last: UInt64 = 0

    func next() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        last += 1
        return last
    }
}
