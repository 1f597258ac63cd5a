#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Records one run in a ``RunStore``: the run row when it starts, a checkpoint after every turn, each
/// tool call as it finishes, its events, and the result. Every method only queues a record (see
/// ``StoreWriter``); secrets are redacted before anything is queued.
final class RunRecorder: Sendable {
    let store: RunStore
    let runID: RunID
    private let eventSequence: Mutex<Int>
    /// The `seq` of each run's (this one's, its children's) last `turn_started` row whose first token has not come yet.
    private let turnsAwaitingToken = Mutex<[String: Int]>([:])

    /// - Parameter eventsRecorded: events of the run already stored (a resumed run numbers on from there).
    init(store: RunStore, runID: RunID, eventsRecorded: Int = 0) {
        self.store = store
        self.runID = runID
        eventSequence = Mutex(eventsRecorded)
    }

    private var id: String { runID.rawValue }

    static var now: Double { Date().timeIntervalSince1970 }

    /// The run begins: its row, and its conversation's when it has one.
    func started(prompt: String, settings: RunSettings, model: String?, conversation: ConversationRecord?) {
        let row: [SQLiteValue] = [
            .text(id), SQLiteValue(settings.parentRunID?.rawValue), SQLiteValue(conversation?.id), .text(settings.source ?? "api"),
            .text(store.clean(prompt)), .text(store.clean(settings.optionsJSON.jsonString)), SQLiteValue(model),
            .real(Self.now), .integer(Int(getpid())), .real(Self.now),
        ]
        let title = store.clean(String(prompt.prefix(120)))
        store.enqueue { connection throws(SQLiteError) in
            if let conversation {
                try connection.run("""
                    INSERT INTO conversations (id, title, model, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at, model = excluded.model
                    """, [.text(conversation.id), .text(title), SQLiteValue(model), .real(Self.now), .real(Self.now)])
            }
            try connection.run("""
                INSERT INTO runs (id, parent_run_id, conversation_id, surface, state, prompt, options, model, started_at, owner_pid, updated_at)
                VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)
                """, row)
        }
    }

    /// A tool call finished (from the dispatcher, as it happens); `position` is its index among the
    /// turn's calls.
    func callFinished(_ call: DispatchedCall, turn: Int, position: Int) {
        let output = Preview.truncated(store.clean(call.output), maxBytes: store.configuration.maxResultBytes)
        let row: [SQLiteValue] = [
            .text(id), .text(call.call.id), .integer(turn), .text(call.call.name), .text(store.clean(call.call.rawArguments)),
            .text(call.status.rawValue), .text(output), .integer(call.output.utf8.count), .real(call.duration.inSeconds),
            .integer(position),
        ]
        store.enqueue { connection throws(SQLiteError) in
            try connection.run("""
                INSERT OR REPLACE INTO tool_calls (run_id, call_id, turn, tool, arguments, status, result, result_bytes, duration_seconds, position)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, row)
        }
    }

    /// A turn ended: its row, and the checkpoint — the conversation so far and what was spent.
    func turnEnded(_ timing: RunResult.TurnTiming, text: String, messages: [ChatMessage], budget: BudgetSnapshot) {
        let turnRow: [SQLiteValue] = [
            .text(id), .integer(timing.turn), .text(store.clean(text)), .integer(timing.toolCalls),
            .real(timing.modelTime.inSeconds), .real(timing.fanOutWallTime.inSeconds),
        ]
        let checkpoint = store.clean(JSONValue.array(messages.map(\.json)).jsonString)
        let spend = spendValues(budget)
        let id = id
        store.enqueue { connection throws(SQLiteError) in
            try connection.run("""
                INSERT OR REPLACE INTO turns (run_id, turn, text, tool_calls, model_seconds, fan_out_seconds) VALUES (?, ?, ?, ?, ?, ?)
                """, turnRow)
            try connection.run("""
                UPDATE runs SET checkpoint = ?, input_tokens = ?, output_tokens = ?, cached_input_tokens = ?, cost_usd = ?,
                turns = ?, tool_calls = ?, updated_at = ? WHERE id = ?
                """, [.text(checkpoint)] + spend + [.real(Self.now), .text(id)])
            try connection.run("""
                INSERT INTO budget_ledger (run_id, seq, kind, input_tokens, output_tokens, cost_usd, turns, tool_calls, at)
                VALUES (?, (SELECT count(*) FROM budget_ledger WHERE run_id = ?), 'turn', ?, ?, ?, ?, ?, ?)
                """, [.text(id), .text(id), spend[0], spend[1], spend[3], spend[4], spend[5], .real(Self.now)])
        }
    }

    /// The conversation so far and what was spent, before the turn's calls run (where a run killed
    /// mid-fan-out resumes).
    func checkpoint(messages: [ChatMessage], budget: BudgetSnapshot) {
        let checkpoint = store.clean(JSONValue.array(messages.map(\.json)).jsonString)
        let values = [.text(checkpoint)] + spendValues(budget) + [.real(Self.now), .text(id)]
        store.enqueue { connection throws(SQLiteError) in
            try connection.run("""
                UPDATE runs SET checkpoint = ?, input_tokens = ?, output_tokens = ?, cached_input_tokens = ?, cost_usd = ?,
                turns = ?, tool_calls = ?, updated_at = ? WHERE id = ?
                """, values)
        }
    }

    /// One event of the run, stamped `at` (seconds since 1970) when it was emitted. Text deltas are
    /// not kept (the turns hold the text): the first one after a `turn_started` — of this run or of
    /// a child's — stamps that row's `first_token_at` (the model call's time to first token).
    func record(_ event: AgentEvent, at: Double, parentRunID: RunID?) {
        let (eventRunID, inner) = Self.origin(of: event, runID: runID)
        let id = id
        if case .textDelta = inner {
            guard let turnRow = turnsAwaitingToken.withLock({ $0.removeValue(forKey: eventRunID.rawValue) }) else { return }
            store.enqueue { connection throws(SQLiteError) in
                try connection.run("UPDATE events SET first_token_at = ? WHERE run_id = ? AND seq = ?", [.real(at), .text(id), .integer(turnRow)])
            }
            return
        }
        let json = store.clean(RunEvent(runID: runID, parentRunID: parentRunID, event: event).json.jsonString)
        let type = event.json["type"]?.stringValue ?? "event"
        let seq = eventSequence.withLock { value in
            value += 1
            return value
        }
        if case .turnStarted = inner { turnsAwaitingToken.withLock { $0[eventRunID.rawValue] = seq } }
        store.enqueue { connection throws(SQLiteError) in
            try connection.run("INSERT OR REPLACE INTO events (run_id, seq, type, json, at) VALUES (?, ?, ?, ?, ?)",
                               [.text(id), .integer(seq), .text(type), .text(json), .real(at)])
        }
    }

    /// The run an event is about (this one, or the child it was forwarded from) and the event itself.
    private static func origin(of event: AgentEvent, runID: RunID) -> (RunID, AgentEvent) {
        if case .childRun(let child) = event { return (child.event.runID, child.event.event) }
        return (runID, event)
    }

    /// The run ended: its result, and the conversation's messages.
    func finished(_ result: RunResult, state: StoredRun.State = .finished, messages: [ChatMessage], conversation: ConversationRecord?) {
        // The run's messages: its last checkpoint, and its conversation's messages (encoded once).
        let messagesJSON = store.clean(JSONValue.array(messages.map(\.json)).jsonString)
        let values: [SQLiteValue] = [
            .text(state.rawValue), .text(store.clean(result.answer)), .text(result.stopReason.code.rawValue),
        ] + spendValues(BudgetSnapshot(usage: result.usage, costUSD: result.costUSD, turns: result.turns, toolCalls: result.toolCalls))
            + [.real(Self.now), .real(result.wallTime.inSeconds), .text(messagesJSON), .real(Self.now), .text(id)]
        let conversationMessages = conversation.map { _ in messagesJSON }
        store.enqueue { connection throws(SQLiteError) in
            try connection.run("""
                UPDATE runs SET state = ?, answer = ?, stop_reason = ?, input_tokens = ?, output_tokens = ?, cached_input_tokens = ?,
                cost_usd = ?, turns = ?, tool_calls = ?, finished_at = ?, wall_seconds = ?, checkpoint = ?, updated_at = ?, owner_pid = NULL WHERE id = ?
                """, values)
            if let conversation, let conversationMessages {
                try connection.run("UPDATE conversations SET messages = ?, updated_at = ? WHERE id = ?",
                                   [.text(conversationMessages), .real(Self.now), .text(conversation.id)])
            }
        }
    }

    /// input, output, cached input tokens, cost, turns, calls.
    private func spendValues(_ budget: BudgetSnapshot) -> [SQLiteValue] {
        [
            .integer(budget.usage.inputTokens), .integer(budget.usage.outputTokens), .integer(budget.usage.cachedInputTokens),
            .real(budget.costUSD), .integer(budget.turns), .integer(budget.toolCalls),
        ]
    }
}

/// The conversation a run belongs to (its session's id).
struct ConversationRecord: Sendable {
    var id: String
}

extension RunSettings {
    /// What the log shows of the run's options (the approval policy and parent ledger are not data).
    var optionsJSON: JSONValue {
        var object: JSONObject = ["routing": .string(routing.rawValue)]
        object["limits"] = limits.json
        if let tools { object["tools"] = .array(tools.sorted().map { .string($0) }) }
        if !systemPrompt.isEmpty { object["system_prompt"] = .string(systemPrompt) }
        return .object(object)
    }
}

extension Budget.Limits {
    var json: JSONValue {
        func optional<T>(_ value: T?, _ transform: (T) -> JSONValue) -> JSONValue { value.map(transform) ?? .null }
        return [
            "usd": optional(usd) { .number($0) },
            "input_tokens": optional(inputTokens) { .integer($0) },
            "output_tokens": optional(outputTokens) { .integer($0) },
            "wall_time_s": optional(wallTime) { .number($0.inSeconds) },
            "max_turns": optional(maxTurns) { .integer($0) },
            "max_calls_per_run": optional(maxCallsPerRun) { .integer($0) },
            "max_calls_per_turn": optional(maxCallsPerTurn) { .integer($0) },
            "synthesis_reserve": .number(synthesisReserve),
            "minimum_output_tokens": .integer(minimumOutputTokens),
        ]
    }
}
