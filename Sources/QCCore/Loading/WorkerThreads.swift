import Dispatch
import Foundation

/// Runs `body(worker)` on `count` dedicated threads and waits for all of them.
///
/// For long-lived workers that themselves call code using `DispatchQueue.concurrentPerform`:
/// an apply nested inside another apply runs inline on the calling thread, so rules run
/// as an outer apply made every native pass they call single-threaded (a whole-dataset
/// overlap table took twice as long inside a rule as alone). Plain threads leave the
/// dispatch pool to the natives.
public enum WorkerThreads {
    /// `stackSize`: bytes per thread (Lua and deep parsers need more than the default).
    public static func run(count: Int, stackSize: Int = 8 << 20, _ body: @escaping (Int) -> Void) {
        guard count > 1 else {
            if count == 1 { body(0) }
            return
        }
        let group = DispatchGroup()
        let work = UncheckedWork(body)
        for worker in 0..<count {
            group.enter()
            let thread = Thread {
                work.body(worker)
                group.leave()
            }
            thread.stackSize = stackSize
            thread.start()
        }
        group.wait()
    }

    /// The callers' closures capture their own locks and results; handing them to threads
    /// is their responsibility, as with `concurrentPerform`.
    private final class UncheckedWork: @unchecked Sendable {
        let body: (Int) -> Void
        init(_ body: @escaping (Int) -> Void) { self.body = body }
    }
}
