/// A counting semaphore for tasks: `acquire()` suspends while no permit is free, waiters are served
/// first come, first served, and a waiter whose task is cancelled leaves the queue at once (throwing
/// `CancellationError`) without taking a permit.
///
/// Every successful `acquire()` must be balanced by exactly one `release()`.
package final class AsyncSemaphore: Sendable {
    private enum Waiter {
        /// Registered, but its continuation is not stored yet.
        case pending
        /// Cancelled before its continuation was stored.
        case cancelled
        case waiting(CheckedContinuation<Void, any Error>)
    }

    private struct State {
        var permits: Int
        var nextID: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        /// Ids of `.waiting` waiters, oldest first.
        var queue: [UInt64] = []
    }

    private let state: RuntimeLock<State>

    /// - Parameter permits: how many holders may hold a permit at once (at least 1).
    package init(permits: Int) {
        state = RuntimeLock(State(permits: max(1, permits)))
    }

    /// Waits for a permit.
    /// - Throws: `CancellationError` when the task is cancelled before it gets a permit; no permit is held then.
    package func acquire() async throws(CancellationError) {
        let id: UInt64? = state.withLock { state in
            if state.permits > 0, state.queue.isEmpty {
                state.permits -= 1
                return nil
            }
            defer { state.nextID += 1 }
            state.waiters[state.nextID] = .pending
            return state.nextID
        }
        guard let id else { return }
        do {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let cancelled: Bool = state.withLock { state in
                        if case .cancelled = state.waiters[id] {
                            state.waiters[id] = nil
                            return true
                        }
                        if state.permits > 0, state.queue.isEmpty {
                            state.permits -= 1
                            state.waiters[id] = nil
                            continuation.resume()
                            return false
                        }
                        state.waiters[id] = .waiting(continuation)
                        state.queue.append(id)
                        return false
                    }
                    if cancelled { continuation.resume(throwing: CancellationError()) }
                }
            } onCancel: {
                let continuation: CheckedContinuation<Void, any Error>? = state.withLock { state in
                    switch state.waiters[id] {
                    case .pending:
                        state.waiters[id] = .cancelled
                        return nil
                    case .waiting(let continuation):
                        state.waiters[id] = nil
                        state.queue.removeAll { $0 == id }
                        return continuation
                    case .cancelled, nil:
                        return nil
                    }
                }
                continuation?.resume(throwing: CancellationError())
            }
        } catch {
            throw CancellationError()
        }
    }

    /// Returns a permit, waking the oldest waiter if there is one.
    package func release() {
        let next: CheckedContinuation<Void, any Error>? = state.withLock { state in
            while !state.queue.isEmpty {
                let id = state.queue.removeFirst()
                if case .waiting(let continuation) = state.waiters.removeValue(forKey: id) {
                    return continuation
                }
            }
            state.permits += 1
            return nil
        }
        next?.resume()
    }

    /// Runs `body` holding a permit.
    /// - Throws: `CancellationError` when cancelled while waiting; errors of `body`.
    package func withPermit<T>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }
}
