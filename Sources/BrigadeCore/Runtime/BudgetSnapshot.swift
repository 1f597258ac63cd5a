/// What a run has spent and what is left, at one instant. "Left" counts the whole cap, the synthesis
/// reserve included; `nil` means the cap is not set.
public struct BudgetSnapshot: Sendable, Hashable {
    public var usage: TokenUsage
    /// Model and tool costs together.
    public var costUSD: Double
    public var turns: Int
    public var toolCalls: Int
    public var elapsed: Duration
    public var usdLeft: Double?
    public var inputTokensLeft: Int?
    public var outputTokensLeft: Int?
    public var timeLeft: Duration?
    public var turnsLeft: Int?
    public var toolCallsLeft: Int?

    public init(
        usage: TokenUsage = TokenUsage(),
        costUSD: Double = 0,
        turns: Int = 0,
        toolCalls: Int = 0,
        elapsed: Duration = .zero,
        usdLeft: Double? = nil,
        inputTokensLeft: Int? = nil,
        outputTokensLeft: Int? = nil,
        timeLeft: Duration? = nil,
        turnsLeft: Int? = nil,
        toolCallsLeft: Int? = nil
    ) {
        self.usage = usage
        self.costUSD = costUSD
        self.turns = turns
        self.toolCalls = toolCalls
        self.elapsed = elapsed
        self.usdLeft = usdLeft
        self.inputTokensLeft = inputTokensLeft
        self.outputTokensLeft = outputTokensLeft
        self.timeLeft = timeLeft
        self.turnsLeft = turnsLeft
        self.toolCallsLeft = toolCallsLeft
    }
}
