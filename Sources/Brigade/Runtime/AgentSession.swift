import Synchronization
/// The conversation of a multi-turn session: the messages of earlier runs, which the next run continues.
///
/// One run at a time: a run started while another holds the session ends at once with
/// ``StopReason/error(_:)``. The system prompt is not stored here (the agent adds it to every request).
public final class AgentSession: Sendable {
    private struct State {
        var messages: [ChatMessage] = []
        var busy = false
    }

    private let state: Mutex<State>

    /// - Parameter messages: an earlier conversation to continue (without the system prompt).
    public init(messages: [ChatMessage] = []) {
        state = Mutex(State(messages: messages))
    }

    /// The conversation so far: user prompts, assistant turns with their tool calls, tool results.
    public var messages: [ChatMessage] { state.withLock { $0.messages } }

    /// Forgets the conversation.
    public func reset() {
        state.withLock { $0.messages = [] }
    }

    /// Claims the session for a run; `nil` when another run holds it.
    func beginRun() -> [ChatMessage]? {
        state.withLock { state in
            if state.busy { return nil }
            state.busy = true
            return state.messages
        }
    }

    /// Stores the run's conversation and releases the session.
    func endRun(with messages: [ChatMessage]) {
        state.withLock { state in
            state.messages = messages
            state.busy = false
        }
    }
}
