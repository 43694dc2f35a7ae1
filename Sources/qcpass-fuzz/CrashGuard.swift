#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Keeps the input being run where a signal handler can reach it, so a trap (Swift's
/// overflow and bounds checks raise SIGILL/SIGTRAP), a segfault or an abort writes the
/// exact input to `crashes/<target>-crash-<hash>` before the process dies; and a watcher
/// thread does the same with `-timeout-` when one input runs longer than the limit.
/// Everything the handler touches is preallocated: no allocation after a signal.
enum CrashGuard {
    nonisolated(unsafe) private static var buffer = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 16)
    nonisolated(unsafe) private static var capacity = 1
    nonisolated(unsafe) private static var length = 0
    nonisolated(unsafe) private static var prefix: [CChar] = []   // "<dir>/<target>-", NUL-terminated
    nonisolated(unsafe) private static var pathBuffer = [CChar](repeating: 0, count: 4096)
    /// Bumped before every input; the watcher compares it over time.
    private static let generation = Atomic<Int>(0)

    static func install(crashDirectory: String, target: String, maxLength: Int, timeoutSeconds: Double) {
        capacity = max(1, maxLength)
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        prefix = Array("\(crashDirectory)/\(target)-".utf8CString)
        for sig in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
            signal(sig) { sig in CrashGuard.saveAndDie(kind: sig == SIGABRT ? "abort" : "crash", status: 128 + sig) }
        }
        let watcher = Thread {
            var last = -1
            var since = Date()
            while true {
                Thread.sleep(forTimeInterval: 0.05)
                let now = generation.load(ordering: .relaxed)
                if now != last {
                    last = now
                    since = Date()
                } else if now > 0 && Date().timeIntervalSince(since) > timeoutSeconds {
                    saveAndDie(kind: "timeout", status: 3)
                }
            }
        }
        watcher.stackSize = 1 << 20
        watcher.start()
    }

    /// Makes `input` the one saved on a crash; call before running it.
    static func arm(_ input: [UInt8]) {
        length = min(input.count, capacity)
        input.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: length) }
        generation.add(1, ordering: .relaxed)
    }

    /// Input is done: a long gap before the next one is not a hang.
    static func disarm() { generation.store(0, ordering: .relaxed) }

    /// FNV-1a of the input, as 16 hex digits: stable file names without allocating.
    private static func saveAndDie(kind: StaticString, status: Int32) -> Never {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<length { hash = (hash ^ UInt64(buffer.load(fromByteOffset: i, as: UInt8.self))) &* 0x100_0000_01b3 }
        var at = 0
        for c in prefix where c != 0 && at < 4000 { pathBuffer[at] = c; at += 1 }
        kind.withUTF8Buffer { for c in $0 { pathBuffer[at] = CChar(bitPattern: c); at += 1 } }
        pathBuffer[at] = CChar(UInt8(ascii: "-")); at += 1
        let digits: StaticString = "0123456789abcdef"
        digits.withUTF8Buffer { hex in
            for shift in stride(from: 60, through: 0, by: -4) {
                pathBuffer[at] = CChar(bitPattern: hex[Int((hash >> UInt64(shift)) & 15)]); at += 1
            }
        }
        pathBuffer[at] = 0
        let fd = open(pathBuffer, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd >= 0 {
            _ = write(fd, buffer, length)
            close(fd)
        }
        let note: StaticString = "\nqcpass-fuzz: input saved to "
        note.withUTF8Buffer { _ = write(2, $0.baseAddress, $0.count) }
        _ = write(2, pathBuffer, at)
        _ = write(2, "\n", 1)
        _exit(status)
    }
}
