import Synchronization
import Brigade
/// Routes Ctrl-C (SIGINT) to whoever should react to it.
///
/// While a turn runs, its task waits in ``waitForInterrupt()``; a Ctrl-C resumes that waiter, and the
/// REPL cancels the turn. At the prompt nobody waits: the interrupt is counted as pending and the line
/// reader is woken through the ``WakePipe``, so it can clear the line or count towards exiting.
final class InterruptRelay: Sendable {
    private struct State {
        var waiter: CheckedContinuation<Void, Never>?
        var pending = 0
        var terminationSignal: Int32?
    }

    private let state = Mutex(State())
    let wakePipe: WakePipe

    init(wakePipe: WakePipe) {
        self.wakePipe = wakePipe
    }

    /// Reports one Ctrl-C (called by the SIGINT handler).
    func deliver() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending += 1
            return nil
        }
        if let waiter {
            waiter.resume()
        } else {
            wakePipe.wake(.interrupt)
        }
    }

    /// Reports SIGTERM or SIGHUP: the running turn is cancelled (as by Ctrl-C) and readers see the end
    /// of input, now and on every later read.
    func terminate(signal: Int32) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.terminationSignal = state.terminationSignal ?? signal
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
        wakePipe.wake(.terminate)
    }

    /// The signal that asked the REPL to end, if one did.
    var terminationSignal: Int32? { state.withLock { $0.terminationSignal } }

    /// Takes the interrupts delivered while nobody waited; `true` when there was at least one.
    func takePending() -> Bool {
        state.withLock { state in
            defer { state.pending = 0 }
            return state.pending > 0
        }
    }

    /// Returns at the next Ctrl-C, or as soon as the calling task is cancelled. One waiter at a time.
    func waitForInterrupt() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    // Checked under the lock: a cancellation handler that ran before this finds no waiter,
                    // but has already set the flag.
                    if Task.isCancelled || state.terminationSignal != nil { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
