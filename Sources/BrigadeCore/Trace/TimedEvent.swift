#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One event of a run and when it happened: the input of ``TraceBuilder``, from the store
/// (``RunStore/trace(of:now:)``) or from a live stream of events.
public struct TimedEvent: Sendable, Hashable {
    /// The NDJSON object of the event (``RunEvent/json``): `type`, `run_id`, … — a child run's
    /// events (``ChildRunEvent/json``) carry the child's `run_id`, `parent_run_id` and `parent_call_id`.
    public var json: JSONValue
    public var at: Date
    /// On a `turn_started`: when that model call's first token arrived (the store keeps this instead
    /// of the text deltas). A live stream may pass its `text_delta` events instead.
    public var firstTokenAt: Date?

    public init(json: JSONValue, at: Date, firstTokenAt: Date? = nil) {
        self.json = json
        self.at = at
        self.firstTokenAt = firstTokenAt
    }

    /// An event of a live stream, stamped `at`.
    public init(_ event: RunEvent, at: Date = Date()) {
        self.init(json: event.json, at: at)
    }
}

/// What a trace needs to know of a run besides its events.
public struct TraceRunInfo: Sendable, Hashable {
    public var id: RunID
    public var prompt: String
    /// The model's display name (`openai:gpt-4o`), when known.
    public var model: String?
    public var startedAt: Date
    /// `running` is drawn as live; `interrupted` ends its open spans at its last event.
    public var state: StoredRun.State
    public var conversationID: String?

    public init(id: RunID, prompt: String, model: String?, startedAt: Date, state: StoredRun.State, conversationID: String? = nil) {
        self.id = id
        self.prompt = prompt
        self.model = model
        self.startedAt = startedAt
        self.state = state
        self.conversationID = conversationID
    }

    public init(_ run: StoredRun) {
        self.init(id: run.id, prompt: run.prompt, model: run.model, startedAt: run.startedAt, state: run.state, conversationID: run.conversationID)
    }
}
