/// A one-shot signal between tasks: ``fire()`` wakes every waiter, and waits after it return at once.
///
/// The protocol server uses it for "cancel this run" and "this call's queued event is written";
/// BrigadeTesting's `Latch` and the fake model server's gate are built on it.
package final class OneShotSignal: Sendable {
    private let fired = LockedState(false)

    package init() {}

    package var isFired: Bool { fired.withLock { $0 } }

    /// Fires the signal (later calls do nothing) and wakes every waiter.
    package func fire() {
        fired.withLock { $0 = true }
    }

    /// Returns when the signal fires, or at once when the calling task is (or gets) cancelled.
    package func wait() async {
        try? await waitThrowingCancellation()
    }

    /// Returns when the signal fires.
    /// - Throws: `CancellationError` when the calling task is (or gets) cancelled first.
    package func waitThrowingCancellation() async throws(CancellationError) {
        try await fired.wait(until: { $0 })
    }

    /// Returns only when the signal fires, whatever happens to the calling task.
    package func waitIgnoringCancellation() async {
        await fired.waitIgnoringCancellation(for: { $0 ? () : nil })
    }
}
