import BrigadeSync
import Synchronization
import Brigade

/// Turns approval requests of `confirm: true` tools into `approval_request` events and hands the
/// client's `approval` answers back to the waiting calls.
///
/// "always" approves the tool for the rest of the process (every run). After end of input no answer
/// can come, so pending and later requests are denied. A request whose run is cancelled is denied.
final class ApprovalBroker: Sendable {
    private struct Pending {
        var tool: String
        var continuation: CheckedContinuation<ApprovalDecision, Never>
    }

    private struct State {
        var nextNumber = 1
        var pending: [String: Pending] = [:]
        /// Requests cancelled before their continuation was stored.
        var abandoned: Set<String> = []
        var alwaysApproved: Set<String> = []
        var closed = false
    }

    private let state = Mutex(State())
    private let output: ProtocolOutput

    init(output: ProtocolOutput) {
        self.output = output
    }

    /// The approval policy of one run.
    func policy(for run: RunTracker) -> some ApprovalPolicy {
        ClosureApprovalPolicy { [self] request in await self.ask(request, run: run) }
    }

    /// Sends an `approval_request` event (after the call's `tool_call_queued` event) and waits for the answer.
    func ask(_ request: ApprovalRequest, run: RunTracker) async -> ApprovalDecision {
        let tool = request.spec.name
        let early: ApprovalDecision? = state.withLock { state in
            if state.alwaysApproved.contains(tool) { return .approve }
            return state.closed ? .deny : nil
        }
        if let early { return early }
        await run.waitUntilQueuedIsWritten(request.call.id)
        if Task.isCancelled { return .deny }

        let requestID = state.withLock { state in
            defer { state.nextNumber += 1 }
            return "\(run.label)/\(state.nextNumber)"
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ApprovalDecision, Never>) in
                let immediate: ApprovalDecision? = state.withLock { state in
                    if state.abandoned.remove(requestID) != nil || state.closed { return .deny }
                    if state.alwaysApproved.contains(tool) { return .approve }
                    state.pending[requestID] = Pending(tool: tool, continuation: continuation)
                    return nil
                }
                if let immediate {
                    continuation.resume(returning: immediate)
                    return
                }
                output.emit("approval_request", [
                    ("id", run.id),
                    ("run_id", .string(run.runID.rawValue)),
                    ("parent_run_id", run.parentRunID.map { .string($0.rawValue) } ?? .null),
                    ("request_id", .string(requestID)),
                    ("call_id", .string(request.call.id)),
                    ("tool", .string(tool)),
                    ("arguments", request.arguments),
                ])
            }
        } onCancel: {
            let waiting = state.withLock { state -> CheckedContinuation<ApprovalDecision, Never>? in
                if let pending = state.pending.removeValue(forKey: requestID) { return pending.continuation }
                state.abandoned.insert(requestID)
                return nil
            }
            waiting?.resume(returning: .deny)
        }
    }

    /// Hands a client's answer to the waiting call.
    /// - Returns: `false` when no request with this id is waiting (unknown, answered, or its run ended).
    func answer(_ requestID: String, with decision: ApprovalDecision) -> Bool {
        let waiting = state.withLock { state in
            guard let pending = state.pending.removeValue(forKey: requestID) else { return nil as Pending? }
            if decision == .approveAlways { state.alwaysApproved.insert(pending.tool) }
            return pending
        }
        guard let waiting else { return false }
        waiting.continuation.resume(returning: decision == .deny ? .deny : .approve)
        return true
    }

    /// End of input: denies every waiting request and every later one.
    func close() {
        let waiting = state.withLock { state in
            state.closed = true
            defer { state.pending = [:] }
            return Array(state.pending.values)
        }
        for pending in waiting { pending.continuation.resume(returning: .deny) }
    }
}

/// What the server knows of one run in flight: its id, a way to cancel it, and which calls' queued
/// events are already written (an approval request must follow its call's `tool_call_queued`).
final class RunTracker: Sendable {
    let id: JSONValue
    /// `id` as a table key: its JSON text (so `"1"` and `1` differ).
    let key: String
    /// `id` as text for request ids.
    let label: String
    /// Brigade's id of the run (`run_id` in its events), and the run it was opened from.
    let runID: RunID
    let parentRunID: RunID?
    let cancellation = OneShotSignal()
    private let queued = Mutex<(written: Set<String>, waiters: [String: [OneShotSignal]])>(([], [:]))

    init(id: JSONValue, runID: RunID = RunID(), parentRunID: RunID? = nil) {
        self.id = id
        self.runID = runID
        self.parentRunID = parentRunID
        self.key = id.jsonString
        self.label = id.stringValue ?? id.jsonString
    }

    func markQueuedWritten(_ callID: String) {
        let waiters = queued.withLock { queued in
            queued.written.insert(callID)
            return queued.waiters.removeValue(forKey: callID) ?? []
        }
        for waiter in waiters { waiter.fire() }
    }

    func waitUntilQueuedIsWritten(_ callID: String) async {
        let signal = OneShotSignal()
        let written = queued.withLock { queued in
            if queued.written.contains(callID) { return true }
            queued.waiters[callID, default: []].append(signal)
            return false
        }
        if !written { await signal.wait() }
    }
}
