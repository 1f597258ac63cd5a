#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// One run as the store holds it (a row of `brigade log`).
public struct StoredRun: Sendable, Hashable {
    /// Where a run is in its life.
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Going on in a live process.
        case running
        /// Ended (whatever its stop reason).
        case finished
        /// Paused: a call needs a decision nobody could give; `brigade approve` / `deny` resumes it.
        case awaitingApproval = "awaiting_approval"
        /// Its process ended mid-run (killed, crashed); `brigade runs resume` continues it.
        case interrupted
    }

    public var id: RunID
    public var parentRunID: RunID?
    /// The conversation (session) the run added a turn to.
    public var conversationID: String?
    /// Who started it: `ask`, `chat`, `batch`, `protocol`, `api` or an embedder's label.
    public var source: String
    public var state: State
    public var prompt: String
    public var model: String?
    public var answer: String?
    /// The stop reason's code (`finished`, `budget_usd` …); `nil` until the run ends.
    public var stopReason: String?
    public var usage: TokenUsage
    public var costUSD: Double
    public var turns: Int
    public var toolCalls: Int
    public var startedAt: Date
    public var finishedAt: Date?
    public var wallSeconds: Double?
    /// How many runs name this one as their parent (a sub-agent's runs, the `map` builtin's workers).
    public var childRuns: Int

    static let columns = """
        id, parent_run_id, conversation_id, surface, state, prompt, model, answer, stop_reason, input_tokens, output_tokens,
        cached_input_tokens, cost_usd, turns, tool_calls, started_at, finished_at, wall_seconds, owner_pid,
        (SELECT count(*) FROM runs AS child WHERE child.parent_run_id = runs.id)
        """

    init(row: SQLiteStatement) {
        id = RunID(rawValue: row.text(0) ?? "?") ?? RunID()
        parentRunID = row.text(1).flatMap(RunID.init(rawValue:))
        conversationID = row.text(2)
        source = row.text(3) ?? "api"
        var state = State(rawValue: row.text(4) ?? "") ?? .finished
        // A running run whose process is gone was interrupted.
        if state == .running, let pid = row.integer(18), !Self.processIsAlive(pid) { state = .interrupted }
        self.state = state
        prompt = row.text(5) ?? ""
        model = row.text(6)
        answer = row.text(7)
        stopReason = row.text(8)
        usage = TokenUsage(inputTokens: row.integer(9) ?? 0, outputTokens: row.integer(10) ?? 0, cachedInputTokens: row.integer(11) ?? 0)
        costUSD = row.real(12) ?? 0
        turns = row.integer(13) ?? 0
        toolCalls = row.integer(14) ?? 0
        startedAt = Date(timeIntervalSince1970: row.real(15) ?? 0)
        finishedAt = row.real(16).map(Date.init(timeIntervalSince1970:))
        wallSeconds = row.real(17)
        childRuns = row.integer(19) ?? 0
    }

    static func processIsAlive(_ pid: Int) -> Bool {
        guard pid > 0, let pid = Int32(exactly: pid) else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// The run as JSON (a line of `brigade log --json`).
    public var json: JSONValue {
        [
            "id": .string(id.rawValue),
            "parent_run_id": parentRunID.map { .string($0.rawValue) } ?? .null,
            "conversation_id": conversationID.map { .string($0) } ?? .null,
            "source": .string(source),
            "state": .string(state.rawValue),
            "started_at": .string(startedAt.formatted(.iso8601)),
            "prompt": .string(prompt),
            "model": model.map { .string($0) } ?? .null,
            "answer": answer.map { .string($0) } ?? .null,
            "stop_reason": stopReason.map { .string($0) } ?? .null,
            "usage": usage.json,
            "cost_usd": .number(costUSD),
            "turns": .integer(turns),
            "tool_calls": .integer(toolCalls),
            "wall_time_s": wallSeconds.map { .number($0) } ?? .null,
            "child_runs": .integer(childRuns),
        ]
    }
}

/// One tool call as the store holds it.
public struct StoredToolCall: Sendable, Hashable {
    public var callID: String
    public var turn: Int
    public var tool: String
    /// The arguments as the model sent them (secrets redacted).
    public var arguments: String
    public var status: ToolCallStatus
    /// The result, cut to ``RunStore/Configuration/maxResultBytes``.
    public var result: String
    /// The full result's size.
    public var resultBytes: Int
    public var durationSeconds: Double

    public var json: JSONValue {
        [
            "id": .string(callID), "turn": .integer(turn), "tool": .string(tool), "arguments": .string(arguments),
            "status": .string(status.rawValue), "result": .string(result), "result_bytes": .integer(resultBytes),
            "duration_s": .number(durationSeconds),
        ]
    }
}

/// A run with everything recorded about it (`brigade log show RUN`).
public struct StoredRunRecord: Sendable, Hashable {
    public var run: StoredRun
    /// The run's options as recorded (routing, limits, tool subset, system prompt).
    public var options: JSONValue
    /// The text the model wrote in each turn, in order.
    public var turns: [StoredTurn]
    public var calls: [StoredToolCall]
    /// The run's events as NDJSON objects (text deltas excluded).
    public var events: [JSONValue]
    /// The conversation at the last checkpoint (the whole run once finished).
    public var messages: [ChatMessage]
    /// The runs this one started (a sub-agent's runs, the `map` builtin's workers), oldest first.
    public var childRunIDs: [RunID] = []

    public var json: JSONValue {
        guard case .object(var object) = run.json else { return run.json }
        object["options"] = options
        object["turns"] = .array(turns.map { ["turn": .integer($0.turn), "text": .string($0.text)] })
        object["calls"] = .array(calls.map(\.json))
        object["events"] = .array(events)
        object["messages"] = .array(messages.map(\.json))
        object["child_run_ids"] = .array(childRunIDs.map { .string($0.rawValue) })
        return .object(object)
    }
}

/// Spend of one model over a period (`brigade log cost`).
public struct ModelCost: Sendable, Hashable {
    public var model: String
    public var runs: Int
    public var usage: TokenUsage
    public var costUSD: Double
}

/// One turn as the store holds it.
public struct StoredTurn: Sendable, Hashable {
    public var turn: Int
    public var text: String
    public var toolCalls: Int
    public var modelSeconds: Double
}
