/// Which budget cap ended a run.
public enum BudgetResource: String, Sendable, Hashable, CaseIterable {
    case usd, tokens, time, calls
}

/// Why a run ended: a ``Code`` (a stable identifier such as `budget_usd`) and, for some codes, a
/// detail (why the model was unavailable, which route calls failed, what the error was).
///
/// A struct rather than an enum so that a later release can add a reason without breaking code
/// that switches over it: switch over ``code`` and keep a `default:` branch.
///
/// ```swift
/// switch result.stopReason.code {
/// case .finished: print(result.answer)
/// case .budgetUSD, .budgetTokens, .budgetTime, .budgetCalls, .maxTurns: print("cut short:", result.answer)
/// default: print("no answer:", result.stopReason)
/// }
/// ```
public struct StopReason: Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier of a stop reason, as in the `finished` event's `stop_reason`.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }

        public var description: String { rawValue }

        /// The model gave a final answer (or a route served the request).
        public static let finished: Code = "finished"
        /// The last allowed turn was used (it was made with tools disabled, so there is usually an answer).
        public static let maxTurns: Code = "max_turns"
        /// A budget cap was reached; the answer comes from the synthesis call, the fallback, or is the
        /// list of what was gathered.
        public static let budgetUSD: Code = "budget_usd"
        public static let budgetTokens: Code = "budget_tokens"
        public static let budgetTime: Code = "budget_time"
        public static let budgetCalls: Code = "budget_calls"
        /// The run's task was cancelled.
        public static let cancelled: Code = "cancelled"
        /// The model failed (after its client's retries) or none is configured; the detail says why.
        public static let modelUnavailable: Code = "model_unavailable"
        /// Static routing only: no route matches the request (the answer lists what the router can do).
        public static let noRoute: Code = "no_route"
        /// The matched route's required calls all failed and no model could take over; the detail names them.
        public static let routeFailed: Code = "route_failed"
        /// The run could not proceed for another reason, e.g. its session is busy with another run.
        public static let error: Code = "error"
        /// The run asked for an answer matching a JSON Schema and the model's answer did not match,
        /// even after it was shown the validation errors; the answer is its last attempt.
        public static let invalidAnswer: Code = "invalid_answer"
        /// A call needs a decision nobody could give (``ApprovalDecision/pause``): the run is paused
        /// (stored as awaiting approval) and continues with ``Agent/resume(_:approval:onEvent:)``.
        public static let awaitingApproval: Code = "awaiting_approval"
    }

    /// What kind of stop this is.
    public var code: Code
    /// The message of ``Code/modelUnavailable``, ``Code/routeFailed`` and ``Code/error``; `nil` otherwise.
    public var detail: String?

    public init(code: Code, detail: String? = nil) {
        self.code = code
        self.detail = detail
    }

    public static let finished = StopReason(code: .finished)
    public static let maxTurns = StopReason(code: .maxTurns)
    public static let cancelled = StopReason(code: .cancelled)
    public static let noRoute = StopReason(code: .noRoute)
    public static let awaitingApproval = StopReason(code: .awaitingApproval)

    /// A budget cap was reached.
    public static func budget(_ resource: BudgetResource) -> StopReason {
        StopReason(code: Code(rawValue: "budget_\(resource.rawValue)"))
    }

    /// The model is unavailable; `message` says why.
    public static func modelUnavailable(_ message: String) -> StopReason { StopReason(code: .modelUnavailable, detail: message) }
    /// The matched route's required calls failed; `message` names them.
    public static func routeFailed(_ message: String) -> StopReason { StopReason(code: .routeFailed, detail: message) }
    /// The run could not proceed; `message` says why.
    public static func error(_ message: String) -> StopReason { StopReason(code: .error, detail: message) }
    /// The answer does not match the run's output schema; `message` lists the violations.
    public static func invalidAnswer(_ message: String) -> StopReason { StopReason(code: .invalidAnswer, detail: message) }

    /// The budget cap that ended the run, for the `budget_*` codes.
    public var budgetResource: BudgetResource? {
        guard code.rawValue.hasPrefix("budget_") else { return nil }
        return BudgetResource(rawValue: String(code.rawValue.dropFirst("budget_".count)))
    }

    public var description: String {
        switch code {
        case .finished: "finished"
        case .maxTurns: "the turn limit was reached"
        case .budgetUSD: "the USD budget ran out"
        case .budgetTokens: "the token budget ran out"
        case .budgetTime: "the time budget ran out"
        case .budgetCalls: "the tool-call budget ran out"
        case .cancelled: "cancelled"
        case .modelUnavailable: "the model is unavailable: \(detail ?? "")"
        case .noRoute: "no route matches the request"
        case .routeFailed: "the route's required calls failed: \(detail ?? "")"
        case .error: detail ?? "error"
        case .invalidAnswer: "the answer does not match the output schema: \(detail ?? "")"
        case .awaitingApproval: "paused: a call awaits approval"
        default: detail.map { "\(code): \($0)" } ?? code.rawValue
        }
    }
}
