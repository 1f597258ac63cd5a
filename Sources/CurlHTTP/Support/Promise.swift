import Synchronization

/// A value that is set once, from any thread, and awaited by any number of tasks.
///
/// The curl loop thread fulfills promises; tasks await them. Awaiting does not react to task
/// cancellation: callers pair it with a cancel command that makes the loop fulfil the promise.
///
/// Every request goes through two of them, so this is a `Mutex` with the waiters' continuations
/// rather than a `LockedState` waiter (whose generic condition closures and waiter ids cost the
/// curl thread and the pool an allocation and a metadata lookup or two per wait): reading a
/// fulfilled promise takes the lock once and suspends nothing; a waiter is one stored continuation,
/// resumed exactly once, by ``fulfill(_:)``, outside the lock.
package final class Promise<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        /// The first waiter; most promises have one.
        var first: UnsafeContinuation<Value, Never>?
        var others: [UnsafeContinuation<Value, Never>] = []
    }

    private let state = Mutex(State())

    package init() {}

    /// Sets the value and resumes every waiter. Later calls are ignored, so each waiter is resumed
    /// exactly once.
    package func fulfill(_ value: Value) {
        let waiters: (UnsafeContinuation<Value, Never>?, [UnsafeContinuation<Value, Never>])? = state.withLock { state in
            guard state.value == nil else { return nil }
            state.value = value
            defer {
                state.first = nil
                state.others = []
            }
            return (state.first, state.others)
        }
        guard let (first, others) = waiters else { return }
        first?.resume(returning: value)
        for waiter in others { waiter.resume(returning: value) }
    }

    /// Whether ``fulfill(_:)`` has been called.
    package var isFulfilled: Bool {
        state.withLock { $0.value != nil }
    }

    /// The value, once fulfilled.
    package var value: Value {
        get async {
            if let value = state.withLock({ $0.value }) { return value }
            return await withUnsafeContinuation { (continuation: UnsafeContinuation<Value, Never>) in
                let value: Value? = state.withLock { state in
                    if let value = state.value { return value }
                    if state.first == nil {
                        state.first = continuation
                    } else {
                        state.others.append(continuation)
                    }
                    return nil
                }
                if let value { continuation.resume(returning: value) }
            }
        }
    }
}
