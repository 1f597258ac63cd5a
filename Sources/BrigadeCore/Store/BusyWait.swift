#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// How a connection waits for a lock another connection holds: short sleeps, growing from 1 ms to
/// 50 ms, until `timeout` has passed since the wait began.
final class BusyWait: Sendable {
    let timeout: Duration
    private let onBusy: (@Sendable () -> Void)?
    /// When the current wait of SQLite's busy handler began (its `attempt` 0).
    private let handlerStart = Mutex<ContinuousClock.Instant?>(nil)

    init(timeout: Duration, onBusy: (@Sendable () -> Void)?) {
        self.timeout = timeout
        self.onBusy = onBusy
    }

    /// SQLite's busy handler: `attempt` counts from 0 for each lock it waits for.
    /// - Returns: `true` after a pause (try again), `false` when the timeout has passed.
    func pause(attempt: Int) -> Bool {
        let now = ContinuousClock.now
        let start = handlerStart.withLock { start in
            if attempt == 0 || start == nil { start = now }
            return start ?? now
        }
        return pause(attempt: attempt, since: start)
    }

    /// Sleeps before attempt `attempt + 1` of a wait that began at `start`.
    /// - Returns: `false`, without sleeping, when the timeout has passed.
    func pause(attempt: Int, since start: ContinuousClock.Instant) -> Bool {
        let remaining = timeout - (ContinuousClock.now - start)
        guard remaining > .zero else { return false }
        onBusy?()
        let step = Duration.milliseconds(1 << min(attempt, 6))
        let sleep = min(step, .milliseconds(50), remaining)
        let microseconds = sleep.components.seconds * 1_000_000 + sleep.components.attoseconds / 1_000_000_000_000
        usleep(useconds_t(clamping: max(1, microseconds)))
        return true
    }
}
