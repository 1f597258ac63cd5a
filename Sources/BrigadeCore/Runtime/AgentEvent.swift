/// How one tool call ended.
public enum ToolCallStatus: String, Sendable, Hashable, CaseIterable {
    case ok
    /// Invalid call (unknown tool, bad arguments), a failing tool, or an executor error.
    case error
    /// The call's timeout or the run's deadline passed; the call was cancelled.
    case timeout
    /// Not run: a call cap or the budget left no room for it.
    case notRun = "not_run"
    /// Not run: the tool needs approval and it was not given.
    case denied
    /// The run was cancelled while the call waited or ran.
    case cancelled
    /// Not run yet: its approval was paused (``ApprovalDecision/pause``); the run pauses with it.
    case awaitingApproval = "awaiting_approval"
}

/// A tool call as shown to observers.
public struct ToolCallInfo: Sendable, Hashable {
    public var id: String
    public var toolName: String
    /// The raw arguments, on one line, cut to 200 characters.
    public var argumentsPreview: String

    public init(id: String, toolName: String, argumentsPreview: String) {
        self.id = id
        self.toolName = toolName
        self.argumentsPreview = argumentsPreview
    }
}

/// How a tool call ended, as shown to observers.
public struct ToolCallOutcome: Sendable, Hashable {
    public var call: ToolCallInfo
    public var status: ToolCallStatus
    /// How long the executor ran (zero when it never started).
    public var duration: Duration
    /// The result text, on one line, cut to 200 characters.
    public var outputPreview: String

    public init(call: ToolCallInfo, status: ToolCallStatus, duration: Duration, outputPreview: String) {
        self.call = call
        self.status = status
        self.duration = duration
        self.outputPreview = outputPreview
    }
}

/// Everything observable about a run, in order. The CLI, the REPL, batch, NDJSON and the Swift API all
/// render this one stream; a run's events always end with exactly one ``finished(_:)``.
///
/// Ordering: `turnStarted(n)` precedes that turn's text deltas and calls; each call goes
/// `toolCallQueued` → (`toolCallStarted`) → `toolCallFinished`; calls of one turn interleave.
///
/// New kinds of event will be added in later releases (as ``modelRetry(_:)`` and
/// ``routeMatched(_:)`` were): a `switch` over an event must keep a `default:` branch, and ignore
/// what it does not know. An exhaustive switch without one will stop compiling when a case is added.
public enum AgentEvent: Sendable, Hashable {
    /// A model call begins (turns count from 1; the synthesis call is a turn too).
    case turnStarted(turn: Int)
    /// A static route serves this request: its fixed fan-out follows.
    case routeMatched(RouteMatchInfo)
    /// Text streamed by the model.
    case textDelta(String)
    /// The model asked for a call; it waits for validation, admission, approval and a free slot.
    case toolCallQueued(ToolCallInfo)
    /// The call's executor starts.
    case toolCallStarted(ToolCallInfo)
    /// The call ended: ran, failed, timed out, or was refused, denied or cancelled.
    case toolCallFinished(ToolCallOutcome)
    /// Spent and left, after each model call and each batch of tool calls.
    case budgetUpdate(BudgetSnapshot)
    /// The answer does not come from the model; the reason says why and where it comes from instead.
    case fallbackUsed(reason: String)
    /// The model call failed and the client retries it after a delay (429, 5xx, a broken connection).
    case modelRetry(ModelRetryEvent)
    /// The model was unavailable and the next model of the run's ``ModelChain`` takes over.
    case modelSwitched(ModelSwitch)
    /// The model call waits for the provider's rate limiter before it is sent.
    case rateLimitWait(RateLimitWait)
    /// The run ended. Always the last event.
    case finished(RunResult)
    /// An event of a child run started by one of this run's tool calls (a sub-agent), or by a worker
    /// pool (map-reduce); it arrives before that call's `toolCallFinished`.
    indirect case childRun(ChildRunEvent)
    /// Where a map-reduce started by one of this run's tool calls (the `map` builtin) is: chunks
    /// done / failed / total and spend, a reduce level, the produce step. It arrives before that
    /// call's `toolCallFinished`.
    case mapProgress(MapProgressEvent)
    /// How the branches of a join became one answer — the variants of a sub-agent's or a route
    /// call's, or a route's calls under its join rules: who won, why, whether a judge decided (or
    /// failed), and what the branches disagreed on.
    case joinDecided(JoinDecisionEvent)
}

/// The decision of one join: under `callID` (the sub-agent's call, a route call's id, or `route_join`).
public struct JoinDecisionEvent: Sendable, Hashable {
    public var callID: String
    /// The branches' labels, in order.
    public var branches: [String]
    public var outcome: JoinOutcome

    public init(callID: String, branches: [String], outcome: JoinOutcome) {
        self.callID = callID
        self.branches = branches
        self.outcome = outcome
    }

    /// `join_decided`: `{"type":"join_decided","call_id":"call_1","branches":[…],"winner":"variant_2","reason":"…",
    /// "judged":true,"judge_failure":null,"conflicts":[{"field":"arrival","values":[{"branch":…,"value":…}],"chosen":…}],"failed":[…]}`.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [("type", "join_decided"), ("call_id", .string(callID))]
        fields.append(("branches", .array(branches.map { JSONValue.string($0) })))
        fields.append(("winner", outcome.winner.map { JSONValue.string($0) } ?? .null))
        fields.append(("reason", .string(outcome.reason)))
        fields.append(("judged", .bool(outcome.judged)))
        fields.append(("judge_failure", outcome.judgeFailure.map { JSONValue.string($0) } ?? .null))
        fields.append(("conflicts", .array(outcome.conflicts.map(Self.json))))
        let failed: [JSONValue] = outcome.failed.map { branch in
            .object(JSONObject([("branch", .string(branch.label)), ("error", .string(branch.failure ?? "no answer"))]))
        }
        fields.append(("failed", .array(failed)))
        fields.append(("line", .string(line)))
        return .object(JSONObject(fields))
    }

    static func json(_ conflict: JoinConflict) -> JSONValue {
        let values: [JSONValue] = conflict.values.map { value in
            .object(JSONObject([("branch", .string(value.branch)), ("value", .string(value.value))]))
        }
        let chosen: JSONValue = conflict.chosen.map { .string($0) } ?? .null
        return .object(JSONObject([("field", .string(conflict.field)), ("values", .array(values)), ("chosen", chosen)]))
    }

    /// One line for a terminal: `join: variant_2 won (judge) — …`, the note without its brackets.
    public var line: String { String(outcome.note.dropFirst().dropLast()) }
}

/// A ``MapProgress`` of the map-reduce that the tool call `callID` runs.
public struct MapProgressEvent: Sendable, Hashable {
    public var callID: String
    public var progress: MapProgress

    public init(callID: String, progress: MapProgress) {
        self.callID = callID
        self.progress = progress
    }

    /// `map_progress` with the call's id: `{"type":"map_progress","call_id":"call_1","phase":"map","done":120,…}`.
    public var json: JSONValue {
        guard case .object(let object) = progress.json else { return progress.json }
        var fields: [(String, JSONValue)] = []
        for (key, value) in object {
            fields.append((key, value))
            if key == "type" { fields.append(("call_id", .string(callID))) }
        }
        return .object(JSONObject(fields))
    }
}

/// Which route serves a request, with the captures of its pattern and why it matched.
public struct RouteMatchInfo: Sendable, Hashable {
    public var route: String
    public var captures: [String: String]
    public var reason: String
    /// True when the route answers because the model could not (fallback).
    public var isFallback: Bool

    public init(route: String, captures: [String: String], reason: String, isFallback: Bool) {
        self.route = route
        self.captures = captures
        self.reason = reason
        self.isFallback = isFallback
    }
}
