import Brigade
import BrigadeSync

/// A one-shot gate for tests: tasks `wait()` until someone calls `open()`; waiting after it is open
/// returns at once. Waiting is cancellable (it throws `CancellationError`), so a tool body that waits
/// on a latch honours the dispatcher's timeouts.
public final class Latch: Sendable {
    private let signal = OneShotSignal()

    public init() {}

    public var isOpen: Bool { signal.isFired }

    /// Opens the latch and wakes every waiter.
    public func open() {
        signal.fire()
    }

    /// Waits until the latch is open.
    /// - Throws: `CancellationError` when the task is cancelled first.
    public func wait() async throws {
        try await signal.waitThrowingCancellation()
    }
}

/// Counts how many tasks are inside a section at once, and lets them wait for a level of concurrency.
///
/// A tool body calls `enter()`, then e.g. `waitUntilActive(atLeast:)`, then `leave()`; ``maxActive`` is
/// the highest count seen. To prove a cap of K holds, wait for K + 1 inside a call with a timeout: a
/// correct cap never gets there (the calls time out), a broken one does at once.
///
/// A level counts once it has been reached during the current busy period (since the probe was last
/// empty), not only while it still holds: of three calls that meet inside, the last to enter may pass,
/// finish and leave before another has even started waiting, and that one must still pass.
public final class ConcurrencyProbe: Sendable {
    private struct State {
        var active = 0
        var maxActive = 0
        /// The highest count since `active` was last 0.
        var busyPeak = 0
        var entered = 0
    }

    private let state = LockedState(State())

    public init() {}

    public var maxActive: Int { state.withLock { $0.maxActive } }
    public var active: Int { state.withLock { $0.active } }
    /// How many times `enter()` was called.
    public var entered: Int { state.withLock { $0.entered } }

    public func enter() {
        state.withLock { state in
            state.active += 1
            state.entered += 1
            state.maxActive = max(state.maxActive, state.active)
            state.busyPeak = max(state.busyPeak, state.active)
        }
    }

    public func leave() {
        state.withLock { state in
            state.active -= 1
            if state.active == 0 { state.busyPeak = 0 }
        }
    }

    /// Waits until at least `level` tasks are, or have been, inside at once in the current busy period
    /// (call it from inside, between `enter()` and `leave()`).
    /// - Throws: `CancellationError` when cancelled first.
    public func waitUntilActive(atLeast level: Int) async throws {
        try await state.wait(until: { $0.busyPeak >= level })
    }
}
