import Synchronization
/// The conversation of a multi-turn session: the messages of earlier runs, which the next run continues.
///
/// One run at a time: a run started while another holds the session ends at once with
/// ``StopReason/error(_:)``. The system prompt is not stored here (the agent adds it to every request).
///
/// The memory is bounded: when a run ends and the conversation's estimate passes `maxHistoryTokens`
/// (the same estimate as ``ModelRequest/estimatedInputTokens``: UTF-8 bytes plus framing, over
/// four), the oldest turns — a user prompt with the assistant turns and tool results that answered
/// it — are dropped, whole, until it fits; the last turn is always kept. The next run's first
/// message then starts with a note telling the model how many earlier messages were dropped.
public final class AgentSession: Sendable {
    private struct State {
        var messages: [ChatMessage] = []
        /// Messages dropped from the front so far.
        var dropped = 0
        var busy = false
    }

    /// The default bound of a session's conversation, in estimated tokens.
    public static let defaultMaxHistoryTokens = 32_000

    private let state: Mutex<State>
    /// The bound of the conversation kept between runs, in estimated tokens.
    public let maxHistoryTokens: Int
    /// The conversation's id in the run store (``RunStore``): the runs of this session are recorded
    /// as one conversation, which `brigade chat --resume ID` or ``RunStore/conversation(_:)`` reads back.
    public let id: String

    /// - Parameters:
    ///   - messages: an earlier conversation to continue (without the system prompt).
    ///   - maxHistoryTokens: the bound of the conversation kept between runs (at least 1).
    ///   - id: the conversation's id when continuing a stored one; `nil` makes a new one (`conv_…`).
    public init(messages: [ChatMessage] = [], maxHistoryTokens: Int = AgentSession.defaultMaxHistoryTokens, id: String? = nil) {
        self.maxHistoryTokens = max(1, maxHistoryTokens)
        state = Mutex(State(messages: messages))
        self.id = id ?? "conv_" + RunID().rawValue.dropFirst(4)
    }

    /// The conversation kept: user prompts, assistant turns with their tool calls, tool results.
    public var messages: [ChatMessage] { state.withLock { $0.messages } }

    /// How many of the oldest messages were dropped to keep the conversation within its bound.
    public var droppedMessages: Int { state.withLock { $0.dropped } }

    /// Forgets the conversation.
    public func reset() {
        state.withLock { state in
            state.messages = []
            state.dropped = 0
        }
    }

    /// Claims the session for a run; `nil` when another run holds it. The history comes with the
    /// note on dropped messages, if any.
    func beginRun() -> [ChatMessage]? {
        state.withLock { state in
            if state.busy { return nil }
            state.busy = true
            return Self.noted(state.messages, dropped: state.dropped)
        }
    }

    /// Stores the run's conversation, trimmed to the bound, and releases the session.
    func endRun(with messages: [ChatMessage]) {
        state.withLock { state in
            let (kept, dropped) = Self.trimmed(Self.withoutNote(messages), toTokens: maxHistoryTokens)
            state.messages = kept
            state.dropped += dropped
            state.busy = false
        }
    }

    /// `messages` without their oldest whole turns, until the estimate fits `limit` or one turn is
    /// left; and how many messages were dropped.
    static func trimmed(_ messages: [ChatMessage], toTokens limit: Int) -> (kept: [ChatMessage], dropped: Int) {
        var total = messages.reduce(0) { $0 + estimatedBytes($1) }
        var start = 0
        while (total + 3) / 4 > limit {
            // The next turn starts at the next user prompt after `start`; none means one turn is left.
            guard let next = messages[(start + 1)...].firstIndex(where: { if case .user = $0 { true } else { false } }) else { break }
            total -= messages[start..<next].reduce(0) { $0 + estimatedBytes($1) }
            start = next
        }
        return (Array(messages[start...]), start)
    }

    static func estimatedBytes(_ message: ChatMessage) -> Int {
        switch message {
        case .system(let text), .user(let text):
            return 16 + text.utf8.count
        case .assistant(let text, let calls):
            return calls.reduce(16 + text.utf8.count) { $0 + 16 + $1.id.utf8.count + $1.name.utf8.count + $1.rawArguments.utf8.count }
        case .toolResults(let results):
            return results.reduce(16) { $0 + 16 + $1.callID.utf8.count + $1.content.utf8.count }
        }
    }

    static func note(dropped: Int) -> String {
        "[The \(dropped) oldest messages of this conversation were dropped to keep it within its memory limit.]\n\n"
    }

    /// `messages` with the note on `dropped` messages at the start of the first user prompt.
    static func noted(_ messages: [ChatMessage], dropped: Int) -> [ChatMessage] {
        guard dropped > 0, case .user(let text) = messages.first else { return messages }
        return [.user(note(dropped: dropped) + text)] + messages.dropFirst()
    }

    /// `messages` with the note (as ``noted(_:dropped:)`` puts it) taken off the first user prompt.
    static func withoutNote(_ messages: [ChatMessage]) -> [ChatMessage] {
        guard case .user(let text) = messages.first, text.hasPrefix("[The "),
            let end = text.firstRange(of: " oldest messages of this conversation were dropped to keep it within its memory limit.]\n\n")
        else { return messages }
        let count = text[text.index(text.startIndex, offsetBy: 5)..<end.lowerBound]
        guard !count.isEmpty, count.allSatisfy(\.isASCII), count.allSatisfy(\.isNumber) else { return messages }
        return [.user(String(text[end.upperBound...]))] + messages.dropFirst()
    }
}
