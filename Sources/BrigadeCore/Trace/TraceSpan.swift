#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One stretch of time in a run's trace: the run itself, a turn, a model call, a retry, a tool call,
/// a route's fan-out, or a budget stop (an instant). Built by ``TraceBuilder`` from the run's events.
public struct TraceSpan: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A run: the root, or a sub-agent's child run nested under the call that started it.
        case run
        /// A model call and the tool calls it asked for.
        case turn
        /// One model call, from request to assembled response (its retries inside it).
        case modelCall = "model_call"
        /// A failed attempt of a model call that the client retried.
        case retry
        /// One tool call, from queued to finished.
        case toolCall = "tool_call"
        /// A static route's fixed fan-out.
        case route
        /// The run stopped on a budget limit (an instant: `start == end`).
        case budget
    }

    public enum Status: String, Sendable, Hashable, CaseIterable {
        case ok
        case error
        case timeout
        case cancelled
        case denied
        case notRun = "not_run"
        case awaitingApproval = "awaiting_approval"
        /// Still going on (a live run): ``TraceSpan/end`` is `nil`.
        case running
        /// Its process ended before it did (a run killed mid-way).
        case interrupted

        /// A failure worth colouring: error, timeout, cancelled, denied, not run, interrupted.
        public var isFailure: Bool { ![.ok, .running, .awaitingApproval].contains(self) }
    }

    /// Unique within the trace and stable: `RUN`, `RUN/turn/2`, `RUN/model/2`, `RUN/model/2/retry/1`,
    /// `RUN/call/2/ID`, `RUN/route`, `RUN/budget`.
    public var id: String
    /// The enclosing span; `nil` only for the root run.
    public var parentID: String?
    /// The run the span belongs to (a sub-agent's spans carry its child run's id).
    public var runID: RunID
    public var kind: Kind
    /// What a reader sees: `run`, `turn 2`, `model openai:gpt-4o`, `synthesis`, the tool's name, the route's.
    public var name: String
    public var start: Date
    /// `nil` while it is still going on.
    public var end: Date?
    public var status: Status
    /// On the critical path: what the run waited for (its model calls, and the call of each fan-out
    /// that finished last, recursively into sub-agents).
    public var isCritical: Bool
    /// 0 for the root, its children 1, …
    public var depth: Int
    /// What is known about it, snake_case keys (see docs/traces.md): tokens, cost, `ttft_s`,
    /// `retries`, `arguments` and `output` previews, `queue_s`, `result_bytes`, …
    public var attributes: JSONObject

    public init(
        id: String, parentID: String?, runID: RunID, kind: Kind, name: String, start: Date, end: Date?,
        status: Status, isCritical: Bool = false, depth: Int, attributes: JSONObject = [:]
    ) {
        self.id = id
        self.parentID = parentID
        self.runID = runID
        self.kind = kind
        self.name = name
        self.start = start
        self.end = end
        self.status = status
        self.isCritical = isCritical
        self.depth = depth
        self.attributes = attributes
    }

    /// Seconds from start to end (to `now` while it is going on).
    public func duration(now: Date) -> Double { max(0, (end ?? now).timeIntervalSince(start)) }

    /// The span as JSON (one element of `brigade trace --json`'s `spans`); times in seconds since
    /// `origin`, the trace's start.
    public func json(origin: Date) -> JSONValue {
        .object(JSONObject([
            ("id", .string(id)), ("parent_id", parentID.map { .string($0) } ?? .null), ("run_id", .string(runID.rawValue)),
            ("kind", .string(kind.rawValue)), ("name", .string(name)),
            ("start_s", .number(Self.rounded(start.timeIntervalSince(origin)))),
            ("end_s", end.map { .number(Self.rounded($0.timeIntervalSince(origin))) } ?? .null),
            ("status", .string(status.rawValue)), ("critical", .bool(isCritical)), ("depth", .integer(depth)),
            ("attributes", .object(attributes)),
        ]))
    }

    static func rounded(_ seconds: Double) -> Double { (seconds * 1_000_000).rounded() / 1_000_000 }
}

/// Every span of one run, its children's included, in depth-first order (a parent before its
/// children; `spans[0]` is the root run).
public struct RunTrace: Sendable, Hashable {
    public var runID: RunID
    public var spans: [TraceSpan]
    /// The run is still going on: open spans have no end and are drawn up to ``now``.
    public var isLive: Bool
    /// When the trace was built: the end of what is still open.
    public var now: Date

    public init(runID: RunID, spans: [TraceSpan], isLive: Bool, now: Date) {
        self.runID = runID
        self.spans = spans
        self.isLive = isLive
        self.now = now
    }

    public var startedAt: Date { spans.first?.start ?? now }
    /// The root run's duration (up to ``now`` while live).
    public var wallSeconds: Double { spans.first?.duration(now: now) ?? 0 }
    /// The work done one after the other: every model call and every tool call that did not start a
    /// child run (without its time in the queue), added up.
    public var sequentialSeconds: Double {
        let parents = Set(spans.compactMap(\.parentID))
        return spans.filter { $0.kind == .modelCall || ($0.kind == .toolCall && !parents.contains($0.id)) }
            .reduce(0) { $0 + max(0, $1.duration(now: now) - ($1.attributes["queue_s"]?.doubleValue ?? 0)) }
    }
    /// ``sequentialSeconds`` over ``wallSeconds``: what running calls in parallel saved.
    public var speedUp: Double { wallSeconds > 0 ? sequentialSeconds / wallSeconds : 1 }

    /// `brigade trace RUN --json`.
    public var json: JSONValue {
        .object(JSONObject([
            ("run_id", .string(runID.rawValue)), ("live", .bool(isLive)),
            ("started_at", .string(startedAt.formatted(.iso8601))),
            ("wall_s", .number(TraceSpan.rounded(wallSeconds))),
            ("sequential_s", .number(TraceSpan.rounded(sequentialSeconds))),
            ("speed_up", .number((speedUp * 100).rounded() / 100)),
            ("spans", .array(spans.map { $0.json(origin: startedAt) })),
        ]))
    }
}
