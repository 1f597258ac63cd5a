import Brigade
import Foundation

/// A one-shot signal between tasks: `fire()` wakes every waiter, and waits after it return at once.
///
/// The protocol server uses it for "cancel this run", "this session's previous run is done" and
/// "this call's queued event is written".
final class OneShotSignal: Sendable {
    private struct State {
        var fired = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Waiters cancelled before they stored their continuation.
        var abandoned: Set<Int> = []
    }

    private let state = RuntimeLock(State())

    var isFired: Bool { state.withLock { $0.fired } }

    func fire() {
        let waiters = state.withLock { state in
            state.fired = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when the signal fires, or at once when the calling task is (or gets) cancelled.
    func wait() async {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.fired || state.abandoned.remove(id) != nil { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                if !state.fired { state.abandoned.insert(id) }
                return nil
            }
            waiter?.resume()
        }
    }

    /// Returns only when the signal fires, whatever happens to the calling task.
    func waitIgnoringCancellation() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                if state.fired { return true }
                defer { state.nextID += 1 }
                state.waiters[state.nextID] = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
