/// A value that is set once, from any thread, and awaited by any number of tasks.
///
/// The curl loop thread fulfills promises; tasks await them. Awaiting does not react to task
/// cancellation: callers pair it with a cancel command that makes the loop fulfil the promise.
package final class Promise<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiters: [CheckedContinuation<Value, Never>] = []
    }

    private let state = LockedValue(State())

    package init() {}

    /// Sets the value and resumes every waiter. Later calls are ignored, so each waiter is resumed
    /// exactly once.
    package func fulfill(_ value: Value) {
        let waiters: [CheckedContinuation<Value, Never>]? = state.withLock { state in
            guard state.value == nil else { return nil }
            state.value = value
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters ?? [] {
            waiter.resume(returning: value)
        }
    }

    /// Whether ``fulfill(_:)`` has been called.
    package var isFulfilled: Bool {
        state.withLock { $0.value != nil }
    }

    /// The value, once fulfilled.
    package var value: Value {
        get async {
            await withCheckedContinuation { continuation in
                let ready: Value? = state.withLock { state in
                    if let value = state.value { return value }
                    state.waiters.append(continuation)
                    return nil
                }
                if let ready {
                    continuation.resume(returning: ready)
                }
            }
        }
    }
}
