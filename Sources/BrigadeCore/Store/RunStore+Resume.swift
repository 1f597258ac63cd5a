#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

extension RunStore {
    /// Records a decision on calls of a run paused for approval (`brigade approve` / `brigade deny`).
    ///
    /// - Parameters:
    ///   - runID: a run in ``StoredRun/State/awaitingApproval``.
    ///   - callID: one call awaiting a decision; `nil` decides every call still undecided.
    ///   - decision: ``ApprovalDecision/approve`` (or `approveAlways`) runs the call when the run resumes;
    ///     ``ApprovalDecision/deny`` gives the model `denied`.
    /// - Returns: the calls that still await a decision (resume the run with ``Agent/resume(_:approval:onEvent:)``
    ///   once there are none).
    /// - Throws: ``RunStoreError`` — `unknownRun`; `invalidState` when the run is not awaiting approval,
    ///   or the call is unknown or already decided.
    public func decide(_ runID: RunID, call callID: String? = nil, _ decision: ApprovalDecision) async throws(RunStoreError) -> [String] {
        let id = runID.rawValue
        let verdict = decision == .deny ? "deny" : decision == .pause ? nil : "approve"
        guard let verdict else { throw RunStoreError(.invalidState, path: path, "a decision must approve or deny") }
        let outcome = try await writeNow { connection throws(SQLiteError) -> DecisionOutcome in
            guard let state = try connection.query("SELECT state FROM runs WHERE id = ?", [.text(id)], row: { $0.text(0) }).first else {
                return .unknownRun
            }
            guard state == StoredRun.State.awaitingApproval.rawValue else { return .notPaused(state ?? "?") }
            let pending = try connection.query("SELECT call_id, tool, arguments FROM tool_calls WHERE run_id = ? AND status = 'awaiting_approval' ORDER BY rowid",
                                               [.text(id)]) { ($0.text(0) ?? "", $0.text(1) ?? "", $0.text(2) ?? "") }
            let decided = Dictionary(try connection.query("SELECT call_id, decision FROM approvals WHERE run_id = ?", [.text(id)]) {
                ($0.text(0) ?? "", $0.text(1) ?? "")
            }, uniquingKeysWith: { first, _ in first })
            if let callID {
                if let earlier = decided[callID] { return .alreadyDecided(callID, earlier) }
                guard pending.contains(where: { $0.0 == callID }) else {
                    return .unknownCall(callID, pending.map(\.0).filter { decided[$0] == nil })
                }
            }
            let targets = pending.filter { decided[$0.0] == nil && (callID == nil || $0.0 == callID) }
            for (call, tool, arguments) in targets {
                try connection.run("INSERT INTO approvals (run_id, call_id, tool, arguments, decision, decided_at) VALUES (?, ?, ?, ?, ?, ?)",
                                   [.text(id), .text(call), .text(tool), .text(arguments), .text(verdict), .real(Date().timeIntervalSince1970)])
            }
            let now = Set(targets.map(\.0)).union(decided.keys)
            return .decided(remaining: pending.map(\.0).filter { !now.contains($0) })
        }
        switch outcome {
        case .decided(let remaining): return remaining
        case .unknownRun: throw RunStoreError(.unknownRun, path: path, "no run `\(id)` in \(path) (see `brigade runs list`)")
        case .notPaused(let state): throw RunStoreError(.invalidState, path: path, "run `\(id)` is not awaiting approval (it is \(state))")
        case .alreadyDecided(let call, let earlier):
            throw RunStoreError(.invalidState, path: path, "call `\(call)` of run `\(id)` was already decided (\(earlier == "deny" ? "denied" : "approved"))")
        case .unknownCall(let call, let waiting):
            throw RunStoreError(.invalidState, path: path, "run `\(id)` has no call `\(call)` awaiting approval"
                + (waiting.isEmpty ? "" : " (awaiting: \(waiting.joined(separator: ", ")))"))
        }
    }

    private enum DecisionOutcome: Sendable {
        case decided(remaining: [String])
        case unknownRun
        case notPaused(String)
        case alreadyDecided(String, String)
        case unknownCall(String, [String])
    }

    private enum ClaimOutcome: Sendable {
        case claimed(ResumePoint)
        case unknownRun
        case busy(pid: Int)
        case notResumable(String)
        case undecided([String])
    }

    /// Takes a paused or interrupted run for this process, atomically: of two processes resuming the
    /// same run one gets it, the other `claimed`.
    /// - Parameter idempotentTools: the tools whose calls cut off mid-run may run again.
    /// - Throws: ``RunStoreError`` — `unknownRun`; `claimed` when a live process holds it;
    ///   `invalidState` when it is finished or a call still awaits a decision.
    func claim(_ runID: RunID, idempotentTools: Set<String>) async throws(RunStoreError) -> ResumePoint {
        let id = runID.rawValue
        let me = Int(getpid())
        let outcome = try await writeNow { connection throws(SQLiteError) -> ClaimOutcome in
            guard let row = try connection.query("""
                SELECT state, owner_pid, prompt, options, checkpoint, parent_run_id, conversation_id, surface,
                       input_tokens, output_tokens, cached_input_tokens, cost_usd, turns, tool_calls
                FROM runs WHERE id = ?
                """, [.text(id)], row: { row in
                    (state: row.text(0) ?? "", owner: row.integer(1), prompt: row.text(2) ?? "", options: row.text(3) ?? "{}",
                     checkpoint: row.text(4) ?? "[]", parent: row.text(5), conversation: row.text(6), source: row.text(7) ?? "api",
                     usage: TokenUsage(inputTokens: row.integer(8) ?? 0, outputTokens: row.integer(9) ?? 0, cachedInputTokens: row.integer(10) ?? 0),
                     cost: row.real(11) ?? 0, turns: row.integer(12) ?? 0, calls: row.integer(13) ?? 0)
                }).first else { return .unknownRun }
            switch row.state {
            case StoredRun.State.awaitingApproval.rawValue:
                break
            case StoredRun.State.running.rawValue:
                if let owner = row.owner, owner != me, StoredRun.processIsAlive(owner) { return .busy(pid: owner) }
            default:
                return .notResumable(row.state)
            }
            let stored = Dictionary(try connection.query("SELECT call_id, status, result FROM tool_calls WHERE run_id = ?", [.text(id)]) {
                ($0.text(0) ?? "", (status: ToolCallStatus(rawValue: $0.text(1) ?? "") ?? .error, result: $0.text(2) ?? ""))
            }, uniquingKeysWith: { first, _ in first })
            let decisions = Dictionary(try connection.query("SELECT call_id, decision FROM approvals WHERE run_id = ?", [.text(id)]) {
                ($0.text(0) ?? "", $0.text(1) ?? "")
            }, uniquingKeysWith: { first, _ in first })
            let messages = ChatMessage.messages(fromJSON: row.checkpoint) ?? []
            var settlements: [String: ResumePoint.Settlement] = [:]
            var undecided: [String] = []
            if case .assistant(_, let calls)? = messages.last {
                for call in calls {
                    switch stored[call.id] {
                    case (.awaitingApproval, _)?:
                        switch decisions[call.id] {
                        case "approve"?: settlements[call.id] = .run
                        case "deny"?: settlements[call.id] = .kept(status: .denied, output: "denied: tool \(call.name) needs approval (denied)")
                        default: undecided.append(call.id)
                        }
                    case let (status, result)?:
                        settlements[call.id] = .kept(status: status, output: result)
                    case nil where idempotentTools.contains(call.name):
                        settlements[call.id] = .run
                    case nil:
                        settlements[call.id] = .kept(status: .error, output: """
                            interrupted: the run stopped while this call was running, and it was not run again \
                            (tool \(call.name) is not idempotent); its effect, if any, is unknown
                            """)
                    }
                }
            }
            if !undecided.isEmpty { return .undecided(undecided) }
            try connection.run("UPDATE runs SET state = 'running', owner_pid = ?, updated_at = ? WHERE id = ?",
                               [.integer(me), .real(Date().timeIntervalSince1970), .text(id)])
            let events = try connection.integer("SELECT coalesce(max(seq), 0) FROM events WHERE run_id = ?", [.text(id)]) ?? 0
            return .claimed(ResumePoint(
                runID: runID, parentRunID: row.parent.flatMap(RunID.init(rawValue:)), prompt: row.prompt,
                options: (try? JSONValue(parsing: row.options)) ?? .object([:]), source: row.source, conversationID: row.conversation,
                messages: messages, usage: row.usage, costUSD: row.cost, turns: row.turns, toolCalls: row.calls,
                settlements: settlements, eventsRecorded: events))
        }
        switch outcome {
        case .claimed(let point): return point
        case .unknownRun: throw RunStoreError(.unknownRun, path: path, "no run `\(id)` in \(path) (see `brigade runs list`)")
        case .busy(let pid): throw RunStoreError(.claimed, path: path, "run `\(id)` is being continued by another process (pid \(pid)); it was not resumed here")
        case .notResumable(let state): throw RunStoreError(.invalidState, path: path, "run `\(id)` cannot be resumed: it is \(state)")
        case .undecided(let calls):
            throw RunStoreError(.invalidState, path: path, "run `\(id)` still awaits a decision on \(calls.joined(separator: ", ")) (brigade approve / brigade deny)")
        }
    }
}
