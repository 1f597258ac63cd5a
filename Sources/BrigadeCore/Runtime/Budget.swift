/// The ledger of one run: what it may spend (``Limits``) and what it has spent, in USD, input and output
/// tokens, wall-clock time, turns (model calls) and tool calls.
///
/// A pure state machine: it never reads a clock (callers pass `now`) and does no I/O. The agent asks it
/// before every model call (``admitModelCall(estimatedInputTokens:requestedOutputTokens:purpose:now:)``)
/// and every tool call (``admitToolCall(costUSD:now:)``), and commits what was actually used afterwards
/// (``commitModelCall(usage:pricing:)``).
///
/// ## The synthesis reserve
/// Regular work — model turns offering tools, and tool calls — must leave room for a last answer: of each
/// cap (USD, input tokens, output tokens, wall time) it may use at most `cap − kept`, where `kept` is
/// `synthesisReserve × cap` or, for tokens and USD, what the synthesis call will need if that is more (its
/// input is at least the current request's, since the conversation only grows: input-token caps count
/// every call's whole context). When the next regular step would not fit, the agent stops dispatching and
/// makes one last model call with tools disabled (purpose ``Purpose/synthesis``), which may use the whole
/// cap. The last allowed turn (`maxTurns`) is always a synthesis turn.
///
/// ## Overshoot bound
/// A model call is admitted only when `spent + estimate` fits under the cap, where the estimate is
/// the estimated input tokens plus the granted `max_output_tokens` (clamped down to what is left, see
/// ``ModelCallDecision/admitted(maxOutputTokens:)``). After an admitted call commits its actual usage,
/// for the call that crossed a cap (at most one per cap: once over, nothing more is admitted):
///
/// - input tokens: `spent ≤ cap + max(0, actualInput − estimatedInput)`
/// - output tokens: `spent ≤ cap + max(0, actualOutput − grantedMaxOutput)` — zero for a provider that
///   honours `max_tokens`
/// - USD: `spent ≤ cap + inputPrice × inputExcess + outputPrice × outputExcess` of that same call
///
/// Over the whole run, spent never exceeds a cap by more than the largest such excess of one admitted
/// call — always within one call's (input-estimate error + max output tokens). Tool-call costs are known
/// before the call and never overshoot. Time is enforced by cancellation at the deadline, so the run
/// outlives `wallTime` only by how long cancelled work takes to stop.
public struct Budget: Sendable, Hashable {
    /// Caps for one run. Every cap is optional; `nil` means unlimited.
    ///
    /// ``default`` (the initialiser's defaults) is the one set of defaults: config.yaml's `limits:` and
    /// `budget:` sections start from it too (docs/configuration.md lists them).
    public struct Limits: Sendable, Hashable {
        public var usd: Double?
        public var inputTokens: Int?
        public var outputTokens: Int?
        public var wallTime: Duration?
        /// Model calls per run, the synthesis call included. Default 8, so that a model that keeps
        /// asking for tools cannot loop forever; `nil` removes the cap.
        public var maxTurns: Int?
        /// Tool calls per run. Default 128.
        public var maxCallsPerRun: Int?
        /// Tool calls per turn (per dispatch of one batch of calls). Default 32.
        public var maxCallsPerTurn: Int?
        /// The fraction of each cap kept for the synthesis call, clamped to `0...0.9`. Default 0.15.
        public var synthesisReserve: Double
        /// A model call whose `max_output_tokens` would have to be clamped below
        /// `min(requested, minimumOutputTokens)` to fit is not made. Default 256.
        public var minimumOutputTokens: Int

        public init(
            usd: Double? = nil,
            inputTokens: Int? = nil,
            outputTokens: Int? = nil,
            wallTime: Duration? = nil,
            maxTurns: Int? = 8,
            maxCallsPerRun: Int? = 128,
            maxCallsPerTurn: Int? = 32,
            synthesisReserve: Double = 0.15,
            minimumOutputTokens: Int = 256
        ) {
            self.usd = usd
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.wallTime = wallTime
            self.maxTurns = maxTurns
            self.maxCallsPerRun = maxCallsPerRun
            self.maxCallsPerTurn = maxCallsPerTurn
            self.synthesisReserve = synthesisReserve
            self.minimumOutputTokens = minimumOutputTokens
        }

        /// The defaults: 8 turns, 128 tool calls per run, 32 per turn, no USD, token or time cap, a
        /// 0.15 synthesis reserve, a 256-token minimum output.
        public static let `default` = Limits()

        /// No cap at all (not even on turns or calls).
        public static let unlimited = Limits(maxTurns: nil, maxCallsPerRun: nil, maxCallsPerTurn: nil)
    }

    /// One cap of ``Limits``, as the reason an admission was refused.
    public enum Limit: String, Sendable, Hashable, CaseIterable {
        case usd, inputTokens, outputTokens, wallTime, turns, callsPerRun, callsPerTurn

        /// The run's stop reason when this cap ends it.
        public var stopReason: StopReason {
            switch self {
            case .usd: .budget(.usd)
            case .inputTokens, .outputTokens: .budget(.tokens)
            case .wallTime: .budget(.time)
            case .turns: .maxTurns
            case .callsPerRun, .callsPerTurn: .budget(.calls)
            }
        }
    }

    /// What a model call is for.
    public enum Purpose: Sendable, Hashable {
        /// A regular turn offering tools: limited to the caps minus the synthesis reserve.
        case turn
        /// The last call, tools disabled: may use the reserve.
        case synthesis
    }

    public enum ModelCallDecision: Sendable, Hashable {
        /// Make the call with at most this many output tokens (the request's value, clamped to what is left).
        case admitted(maxOutputTokens: Int)
        case refused(Limit)
    }

    public enum ToolCallDecision: Sendable, Hashable {
        case admitted
        case refused(Limit)
    }

    public let limits: Limits
    public let pricing: ModelPricing
    public let startedAt: ContinuousClock.Instant

    public internal(set) var usage = TokenUsage()
    public internal(set) var modelCostUSD: Double = 0
    public internal(set) var toolCostUSD: Double = 0
    /// Model calls admitted so far.
    public internal(set) var turns = 0
    /// Tool calls admitted so far (refunded ones excluded).
    public internal(set) var toolCalls = 0
    /// Tool calls admitted since the last ``beginDispatch()``.
    public internal(set) var toolCallsThisTurn = 0
    /// What the synthesis call will need at least, from the last admitted regular turn.
    public internal(set) var synthesisNeed: SynthesisNeed?
    /// What the open child budgets hold of this one (see ``openChild(requesting:now:)``): counted as
    /// spent by every admission until the child closes.
    public internal(set) var heldByChildren = Slice()
    /// What this budget holds of its parent; `nil` for a root budget.
    public internal(set) var slice: Slice?
    /// Closed: its spend has been added to its parent (``BudgetLedger/close()``).
    var isRolledUp = false

    /// The least a synthesis call is expected to need: its input is at least the last regular turn's
    /// (the conversation only grows), its output at least the minimum.
    public struct SynthesisNeed: Sendable, Hashable {
        public var inputTokens: Int
        public var outputTokens: Int

        public init(inputTokens: Int, outputTokens: Int) {
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
        }
    }

    /// - Parameters:
    ///   - limits: the caps.
    ///   - pricing: turns token usage into USD.
    ///   - startedAt: the run's start; the wall-time cap counts from here.
    public init(limits: Limits, pricing: ModelPricing = ModelPricing(), startedAt: ContinuousClock.Instant) {
        self.limits = limits
        self.pricing = pricing
        self.startedAt = startedAt
    }

    /// Model and tool costs together.
    public var costUSD: Double { modelCostUSD + toolCostUSD }

    /// The reserve fraction actually used (``Limits/synthesisReserve`` clamped to `0...0.9`).
    public var reserve: Double { min(0.9, max(0, limits.synthesisReserve.isNaN ? 0 : limits.synthesisReserve)) }

    /// The hard end of the run (start + wall time).
    public var deadline: ContinuousClock.Instant? { limits.wallTime.map { startedAt + $0 } }

    /// The end of regular work: the deadline minus the reserved slice of the wall time.
    public var dispatchDeadline: ContinuousClock.Instant? {
        limits.wallTime.map { startedAt + $0 * (1 - reserve) }
    }
}
