/// Which budget cap ended a run.
public enum BudgetResource: String, Sendable, Hashable, CaseIterable {
    case usd, tokens, time, calls
}

/// Why a run ended.
public enum StopReason: Sendable, Hashable, CustomStringConvertible {
    /// The model gave a final answer.
    case finished
    /// The last allowed turn was used (it was made with tools disabled, so there is usually an answer).
    case maxTurns
    /// A budget cap was reached; the answer comes from the synthesis call, the fallback, or is the list
    /// of what was gathered.
    case budget(BudgetResource)
    /// The run's task was cancelled.
    case cancelled
    /// The model failed (after its client's retries) or none is configured; the message says why.
    case modelUnavailable(String)
    /// Static routing only: no route matches the request, so there is no answer (the answer text lists
    /// what the router can do).
    case noRoute
    /// The matched route's required calls all failed and no model could take over; the message names them.
    case routeFailed(String)
    /// The run could not proceed for another reason, e.g. its session is busy with another run.
    case error(String)

    /// A stable identifier: `finished`, `max_turns`, `budget_usd`, `budget_tokens`, `budget_time`,
    /// `budget_calls`, `cancelled`, `model_unavailable`, `no_route`, `route_failed`, `error`.
    public var code: String {
        switch self {
        case .finished: "finished"
        case .maxTurns: "max_turns"
        case .budget(let resource): "budget_\(resource.rawValue)"
        case .cancelled: "cancelled"
        case .modelUnavailable: "model_unavailable"
        case .noRoute: "no_route"
        case .routeFailed: "route_failed"
        case .error: "error"
        }
    }

    public var description: String {
        switch self {
        case .finished: "finished"
        case .maxTurns: "the turn limit was reached"
        case .budget(.usd): "the USD budget ran out"
        case .budget(.tokens): "the token budget ran out"
        case .budget(.time): "the time budget ran out"
        case .budget(.calls): "the tool-call budget ran out"
        case .cancelled: "cancelled"
        case .modelUnavailable(let message): "the model is unavailable: \(message)"
        case .noRoute: "no route matches the request"
        case .routeFailed(let message): "the route's required calls failed: \(message)"
        case .error(let message): message
        }
    }
}
