/// One verdict on how a run ended, for callers that must branch on it: the CLI's exit codes, a batch
/// item's status.
///
/// | outcome | stop reasons | `brigade` exit code |
/// |---|---|---|
/// | ``answered`` | `finished`; `model_unavailable` answered by a static route or fallback hook | 0 |
/// | ``failed`` | `error`, `invalid_answer` | 1 |
/// | ``noAnswer`` | `model_unavailable` with nothing to fall back to, `no_route`, `route_failed` | 3 |
/// | ``cutShort`` | `max_turns`, `budget_usd`, `budget_tokens`, `budget_time`, `budget_calls` | 4 |
/// | ``paused`` | `awaiting_approval` | 5 |
/// | ``cancelled`` | `cancelled` | 130 |
public enum RunOutcome: String, Sendable, Hashable, CaseIterable {
    /// There is an answer.
    case answered
    /// The run could not proceed (for example its session was busy).
    case failed
    /// There is no answer: the model was unavailable and nothing could stand in for it, no route
    /// matched in static mode, or a route's required calls all failed.
    case noAnswer = "no_answer"
    /// The answer was cut short by a limit: the turn limit or a budget cap.
    case cutShort = "cut_short"
    /// The run was cancelled.
    case cancelled
    /// The run is paused until a call is approved or denied (it resumes from its checkpoint).
    case paused

    /// The exit code `brigade ask` ends with.
    public var exitCode: Int32 {
        switch self {
        case .answered: 0
        case .failed: 1
        case .noAnswer: 3
        case .cutShort: 4
        case .cancelled: 130
        case .paused: 5
        }
    }
}

extension RunResult {
    /// How the run ended, from its ``stopReason`` and whether a fallback answered.
    public var outcome: RunOutcome {
        switch stopReason.code {
        case .finished: .answered
        case .maxTurns, .budgetUSD, .budgetTokens, .budgetTime, .budgetCalls: .cutShort
        case .cancelled: .cancelled
        case .awaitingApproval: .paused
        case .modelUnavailable: answeredByFallback ? .answered : .noAnswer
        case .noRoute, .routeFailed: .noAnswer
        default: .failed
        }
    }
}
