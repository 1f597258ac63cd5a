import Synchronization
import Brigade

/// Records the events of runs, for assertions.
///
/// ```swift
/// let recorder = EventRecorder()
/// let result = await agent.run("hi", onEvent: recorder.record)
/// #expect(recorder.types.first == "turn_started")
/// ```
public final class EventRecorder: Sendable {
    private let state = Mutex<[AgentEvent]>([])

    public init() {}

    /// Appends an event (usable directly as `onEvent:`).
    @Sendable public func record(_ event: AgentEvent) {
        state.withLock { $0.append(event) }
    }

    /// Every event so far, in order.
    public var events: [AgentEvent] { state.withLock { $0 } }

    /// The `"type"` field of each event's JSON form, in order (`turn_started`, `text_delta`, …).
    public var types: [String] { events.map { $0.json["type"]?.stringValue ?? "?" } }

    /// The text deltas joined.
    public var text: String {
        events.reduce(into: "") { text, event in
            if case .textDelta(let delta) = event { text += delta }
        }
    }

    /// The finished tool calls, in the order they finished.
    public var finishedCalls: [ToolCallOutcome] {
        events.compactMap { if case .toolCallFinished(let outcome) = $0 { outcome } else { nil } }
    }

    /// The ids of started tool calls, in the order they started.
    public var startedCallIDs: [String] {
        events.compactMap { if case .toolCallStarted(let info) = $0 { info.id } else { nil } }
    }

    /// The result of the last `finished` event.
    public var result: RunResult? {
        events.last.flatMap { if case .finished(let result) = $0 { result } else { nil } }
    }

    public func reset() {
        state.withLock { $0 = [] }
    }
}
