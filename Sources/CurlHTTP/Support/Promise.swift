import BrigadeSync

/// A value that is set once, from any thread, and awaited by any number of tasks.
///
/// The curl loop thread fulfills promises; tasks await them. Awaiting does not react to task
/// cancellation: callers pair it with a cancel command that makes the loop fulfil the promise.
package final class Promise<Value: Sendable>: Sendable {
    private let state = LockedState<Value?>(nil)

    package init() {}

    /// Sets the value and resumes every waiter. Later calls are ignored, so each waiter is resumed
    /// exactly once.
    package func fulfill(_ value: Value) {
        state.withLock { state in
            if state == nil { state = value }
        }
    }

    /// Whether ``fulfill(_:)`` has been called.
    package var isFulfilled: Bool {
        state.withLock { $0 != nil }
    }

    /// The value, once fulfilled.
    package var value: Value {
        get async {
            await state.waitIgnoringCancellation(for: { $0 })
        }
    }
}
