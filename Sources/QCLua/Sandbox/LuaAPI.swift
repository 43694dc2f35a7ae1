// The one Swift file that uses the Lua C API (CLua) and LuaBridge; everything else in
// QCLua goes through LuaRuntime.
//
// Rule for this file: Lua calls made from Swift never raise. Reading uses lua_type,
// lua_toboolean, lua_tointegerx, lua_tonumberx, lua_tolstring (strings only), lua_next,
// lua_gettop/lua_settop, lua_pushnil and lua_checkstack; anything that allocates goes
// through a qcb_* function that wraps it in lua_pcall and returns a status.
import CLua
import LuaBridge

final class LuaRuntime {
    /// Tables nested deeper than this (or containing themselves) are refused when decoded.
    static let maxDecodeDepth = 64

    let sandboxID: UInt64
    let memoryLimit: Int
    let timeoutSeconds: Double
    private let maxDecodedValues: Int
    private let S: OpaquePointer
    private let L: OpaquePointer
    private var natives: [(name: String, body: NativeFunction)] = []
    private let printSink: ((String) -> Void)?
    private let tape = TapeWriter()

    init(memoryLimit: Int, timeoutSeconds: Double, libDirectory: String?, maxDecodedValues: Int,
         printSink: ((String) -> Void)?, sandboxID: UInt64) throws(LuaError) {
        var handle: OpaquePointer?
        let limit = max(0, memoryLimit)
        let timeout = timeoutSeconds.isNaN ? 0 : timeoutSeconds
        let status: Int32
        if let libDirectory {
            status = libDirectory.withCString { qcb_open(limit, timeout, $0, &handle) }
        } else {
            status = qcb_open(limit, timeout, nil, &handle)
        }
        guard status == QCB_OK, let handle else {
            if status == QCB_ERR_MEMORY { throw LuaError.memoryLimit(limitBytes: memoryLimit, traceback: "") }
            throw LuaError.runtime(message: "cannot create a Lua state", traceback: "")
        }
        self.S = handle
        self.L = qcb_state(handle)
        self.sandboxID = sandboxID
        self.memoryLimit = memoryLimit
        self.timeoutSeconds = timeoutSeconds
        self.maxDecodedValues = maxDecodedValues
        self.printSink = printSink
        let ctx = Unmanaged.passUnretained(self).toOpaque()
        let printThunk: qcb_print_fn? = printSink == nil ? nil : { ctx, bytes, len in
            Unmanaged<LuaRuntime>.fromOpaque(ctx!).takeUnretainedValue().print(bytes, len)
        }
        qcb_set_callbacks(S, ctx, { ctx, id, tape, len in
            Unmanaged<LuaRuntime>.fromOpaque(ctx!).takeUnretainedValue().dispatch(Int(id), tape!, len!)
        }, printThunk)
    }

    deinit { qcb_close(S) }

    var memoryUsed: Int { Int(qcb_memory_used(S)) }

    func collectGarbage() { qcb_collect(S) }

    // MARK: Globals

    func register(_ path: String, _ body: @escaping NativeFunction) throws(LuaError) {
        let id = natives.count
        natives.append((name: path, body: body))
        let status = qcb_register(S, path, Int32(id))
        guard status == QCB_OK else {
            natives.removeLast()
            throw templateError(status)
        }
    }

    func setGlobal(_ path: String, _ value: LuaValue) throws(LuaError) {
        try tape.encode([value], owner: sandboxID)
        let status = qcb_set_global(S, path, tape.base, tape.count)
        guard status == QCB_OK else { throw templateError(status) }
    }

    private func templateError(_ status: Int32) -> LuaError {
        if status == QCB_ERR_MEMORY { return .memoryLimit(limitBytes: memoryLimit, traceback: "") }
        return .invalidValue(lastMessage())
    }

    // MARK: Calls into Lua

    func run(source: String, chunkName: String) throws(LuaError) -> [LuaValue] {
        var source = source
        var count: Int32 = 0
        let status = source.withUTF8 { bytes in
            chunkName.withCString { name in
                qcb_run(S, bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                        bytes.count, name, &count)
            }
        }
        guard status == QCB_OK else { throw callError(status) }
        return try popResults(count)
    }

    func call(_ ref: Int32, _ args: [LuaValue]) throws(LuaError) -> [LuaValue] {
        try tape.encode(args, owner: sandboxID)
        var count: Int32 = 0
        let status = qcb_call_ref(S, ref, tape.base, tape.count, &count)
        guard status == QCB_OK else { throw callError(status) }
        return try popResults(count)
    }

    func release(_ ref: Int32) { qcb_unref(S, ref) }

    private func callError(_ status: Int32) -> LuaError {
        switch status {
        case QCB_ERR_SYNTAX: return .syntax(message: lastMessage())
        case QCB_ERR_MEMORY: return .memoryLimit(limitBytes: memoryLimit, traceback: lastTraceback())
        case QCB_ERR_TIME: return .timeLimit(seconds: timeoutSeconds, traceback: lastTraceback())
        default: return .runtime(message: lastMessage(), traceback: lastTraceback())
        }
    }

    private func lastMessage() -> String {
        var len = 0
        return Self.text(qcb_error_message(S, &len), len)
    }

    private func lastTraceback() -> String {
        var len = 0
        return Self.text(qcb_error_traceback(S, &len), len)
    }

    private static func text(_ p: UnsafePointer<CChar>?, _ len: Int) -> String {
        guard let p, len > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
    }

    /// Decodes the top `count` stack values and pops them.
    private func popResults(_ count: Int32) throws(LuaError) -> [LuaValue] {
        let first = lua_gettop(L) - count + 1
        defer { lua_settop(L, first - 1) }
        var budget = maxDecodedValues
        var values: [LuaValue] = []
        values.reserveCapacity(Int(count))
        var i: Int32 = 0
        while i < count {
            values.append(try decode(first + i, depth: 0, budget: &budget))
            i += 1
        }
        return values
    }

    // MARK: Calls from Lua (through the C trampoline)

    /// Runs on the trampoline's frame: arguments are at 1...gettop. Returns a QCB_NATIVE_*
    /// status; never lets anything raise.
    private func dispatch(_ id: Int, _ tapeOut: UnsafeMutablePointer<UnsafeRawPointer?>,
                          _ lenOut: UnsafeMutablePointer<Int>) -> Int32 {
        let native = natives[id]
        let n = lua_gettop(L)
        var args: [LuaValue] = []
        args.reserveCapacity(Int(n))
        var budget = maxDecodedValues
        var i: Int32 = 1
        while i <= n {
            do {
                args.append(try decode(i, depth: 0, budget: &budget))
            } catch {
                if case .memoryLimit = error { return QCB_NATIVE_OUT_OF_MEMORY }
                return nativeFailure("bad argument #\(i) to '\(native.name)' (\(error))")
            }
            i += 1
        }
        switch native.body(args) {
        case .success(let results):
            do {
                try tape.encode(results, owner: sandboxID)
            } catch {
                return nativeFailure("'\(native.name)' returned a value Lua cannot take: \(error)")
            }
            tapeOut.pointee = UnsafeRawPointer(tape.base)
            lenOut.pointee = tape.count
            return QCB_NATIVE_OK
        case .failure(let error):
            return nativeFailure(error.message)
        }
    }

    private func nativeFailure(_ message: String) -> Int32 {
        var message = message
        message.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { qcb_set_native_error(S, $0.baseAddress, $0.count) }
        }
        return QCB_NATIVE_ERROR
    }

    private func print(_ bytes: UnsafePointer<CChar>?, _ len: Int) {
        printSink?(Self.text(bytes, len))
    }

    // MARK: Lua → Swift

    private func decode(_ idx: Int32, depth: Int, budget: inout Int) throws(LuaError) -> LuaValue {
        budget -= 1
        guard budget >= 0 else {
            throw .invalidValue("value too large to pass to Swift (more than \(maxDecodedValues) values)")
        }
        switch lua_type(L, idx) {
        case LUA_TNIL:
            return .nil
        case LUA_TBOOLEAN:
            return .bool(lua_toboolean(L, idx) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, idx) != 0 { return .int(Int64(lua_tointegerx(L, idx, nil))) }
            return .number(Double(lua_tonumberx(L, idx, nil)))
        case LUA_TSTRING:
            return .string(string(at: idx))
        case LUA_TTABLE:
            return .table(try decodeTable(idx, depth: depth, budget: &budget))
        case LUA_TFUNCTION:
            var ref: Int32 = 0
            guard qcb_ref_function(S, idx, &ref) == QCB_OK else {
                throw .memoryLimit(limitBytes: memoryLimit, traceback: "")
            }
            return .function(LuaFunctionRef(sandboxID: sandboxID, ref: ref))
        case let type:
            throw .invalidValue("a \(typeName(type)) value cannot be passed to Swift")
        }
    }

    /// Only call when lua_type(idx) == LUA_TSTRING (lua_tolstring would convert a number in place).
    private func string(at idx: Int32) -> String {
        var len = 0
        guard let p = lua_tolstring(L, idx, &len) else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
    }

    private func typeName(_ type: Int32) -> String {
        guard let name = lua_typename(L, type) else { return "unknown" }
        return String(cString: name)
    }

    private func decodeTable(_ idx: Int32, depth: Int, budget: inout Int) throws(LuaError) -> LuaTable {
        guard depth < Self.maxDecodeDepth else {
            throw .invalidValue("table nested more than \(Self.maxDecodeDepth) levels deep (or containing itself)")
        }
        let t = lua_absindex(L, idx)
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        guard lua_checkstack(L, 4) != 0 else { throw .memoryLimit(limitBytes: memoryLimit, traceback: "") }
        var table = LuaTable()
        var intFields = 0
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            let value = try decode(-1, depth: depth + 1, budget: &budget)
            switch lua_type(L, -2) {
            case LUA_TSTRING:
                // Records (emit's findings, options) have a handful of fields: one
                // allocation for them rather than regrowing 1 → 2 → 4 → 8.
                if table.fields.isEmpty { table.fields.reserveCapacity(8) }
                table.fields.append((key: .string(string(at: -2)), value: value))
            case LUA_TNUMBER where lua_isinteger(L, -2) != 0:
                let key = Int64(lua_tointegerx(L, -2, nil))
                if key == Int64(table.array.count) + 1 {
                    table.array.append(value)
                } else {
                    table.fields.append((key: .int(key), value: value))
                    intFields += 1
                }
            case LUA_TNUMBER:
                throw .invalidValue("table key \(Double(lua_tonumberx(L, -2, nil))) is not an integer and cannot be passed to Swift")
            case let type:
                throw .invalidValue("table keys of type \(typeName(type)) cannot be passed to Swift")
            }
            lua_settop(L, -2)
        }
        if intFields > 0 { Self.extendArray(&table) }
        return table
    }

    /// `next` may visit 1...n out of order (keys added after the array part); move every
    /// key that continues the sequence from `fields` into `array`.
    private static func extendArray(_ table: inout LuaTable) {
        var positions: [Int64: Int] = [:]
        for (i, field) in table.fields.enumerated() {
            if case .int(let k) = field.key { positions[k] = i }
        }
        var moved = Set<Int>()
        while let i = positions.removeValue(forKey: Int64(table.array.count) + 1) {
            table.array.append(table.fields[i].value)
            moved.insert(i)
        }
        guard !moved.isEmpty else { return }
        table.fields = table.fields.enumerated().filter { !moved.contains($0.offset) }.map(\.element)
    }
}
