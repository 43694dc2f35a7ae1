import Dispatch
import Foundation

/// Runs chunks of work on `jobs` threads and returns their results in chunk order, so
/// merged output never depends on scheduling. Each thread builds its own `State`
/// (scratch buffers, parsers) once and reuses it for every chunk it takes.
enum Parallel {
    static func mapChunks<State, Output>(
        count: Int, chunkSize: Int, jobs: Int,
        makeState: () -> State,
        progress: ((Int) -> Void)? = nil,
        body: (inout State, Range<Int>) -> Output
    ) -> [Output] {
        let chunks = (count + chunkSize - 1) / chunkSize
        guard chunks > 0 else { return [] }
        let slots = UnsafeMutableBufferPointer<Output?>.allocate(capacity: chunks)
        slots.initialize(repeating: nil)
        defer { slots.deinitialize(); slots.deallocate() }
        let workers = max(1, min(jobs, chunks))
        let lock = NSLock()
        var next = 0
        var done = 0
        func work(_: Int) {
            var state = makeState()
            while true {
                lock.lock()
                let chunk = next
                next += 1
                lock.unlock()
                if chunk >= chunks { return }
                let range = (chunk * chunkSize)..<min(count, (chunk + 1) * chunkSize)
                let output = body(&state, range)
                slots[chunk] = output
                if let progress {
                    lock.lock()
                    done += range.count
                    let soFar = done
                    lock.unlock()
                    progress(soFar)
                }
            }
        }
        if workers == 1 {
            work(0)
        } else {
            // Shared state is guarded by `lock` and each chunk writes only its own slot.
            withoutActuallyEscaping(work) { escapable in
                let box = UncheckedSendableBox(escapable)
                DispatchQueue.concurrentPerform(iterations: workers) { box.value($0) }
            }
        }
        return slots.map { $0! }
    }

    /// Runs `body` over consecutive runs of `0..<count` on all cores and waits. For passes
    /// whose runs write disjoint parts of one buffer (the caller vouches for that).
    static func forEachRun(count: Int, runSize: Int, _ body: (Range<Int>) -> Void) {
        let runs = (count + runSize - 1) / runSize
        guard runs > 0 else { return }
        withoutActuallyEscaping(body) { escapable in
            let box = UncheckedSendableBox(escapable)
            DispatchQueue.concurrentPerform(iterations: runs) { run in
                box.value((run * runSize)..<min(count, (run + 1) * runSize))
            }
        }
    }

    /// `transform(k)` for every k in `0..<count`, computed on all cores, in index order.
    static func map<T>(count: Int, runSize: Int, _ transform: (Int) -> T) -> [T] {
        guard count > 0 else { return [] }
        return [T](unsafeUninitializedCapacity: count) { out, initialized in
            let base = out.baseAddress!
            forEachRun(count: count, runSize: runSize) { range in
                for k in range { (base + k).initialize(to: transform(k)) }
            }
            initialized = count
        }
    }
}

private struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
