/// Opcodes of the value tape; must match QCB_TAPE_* in Sources/LuaBridge/include/LuaBridge.h.
enum TapeOp: UInt8 {
    case `nil` = 0, `false` = 1, `true` = 2, int = 3, number = 4, string = 5
    case table = 6, end = 7, ref = 8, item = 9, keyString = 10, keyInt = 11
}

/// Encodes Swift values into the byte tape the bridge turns into Lua values in one C call.
/// One writer per sandbox, reused: a tape is always consumed before the next is written
/// (results are pushed by the trampoline before any other Lua code runs; call arguments
/// are pushed before the callee runs).
final class TapeWriter {
    /// Same limit as QCB_MAX_TAPE_DEPTH: deeper values are refused here, before C sees them.
    static let maxDepth = 200

    private(set) var base: UnsafeMutableRawPointer
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// Replaces the tape's contents with `values`.
    func encode(_ values: [LuaValue], owner: UInt64) throws(LuaError) {
        // Writing through a local struct keeps Swift's dynamic exclusivity checks (paid on
        // every mutation of a class property) out of the per-byte path.
        var cursor = TapeCursor(base: base, capacity: capacity, owner: owner)
        defer {
            base = cursor.base
            capacity = cursor.capacity
            count = cursor.count
        }
        cursor.put(UInt32(truncatingIfNeeded: values.count))
        for value in values { try cursor.put(value, depth: 0) }
    }
}

private struct TapeCursor {
    var base: UnsafeMutableRawPointer
    var capacity: Int
    var count = 0
    let owner: UInt64

    init(base: UnsafeMutableRawPointer, capacity: Int, owner: UInt64) {
        self.base = base
        self.capacity = capacity
        self.owner = owner
    }

    @inline(__always)
    private mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(n) }
    }

    private mutating func grow(_ n: Int) {
        var newCapacity = capacity * 2
        while newCapacity < count + n { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        grown.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    @inline(__always)
    private mutating func put(_ op: TapeOp) {
        reserve(1)
        base.storeBytes(of: op.rawValue, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    @inline(__always)
    mutating func put<T: FixedWidthInteger>(_ v: T) {
        reserve(MemoryLayout<T>.size)
        base.storeBytes(of: v, toByteOffset: count, as: T.self)
        count += MemoryLayout<T>.size
    }

    @inline(__always)
    private mutating func put(_ v: Double) {
        reserve(8)
        base.storeBytes(of: v, toByteOffset: count, as: Double.self)
        count += 8
    }

    private mutating func put(_ s: borrowing String) throws(LuaError) {
        let n = s.utf8.count
        guard n <= Int(UInt32.max) else { throw LuaError.invalidValue("string of \(n) bytes is too long for Lua") }
        put(UInt32(n))
        reserve(n)
        let destination = base + count
        let copied: Bool? = s.utf8.withContiguousStorageIfAvailable { bytes in
            if let source = bytes.baseAddress { destination.copyMemory(from: source, byteCount: n) }
            return true
        }
        if copied == nil {
            var index = 0
            for byte in s.utf8 {
                destination.storeBytes(of: byte, toByteOffset: index, as: UInt8.self)
                index += 1
            }
        }
        count += n
    }

    mutating func put(_ value: borrowing LuaValue, depth: Int) throws(LuaError) {
        switch value {
        case .nil: put(.nil)
        case .bool(let b): put(b ? .true : .false)
        case .int(let i): put(.int); put(i)
        case .number(let d): put(.number); put(d)
        case .string(let s): put(.string); try put(s)
        case .function(let f):
            guard f.sandboxID == owner else {
                throw LuaError.invalidValue("a function from another sandbox cannot be passed to this one")
            }
            put(.ref); put(f.ref)
        case .encoded(let e):
            // Depth inside it is checked by the C reader, which counts from this value's own.
            guard !e.bytes.isEmpty else { put(.nil); return }
            reserve(e.bytes.count)
            e.bytes.withUnsafeBytes { (base + count).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            count += e.bytes.count
        case .table(let t):
            guard depth < TapeWriter.maxDepth else {
                throw LuaError.invalidValue("value nested more than \(TapeWriter.maxDepth) levels deep")
            }
            put(.table)
            put(UInt32(truncatingIfNeeded: t.array.count))
            put(UInt32(truncatingIfNeeded: t.fields.count))
            for item in t.array {
                put(.item)
                try put(item, depth: depth + 1)
            }
            for field in t.fields {
                switch field.key {
                case .string(let k): put(.keyString); try put(k)
                case .int(let k): put(.keyInt); put(k)
                }
                try put(field.value, depth: depth + 1)
            }
            put(.end)
        }
    }
}
