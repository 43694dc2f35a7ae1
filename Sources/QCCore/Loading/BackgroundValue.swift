import Foundation

/// A value computed on a thread of its own while the caller goes on; `value` waits for
/// it. For work whose result is needed only later in the run (the dataset fingerprint,
/// the predictions' provenance digest) and would otherwise hold up one core while the
/// other sits idle.
public final class BackgroundValue<Value>: @unchecked Sendable {
    // `result` is written once by the worker before `finished` is set, both under `done`.
    private let done = NSCondition()
    private var result: Value?
    private var finished = false

    public init(_ compute: @escaping @Sendable () -> Value) {
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
        while !finished { done.wait() }
        return result!
    }
}
