import Synchronization

/// State behind a `Mutex`, shared by reference, that tasks can wait on until a condition holds.
///
/// This is the one waiter primitive of the package: semaphores, latches, one-shot signals, promises
/// and manual clocks are each a few lines on top of it. ``withLock(_:)`` changes the state, then
/// resumes every waiter whose condition now holds, oldest first; ``wait(for:)`` suspends until its
/// condition holds, and leaves at once (throwing `CancellationError`) when its task is cancelled.
///
/// A condition may take what it waits for (a permit, a value): it runs under the lock, so taking is
/// atomic with the check, and a cancelled waiter never takes anything.
///
/// Where a value needs no sharing by reference and nobody waits on it, use `Mutex` directly.
///
/// The class, its initialiser, ``withLock(_:)`` and ``value`` are `public` (the module is no product,
/// so nothing outside the package sees them): the compiler inlines an `@inlinable` `package` function
/// into other modules neither in SwiftPM's release builds nor with `swiftc -O -wmo` (6.3), so
/// `withLock` stayed a generic call that looked up `Inner<State>`'s metadata on every use.
public final class LockedState<State>: Sendable {
    @usableFromInline
    struct Waiter: Sendable {
        let id: UInt64
        /// Under the lock: takes what the waiter waits for and returns how to resume it, or nil to
        /// keep waiting.
        let attempt: @Sendable (inout State) -> (@Sendable () -> Void)?
        /// Resumes the waiter with `CancellationError`.
        let cancel: @Sendable () -> Void
    }

    @usableFromInline
    struct Inner {
        @usableFromInline var state: State
        var nextID: UInt64 = 0
        /// Oldest first.
        @usableFromInline var waiters: [Waiter] = []

        init(state: State) {
            self.state = state
        }

        /// Removes the waiters whose condition holds, oldest first, and returns their resumptions.
        @usableFromInline
        mutating func takeReady() -> [@Sendable () -> Void] {
            guard !waiters.isEmpty else { return [] }
            var ready: [@Sendable () -> Void] = []
            waiters.removeAll { waiter in
                guard let resume = waiter.attempt(&state) else { return false }
                ready.append(resume)
                return true
            }
            return ready
        }
    }

    @usableFromInline let inner: Mutex<Inner>

    public init(_ initial: sending State) {
        inner = Mutex(Inner(state: initial))
    }

    /// Runs `body` with exclusive access to the state, then resumes the waiters whose condition now
    /// holds. `body` must not suspend or call back into this object.
    ///
    /// Inlinable, so that callers in other modules get it specialised for their state: unspecialised,
    /// every call looked up the generic metadata of `Inner<State>` at run time (a twelfth of the
    /// batch's pool and curl thread samples went to this lock, see docs/benchmarks.md).
    @inlinable
    public func withLock<Result: Sendable, E: Error>(_ body: (inout State) throws(E) -> Result) throws(E) -> Result {
        let (result, ready) = try inner.withLock { (inner: inout Inner) throws(E) -> (Result, [@Sendable () -> Void]) in
            let result = try body(&inner.state)
            return (result, inner.waiters.isEmpty ? [] : inner.takeReady())
        }
        for resume in ready { resume() }
        return result
    }

    /// How many tasks are waiting.
    package var waiterCount: Int {
        inner.withLock { (inner: inout Inner) -> Int in inner.waiters.count }
    }

    /// Suspends until `take` returns a value, and returns it. `take` runs under the lock, now and
    /// after every ``withLock(_:)``, until it returns non-nil.
    /// - Throws: `CancellationError` when the task is cancelled first; `take` has then taken nothing.
    package func wait<Value: Sendable>(
        for take: @escaping @Sendable (inout State) -> Value?
    ) async throws(CancellationError) -> Value {
        let id = makeWaiterID()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, CancellationError>, Never>) in
                enqueue(id: id, take: take, checkingCancellation: true, continuation: continuation)
            }
        } onCancel: {
            cancelWaiter(id: id)
        }
        return try result.get()
    }

    /// Suspends until `condition` holds (see ``wait(for:)``).
    /// - Throws: `CancellationError` when the task is cancelled first.
    package func wait(until condition: @escaping @Sendable (inout State) -> Bool) async throws(CancellationError) {
        try await wait { state in condition(&state) ? () : nil }
    }

    /// Suspends until `take` returns a value, whatever happens to the calling task.
    package func waitIgnoringCancellation<Value: Sendable>(
        for take: @escaping @Sendable (inout State) -> Value?
    ) async -> Value {
        let id = makeWaiterID()
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, CancellationError>, Never>) in
            enqueue(id: id, take: take, checkingCancellation: false, continuation: continuation)
        }
        switch result {
        case .success(let value): return value
        case .failure: preconditionFailure("a waiter that ignores cancellation was cancelled")
        }
    }

    private func makeWaiterID() -> UInt64 {
        inner.withLock { (inner: inout Inner) -> UInt64 in
            defer { inner.nextID += 1 }
            return inner.nextID
        }
    }

    /// Resumes `continuation` now when `take` already succeeds (or the task is cancelled and
    /// `checkingCancellation`), else stores it as a waiter.
    private func enqueue<Value: Sendable>(
        id: UInt64,
        take: @escaping @Sendable (inout State) -> Value?,
        checkingCancellation: Bool,
        continuation: CheckedContinuation<Result<Value, CancellationError>, Never>
    ) {
        // Task.isCancelled is read under the lock: a cancellation after it finds the waiter stored
        // (see cancelWaiter), one before it is seen here.
        let waiter = Waiter(
            id: id,
            attempt: { (state: inout State) -> (@Sendable () -> Void)? in
                guard let value = take(&state) else { return nil }
                return { continuation.resume(returning: .success(value)) }
            },
            cancel: { continuation.resume(returning: .failure(CancellationError())) }
        )
        let now: (@Sendable () -> Void)? = inner.withLock { (inner: inout Inner) -> (@Sendable () -> Void)? in
            if checkingCancellation && Task.isCancelled { return waiter.cancel }
            if let resume = waiter.attempt(&inner.state) { return resume }
            inner.waiters.append(waiter)
            return nil
        }
        now?()
    }

    private func cancelWaiter(id: UInt64) {
        let waiter: Waiter? = inner.withLock { (inner: inout Inner) -> Waiter? in
            guard let index = inner.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return inner.waiters.remove(at: index)
        }
        waiter?.cancel()
    }
}

extension LockedState where State: Sendable {
    /// A copy of the state.
    @inlinable
    public var value: State { withLock { $0 } }
}
