import Foundation

/// A value computed on a thread of its own while the caller goes on; `value` waits for
/// it. For work whose result is needed only later in the run (the dataset fingerprint,
/// the predictions' provenance digest) and would otherwise hold up one core while the
/// other sits idle.
///
/// `concurrently: false` computes it on the first thread that asks for it instead: a lazy
/// value, for a run with `--jobs 1` (one job, one thread at work) and for values most
/// runs never need.
public final class BackgroundValue<Value>: @unchecked Sendable {
    // `result` is written once, before `finished` is set, both under `done`.
    private let done = NSCondition()
    private var result: Value?
    private var finished = false
    private var deferred: (@Sendable () -> Value)?

    public init(concurrently: Bool = true, _ compute: @escaping @Sendable () -> Value) {
        guard concurrently else {
            deferred = compute
            return
        }
        let thread = Thread { [self] in
            let value = compute()
            done.lock()
            result = value
            finished = true
            done.broadcast()
            done.unlock()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    public var value: Value {
        done.lock()
        defer { done.unlock() }
        if let compute = deferred {
            deferred = nil
            result = compute()
            finished = true
        }
        while !finished { done.wait() }
        return result!
    }
}
