import Brigade
import BrigadeSync

/// A ``RuntimeClock`` that moves only when the test says so.
///
/// Pass it as `Agent.Configuration.clock` (or `Dispatcher.Configuration.clock`): budgets, timeouts and
/// deadlines then fire exactly when ``advance(by:)`` moves time past them, however slowly the machine
/// runs. A test waits for proof that the run reached the state it wants (a latch, an event), then
/// advances — no margins to guess.
///
/// It starts at the real instant of its creation, so instants stay comparable to real ones.
public final class ManualClock: RuntimeClock {
    private let current: LockedState<ContinuousClock.Instant>

    /// - Parameter start: the clock's first instant (default: the real now).
    public init(start: ContinuousClock.Instant = .now) {
        current = LockedState(start)
    }

    public var now: ContinuousClock.Instant { current.withLock { $0 } }

    /// How many tasks are sleeping on the clock.
    public var sleeperCount: Int { current.waiterCount }

    /// Moves time forward by `duration` and wakes every sleeper whose deadline is reached.
    public func advance(by duration: Duration) {
        current.withLock { $0 += duration }
    }

    /// Suspends until the clock has been advanced to `deadline`; returns at once when it is already there.
    /// - Throws: `CancellationError` when the calling task is cancelled first.
    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await current.wait(until: { $0 >= deadline })
    }
}
