import BrigadeSync
import Synchronization
import Brigade

/// Turns approval requests of `confirm: true` tools into `approval_request` events and hands the
/// client's `approval` answers back to the waiting calls.
///
/// "always" is handed to the agent's dispatcher as ``ApprovalDecision/approveAlways``: the dispatcher
/// remembers it for every run of the process (and asks one request at a time, so no other request of
/// the tool is waiting then). After end of input no answer can come, so pending and later requests
/// are denied. A request whose run is cancelled is denied.
final class ApprovalBroker: Sendable {
    /// Where one request stands. `ask` adds the entry and removes it before it returns (whatever
    /// ended the wait), so a session of any number of runs holds only the requests being asked now.
    private enum Entry {
        /// Numbered; its continuation is not stored yet.
        case opening
        /// Cancelled while opening: denied as soon as the continuation comes.
        case cancelledWhileOpening
        /// Announced to the client; waits for its answer.
        case waiting(CheckedContinuation<ApprovalDecision, Never>)
    }

    private struct State {
        var nextNumber = 1
        var entries: [String: Entry] = [:]
        var closed = false
    }

    private let state = Mutex(State())
    private let output: ProtocolOutput

    init(output: ProtocolOutput) {
        self.output = output
    }

    /// The requests being asked now (opening or waiting for their answer).
    var requestsInFlight: Int { state.withLock { $0.entries.count } }

    /// The approval policy of one run.
    func policy(for run: RunTracker) -> some ApprovalPolicy {
        ClosureApprovalPolicy { [self] request in await self.ask(request, run: run) }
    }

    /// Sends an `approval_request` event (after the call's `tool_call_queued` event) and waits for the answer.
    func ask(_ request: ApprovalRequest, run: RunTracker) async -> ApprovalDecision {
        let tool = request.spec.name
        if state.withLock({ $0.closed }) { return .deny }
        await run.waitUntilQueuedIsWritten(request.call.id)
        if Task.isCancelled { return .deny }

        let requestID = state.withLock { state in
            defer { state.nextNumber += 1 }
            let requestID = "\(run.label)/\(state.nextNumber)"
            state.entries[requestID] = .opening
            return requestID
        }
        // Whatever ended the wait (answer, cancellation, end of input), the entry goes with it.
        defer { state.withLock { _ = $0.entries.removeValue(forKey: requestID) } }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ApprovalDecision, Never>) in
                let immediate: ApprovalDecision? = state.withLock { state in
                    if case .cancelledWhileOpening? = state.entries[requestID] { return .deny }
                    if state.closed { return .deny }
                    state.entries[requestID] = .waiting(continuation)
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
                switch state.entries[requestID] {
                case .opening?:
                    state.entries[requestID] = .cancelledWhileOpening
                    return nil
                case .waiting(let continuation)?:
                    state.entries[requestID] = nil
                    return continuation
                case .cancelledWhileOpening?, nil:
                    // Already answered (or denied at the end of input): nothing waits.
                    return nil
                }
            }
            waiting?.resume(returning: .deny)
        }
    }

    /// Hands a client's answer to the waiting call.
    /// - Returns: `false` when no request with this id is waiting (unknown, answered, or its run ended).
    func answer(_ requestID: String, with decision: ApprovalDecision) -> Bool {
        let waiting = state.withLock { state -> CheckedContinuation<ApprovalDecision, Never>? in
            guard case .waiting(let continuation)? = state.entries[requestID] else { return nil }
            state.entries[requestID] = nil
            return continuation
        }
        guard let waiting else { return false }
        waiting.resume(returning: decision)
        return true
    }

    /// End of input: denies every waiting request and every later one.
    func close() {
        let waiting = state.withLock { state in
            state.closed = true
            var continuations: [CheckedContinuation<ApprovalDecision, Never>] = []
            for (requestID, entry) in state.entries {
                guard case .waiting(let continuation) = entry else { continue }
                state.entries[requestID] = nil
                continuations.append(continuation)
            }
            return continuations
        }
        for continuation in waiting { continuation.resume(returning: .deny) }
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
    /// The run in flight that `parentRunID` named when this one was accepted: its budget is carved
    /// from that run's (see ``ledger``).
    let parent: RunTracker?
    let cancellation = OneShotSignal()
    private let queued = Mutex<(written: Set<String>, waiters: [String: [OneShotSignal]])>(([], [:]))
    private let openedLedger = Mutex<BudgetLedger?>(nil)

    /// The run's own budget, once the run has opened it; `nil` before (waiting for a slot or its
    /// session) and for a resumed run.
    var ledger: BudgetLedger? {
        get { openedLedger.withLock { $0 } }
        set { openedLedger.withLock { $0 = newValue } }
    }

    init(id: JSONValue, runID: RunID = RunID(), parentRunID: RunID? = nil, parent: RunTracker? = nil) {
        self.id = id
        self.runID = runID
        self.parentRunID = parentRunID
        self.parent = parent
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
