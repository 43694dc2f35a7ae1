import Foundation

/// A one-line progress report on stderr, only when stderr is a terminal and only for
/// phases that have run over a second (short runs stay quiet; CI logs stay clean).
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var phaseStart: [String: Date] = [:]
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(enabled: Bool) {
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
    }

    func update(_ phase: String, _ done: Int, _ total: Int) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        let start = phaseStart[phase] ?? now
        if phaseStart[phase] == nil { phaseStart[phase] = now }
        let elapsed = now.timeIntervalSince(start)
        guard elapsed > 1, now.timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
        lastDraw = now
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 && total > done ? String(format: ", %.0fs left", Double(total - done) / rate) : ""
        let line = "\r\(phase): \(done)/\(total) (\(Int(rate))/s\(eta))\u{1B}[K"
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); drawn = false }
    }
}
