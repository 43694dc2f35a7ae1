import Foundation

/// Wall time per phase, printed to stderr when `QCPASS_TIMINGS=1`: the benchmark and
/// anyone asking "where do my 5 seconds go" read it; normal runs pay one env lookup.
public enum PhaseTimer {
    public static let enabled = ProcessInfo.processInfo.environment["QCPASS_TIMINGS"] == "1"
    private static let lock = NSLock()

    /// Runs `body`, and when timing is on prints "qcpass timing: <phase> <seconds> s".
    @inline(__always)
    public static func measure<T, E: Error>(_ phase: @autoclosure () -> String, _ body: () throws(E) -> T) throws(E) -> T {
        guard enabled else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        defer { report(phase(), since: start) }
        return try body()
    }

    /// Like `measure`, but prints only calls slower than `threshold` seconds: native
    /// calls from rules are many and mostly instant; the slow ones are the story.
    @inline(__always)
    public static func measureSlow<T>(_ phase: @autoclosure () -> String, threshold: Double = 0.005, _ body: () -> T) -> T {
        guard enabled else { return body() }
        let start = now()
        let value = body()
        if Double(now() - start) / 1e9 >= threshold { report(phase(), since: start) }
        return value
    }

    public static func report(_ phase: String, since start: UInt64) {
        guard enabled else { return }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let line = "qcpass timing: \(phase) \(String(format: "%.3f", seconds)) s\n"
        lock.lock(); FileHandle.standardError.write(Data(line.utf8)); lock.unlock()
    }

    public static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
