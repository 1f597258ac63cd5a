import Synchronization

/// Where child tasks leave finished items, and the writer the outcomes of result writes, for the
/// engine's task to take in bulk.
///
/// The engine waits in ``next()`` and then takes everything left so far, so items that finish while
/// earlier lines are written and synced go out together with one `write(2)` and one `fsync` (group
/// commit, see ``BatchResultsWriter``). A synced write wakes the engine directly from the writer's
/// queue: no task waits for it.
///
/// One waiter (the engine's task) and a `Mutex`: a wake-up hands everything over in the same lock
/// that stores it, with no waiter ids, closures or generic look-ups (a batch wakes its engine about
/// once for every two or three items).
final class BatchCompletions: Sendable {
    struct Taken: Sendable {
        var finished: [BatchRun.Finished] = []
        var written: [BatchRun.Written] = []

        var isEmpty: Bool { finished.isEmpty && written.isEmpty }
    }

    private struct State {
        var taken = Taken()
        /// The engine, waiting in `next()` while nothing was there.
        var waiter: UnsafeContinuation<Taken, Never>?
    }

    private let state = Mutex(State())

    func add(_ finished: BatchRun.Finished) {
        deliver { $0.finished.append(finished) }
    }

    func add(_ written: BatchRun.Written) {
        deliver { $0.written.append(written) }
    }

    /// Adds to what is there and, when the engine waits, hands it all over (resumed outside the lock).
    private func deliver(_ add: (inout Taken) -> Void) {
        let handOver: (UnsafeContinuation<Taken, Never>, Taken)? = state.withLock { state in
            add(&state.taken)
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            defer { state.taken = Taken() }
            return (waiter, state.taken)
        }
        if let (waiter, taken) = handOver { waiter.resume(returning: taken) }
    }

    /// Everything finished and written since the last call, in order of arrival; waits (whatever
    /// happens to the calling task) until there is something. The caller calls it only while an
    /// item runs or a write is outstanding, and each of those adds exactly one entry; one task
    /// calls it at a time.
    func next() async -> Taken {
        let ready: Taken? = state.withLock { state in
            guard !state.taken.isEmpty else { return nil }
            defer { state.taken = Taken() }
            return state.taken
        }
        if let ready { return ready }
        return await withUnsafeContinuation { (continuation: UnsafeContinuation<Taken, Never>) in
            let ready: Taken? = state.withLock { state in
                guard !state.taken.isEmpty else {
                    precondition(state.waiter == nil, "BatchCompletions.next() has one caller at a time")
                    state.waiter = continuation
                    return nil
                }
                defer { state.taken = Taken() }
                return state.taken
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
