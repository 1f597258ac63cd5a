import Brigade

/// `resume` requests (docs/protocol.md): continue a stored run in this process — one whose process
/// ended mid-run, or one paused for approval once its waiting calls are decided (docs/store.md).
extension ProtocolServer {
    /// Checks what can be checked at once and starts the resume; an `error` event otherwise.
    func admitResume(_ request: ResumeRequest, line: Int, group: inout DiscardingTaskGroup) {
        guard agent.configuration.store != nil else {
            output.emit(ProtocolFailure("no_store", "resuming a run needs the run store, which is off or could not be opened", id: request.id), line: line)
            return
        }
        if table.isInFlight(request.runID) {
            output.emit(ProtocolFailure("not_resumable", "run \(request.runID) is going on in this process", id: request.id), line: line)
            return
        }
        let tracker = RunTracker(id: request.id, runID: request.runID)
        guard let place = table.admit(tracker, session: nil) else {
            output.emit(ProtocolFailure("duplicate_id", "a run with id \(request.id.jsonString) is still in flight", id: request.id), line: line)
            return
        }
        group.addTask { await execute(tracker: tracker, place: place) { await performResume(request, tracker: tracker, line: line) } }
    }

    /// Records the decision, if any (a `decided` event), then resumes the run once no call awaits one.
    private func performResume(_ request: ResumeRequest, tracker: RunTracker, line: Int) async {
        guard let store = agent.configuration.store, await acquireSlot(for: tracker) else { return }
        defer { slots.release() }
        if let decision = request.decision {
            let remaining: [String]
            do throws(RunStoreError) {
                remaining = try await store.decide(request.runID, call: request.callID, decision)
            } catch {
                refuse(tracker, error, line: line)
                return
            }
            output.emit("decided", [
                ("id", request.id), ("run_id", .string(request.runID.rawValue)), ("remaining", .array(remaining.map { .string($0) })),
            ])
            guard remaining.isEmpty else {
                table.remove(tracker)
                return
            }
        }
        let approval: any ApprovalPolicy = request.deferApproval ? PauseApprovalPolicy() : broker.policy(for: tracker)
        do throws(RunStoreError) {
            _ = try await agent.resume(request.runID, approval: approval) { event in forward(event, of: tracker) }
        } catch {
            refuse(tracker, error, line: line)
        }
    }

    /// The store would not decide or resume: an `error` event naming why, and the request is done.
    private func refuse(_ tracker: RunTracker, _ error: RunStoreError, line: Int) {
        let code = switch error.code {
        case .unknownRun: "unknown_run"
        case .invalidState, .claimed: "not_resumable"
        default: "store_error"
        }
        table.remove(tracker)
        output.emit(ProtocolFailure(code, error.message, id: tracker.id), line: line)
    }
}
