/// Why the model could not give the answer.
public enum FallbackReason: Sendable, Hashable, CustomStringConvertible {
    /// The model call failed after its client's retries.
    case modelUnavailable(ModelError)
    /// No model is configured.
    case noModel
    /// A cap left no room for another model call, not even the synthesis call.
    case budgetExhausted(Budget.Limit)

    public var description: String {
        switch self {
        case .modelUnavailable(let error): "the model is unavailable (\(error))"
        case .noModel: "no model is configured"
        case .budgetExhausted(let limit): "the budget ran out (\(limit.rawValue))"
        }
    }
}

/// What a fallback gets to work with.
public struct FallbackRequest: Sendable {
    /// The user's prompt of this run.
    public var prompt: String
    public var reason: FallbackReason
    /// The tool calls this run made so far, in order.
    public var gathered: [DispatchedCall]
    /// The run's hard deadline, if it has one.
    public var deadline: ContinuousClock.Instant?
    /// Emits events into the run's stream (e.g. the tool calls of a fixed fan-out).
    public var emit: @Sendable (AgentEvent) -> Void

    public init(
        prompt: String,
        reason: FallbackReason,
        gathered: [DispatchedCall],
        deadline: ContinuousClock.Instant?,
        emit: @escaping @Sendable (AgentEvent) -> Void
    ) {
        self.prompt = prompt
        self.reason = reason
        self.gathered = gathered
        self.deadline = deadline
        self.emit = emit
    }
}

/// Produces an answer without the model — the router implements it with its static routes.
///
/// The agent asks it when the model is unavailable and when the budget runs out before an answer (the
/// synthesis call could not be made or failed). Returning `nil` lets the agent answer with a plain list
/// of what was gathered.
public protocol FallbackAnswering: Sendable {
    func fallbackAnswer(for request: FallbackRequest) async -> String?
}
