import Synchronization
import Brigade

/// One scripted model turn of a ``ScriptedModelClient``.
public struct ScriptedTurn: Sendable {
    enum Behaviour: Sendable {
        case respond(text: String, toolCalls: [ToolCall], usage: TokenUsage?)
        case fail(ModelError)
        case hang
        case handler(@Sendable (ModelRequest) async throws(ModelError) -> ModelResponse)
    }

    let behaviour: Behaviour

    /// A final answer (no tool calls), streamed word by word.
    public static func answer(_ text: String, usage: TokenUsage? = nil) -> ScriptedTurn {
        ScriptedTurn(behaviour: .respond(text: text, toolCalls: [], usage: usage))
    }

    /// Tool calls (raw argument strings, so malformed JSON can be scripted), with optional text before them.
    public static func toolCalls(_ calls: [ToolCall], text: String = "", usage: TokenUsage? = nil) -> ScriptedTurn {
        ScriptedTurn(behaviour: .respond(text: text, toolCalls: calls, usage: usage))
    }

    /// A failed model call (as a client throws after its retries).
    public static func failure(_ error: ModelError) -> ScriptedTurn {
        ScriptedTurn(behaviour: .fail(error))
    }

    /// A model that never answers: the call ends only at its deadline (`deadlineExceeded`) or when
    /// cancelled (`cancelled`).
    public static var hang: ScriptedTurn { ScriptedTurn(behaviour: .hang) }

    /// A turn computed from the request.
    public static func respond(_ body: @escaping @Sendable (ModelRequest) async throws(ModelError) -> ModelResponse) -> ScriptedTurn {
        ScriptedTurn(behaviour: .handler(body))
    }
}

/// An in-process `ModelClient` that plays scripted turns in order and records every request it got.
/// A call past the end of the script fails with `ModelError.Code.rejected`.
public final class ScriptedModelClient: ModelClient {
    private struct State {
        var turns: [ScriptedTurn]
        var next = 0
        var requests: [ModelRequest] = []
        var deadlines: [ContinuousClock.Instant?] = []
    }

    public let displayName: String
    private let state: Mutex<State>
    private let clock: any RuntimeClock

    /// - Parameters:
    ///   - turns: the turns to play, in order.
    ///   - displayName: the client's name in events and errors.
    ///   - clock: the clock a ``ScriptedTurn/hang`` waits on for its deadline (pass the agent's clock).
    public init(_ turns: [ScriptedTurn], displayName: String = "scripted", clock: any RuntimeClock = .system) {
        self.displayName = displayName
        self.state = Mutex(State(turns: turns))
        self.clock = clock
    }

    /// Every request received, in order.
    public var requests: [ModelRequest] { state.withLock { $0.requests } }
    /// The deadline passed with each request.
    public var deadlines: [ContinuousClock.Instant?] { state.withLock { $0.deadlines } }
    /// How many scripted turns were not played.
    public var remainingTurns: Int { state.withLock { $0.turns.count - $0.next } }

    public func complete(
        _ request: ModelRequest,
        deadline: ContinuousClock.Instant?,
        onTextDelta: @escaping @Sendable (String) -> Void
    ) async throws(ModelError) -> ModelResponse {
        let turn: ScriptedTurn? = state.withLock { state in
            state.requests.append(request)
            state.deadlines.append(deadline)
            guard state.next < state.turns.count else { return nil }
            defer { state.next += 1 }
            return state.turns[state.next]
        }
        guard let turn else {
            throw ModelError(.rejected, "the scripted model has no turn left (request \(requests.count))")
        }
        switch turn.behaviour {
        case .respond(let text, let toolCalls, let usage):
            for word in Self.words(of: text) { onTextDelta(word) }
            return ModelResponse(text: text, toolCalls: toolCalls, finishReason: toolCalls.isEmpty ? .stop : .toolCalls, usage: usage)
        case .fail(let error):
            throw error
        case .hang:
            do {
                if let deadline {
                    try await clock.sleep(until: deadline)
                } else {
                    try await Task.sleep(for: .seconds(86_400))
                }
            } catch {
                throw ModelError(.cancelled, "cancelled")
            }
            throw ModelError(.deadlineExceeded, "the deadline passed")
        case .handler(let body):
            return try await body(request)
        }
    }

    /// `text` split after each space, so deltas concatenate back to it.
    static func words(of text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == " " {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}
