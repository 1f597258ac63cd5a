import BrigadeSync

/// A counting semaphore for tasks: `acquire()` suspends while no permit is free, waiters are served
/// first come, first served, and a waiter whose task is cancelled leaves the queue at once (throwing
/// `CancellationError`) without taking a permit.
///
/// Every successful `acquire()` must be balanced by exactly one `release()`.
package final class AsyncSemaphore: Sendable {
    /// Free permits.
    private let permits: LockedState<Int>

    /// - Parameter permits: how many holders may hold a permit at once (at least 1).
    package init(permits: Int) {
        self.permits = LockedState(max(1, permits))
    }

    /// Waits for a permit.
    /// - Throws: `CancellationError` when the task is cancelled before it gets a permit; no permit is held then.
    package func acquire() async throws(CancellationError) {
        if Task.isCancelled { throw CancellationError() }
        // A free permit is taken at once, without queueing a waiter: while a permit is free nobody
        // waits (every release resumes the oldest waiter under the same lock), so no one is overtaken.
        if permits.withLock({ free in Self.take(&free) }) { return }
        try await permits.wait(until: { free in Self.take(&free) })
    }

    private static func take(_ free: inout Int) -> Bool {
        guard free > 0 else { return false }
        free -= 1
        return true
    }

    /// Returns a permit, waking the oldest waiter if there is one.
    package func release() {
        permits.withLock { $0 += 1 }
    }

    /// Runs `body` holding a permit.
    /// - Throws: `CancellationError` when cancelled while waiting; errors of `body`.
    package func withPermit<T>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }
}
