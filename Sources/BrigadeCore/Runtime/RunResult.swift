/// Everything a finished run produced: the answer, why it stopped, what it cost, and a timeline.
public struct RunResult: Sendable, Hashable {
    /// When and how one tool call ran, as offsets from the run's start.
    public struct CallTiming: Sendable, Hashable {
        /// The call's id, unique within the run.
        public var callID: String
        public var toolName: String
        /// The turn that asked for it (0 for a route's fan-out).
        public var turn: Int
        /// How the call ended.
        public var status: ToolCallStatus
        /// When the model asked for it.
        public var queued: Duration
        /// When its executor started; `nil` when it never ran.
        public var started: Duration?
        /// When it ended (run, failed, timed out, refused or cancelled).
        public var finished: Duration

        public init(callID: String, toolName: String, turn: Int, status: ToolCallStatus, queued: Duration, started: Duration?, finished: Duration) {
            self.callID = callID
            self.toolName = toolName
            self.turn = turn
            self.status = status
            self.queued = queued
            self.started = started
            self.finished = finished
        }

        /// How long the executor ran (zero when it never ran).
        public var duration: Duration { started.map { finished - $0 } ?? .zero }
    }

    /// One turn: the model call and the fan-out of its tool calls.
    public struct TurnTiming: Sendable, Hashable {
        /// The turn's number (from 1; 0 for a route's fan-out).
        public var turn: Int
        /// The model call, from request to assembled response.
        public var modelTime: Duration
        /// The dispatch of the turn's calls, from first queued to last finished (zero without calls).
        public var fanOutWallTime: Duration
        /// The executors' durations added up: with a parallel fan-out this exceeds `fanOutWallTime`.
        public var sumOfCallTimes: Duration
        /// The calls of the turn, whatever their status.
        public var toolCalls: Int

        public init(turn: Int, modelTime: Duration, fanOutWallTime: Duration, sumOfCallTimes: Duration, toolCalls: Int) {
            self.turn = turn
            self.modelTime = modelTime
            self.fanOutWallTime = fanOutWallTime
            self.sumOfCallTimes = sumOfCallTimes
            self.toolCalls = toolCalls
        }
    }

    /// The final answer (possibly partial or empty: see ``stopReason``).
    public var answer: String
    /// Why the run ended.
    public var stopReason: StopReason
    /// Tokens of every model call of the run (estimates where the provider reported none).
    public var usage: TokenUsage
    /// Model and tool costs in USD.
    public var costUSD: Double
    /// Model calls made.
    public var turns: Int
    /// Tool calls admitted (run, timed out or failed; not those refused or invalid).
    public var toolCalls: Int
    /// From the start of the run to its end.
    public var wallTime: Duration
    /// Every tool call of the run, in the order they were asked for.
    public var calls: [CallTiming]
    /// Every turn of the run, in order.
    public var turnTimings: [TurnTiming]
    /// Why the answer did not come from the model, when it did not.
    public var fallbackReason: String?
    /// `true` when a static route or the fallback hook answered in the model's place (not when the
    /// answer only lists what was gathered).
    public var answeredByFallback: Bool
    /// The run's id (`nil` only for a result made by hand).
    public var runID: RunID?
    /// The run this one was opened from, or `nil` for a top-level run.
    public var parentRunID: RunID?
    /// Each switch down the model's fallback chain (``ModelChain``), in order.
    public var modelSwitches: [ModelSwitch] = []

    public init(
        answer: String,
        stopReason: StopReason,
        usage: TokenUsage = TokenUsage(),
        costUSD: Double = 0,
        turns: Int = 0,
        toolCalls: Int = 0,
        wallTime: Duration = .zero,
        calls: [CallTiming] = [],
        turnTimings: [TurnTiming] = [],
        fallbackReason: String? = nil,
        answeredByFallback: Bool = false,
        runID: RunID? = nil,
        parentRunID: RunID? = nil
    ) {
        self.answer = answer
        self.stopReason = stopReason
        self.usage = usage
        self.costUSD = costUSD
        self.turns = turns
        self.toolCalls = toolCalls
        self.wallTime = wallTime
        self.calls = calls
        self.turnTimings = turnTimings
        self.fallbackReason = fallbackReason
        self.answeredByFallback = answeredByFallback
        self.runID = runID
        self.parentRunID = parentRunID
    }
}
