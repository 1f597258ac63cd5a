import Brigade
import Testing

@Suite("Budget state machine", .timeLimit(.minutes(1)))
struct BudgetTests {
    let start = ContinuousClock.now

    func budget(_ limits: Budget.Limits, pricing: ModelPricing = ModelPricing()) -> Budget {
        Budget(limits: limits, pricing: pricing, startedAt: start)
    }

    @Test func unlimitedAdmitsTheRequestedOutputAndCountsTurns() {
        #expect(Budget.Limits() == .default)
        #expect(Budget.Limits.default.maxTurns == 8 && Budget.Limits.default.maxCallsPerRun == 128 && Budget.Limits.default.maxCallsPerTurn == 32)
        var budget = budget(.unlimited)
        #expect(budget.admitModelCall(estimatedInputTokens: 1_000_000, requestedOutputTokens: 4096, purpose: .turn, now: start) == .admitted(maxOutputTokens: 4096))
        #expect(budget.admitModelCall(estimatedInputTokens: 0, requestedOutputTokens: 10, purpose: .synthesis, now: start) == .admitted(maxOutputTokens: 10))
        #expect(budget.turns == 2)
        #expect(budget.deadline == nil && budget.dispatchDeadline == nil)
    }

    @Test func theLastTurnIsKeptForTheSynthesis() {
        var budget = budget(Budget.Limits(maxTurns: 3))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .turn, now: start) == .admitted(maxOutputTokens: 1))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .turn, now: start) == .admitted(maxOutputTokens: 1))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .turn, now: start) == .refused(.turns))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .synthesis, now: start) == .admitted(maxOutputTokens: 1))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .synthesis, now: start) == .refused(.turns))
        #expect(budget.turns == 3)
    }

    @Test func oneTurnMeansOnlyTheSynthesisCall() {
        var budget = budget(Budget.Limits(maxTurns: 1))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .turn, now: start) == .refused(.turns))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .synthesis, now: start) == .admitted(maxOutputTokens: 1))
    }

    @Test func wallTimeSplitsIntoDispatchAndReserve() {
        var budget = budget(Budget.Limits(wallTime: .seconds(10), synthesisReserve: 0.2))
        #expect(budget.deadline == start + .seconds(10))
        #expect(budget.dispatchDeadline == start + .seconds(8))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .turn, now: start + .seconds(7)) == .admitted(maxOutputTokens: 1))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .turn, now: start + .seconds(8)) == .refused(.wallTime))
        #expect(budget.admitToolCall(costUSD: 0, now: start + .seconds(8)) == .refused(.wallTime))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .synthesis, now: start + .seconds(9)) == .admitted(maxOutputTokens: 1))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .synthesis, now: start + .seconds(10)) == .refused(.wallTime))
    }

    @Test func aTurnLeavesTheReserveOrTheSynthesisNeedOfInputTokens() {
        // Cap 1000, reserve 20 % (200). A turn of estimate e must leave max(200, e) for the synthesis.
        var budget = budget(Budget.Limits(inputTokens: 1000, synthesisReserve: 0.2))
        #expect(budget.admitModelCall(estimatedInputTokens: 501, requestedOutputTokens: 1, purpose: .turn, now: start) == .refused(.inputTokens))
        #expect(budget.admitModelCall(estimatedInputTokens: 500, requestedOutputTokens: 1, purpose: .turn, now: start) == .admitted(maxOutputTokens: 1))
        #expect(budget.synthesisNeed == Budget.SynthesisNeed(inputTokens: 500, outputTokens: 1))
        budget.commitModelCall(usage: TokenUsage(inputTokens: 700, outputTokens: 1))
        // Small turns leave the fixed reserve: 700 + 100 ≤ 800.
        #expect(budget.admitModelCall(estimatedInputTokens: 101, requestedOutputTokens: 1, purpose: .turn, now: start) == .refused(.inputTokens))
        #expect(budget.admitModelCall(estimatedInputTokens: 100, requestedOutputTokens: 1, purpose: .turn, now: start) == .admitted(maxOutputTokens: 1))
        // The synthesis may use everything.
        #expect(budget.admitModelCall(estimatedInputTokens: 301, requestedOutputTokens: 1, purpose: .synthesis, now: start) == .refused(.inputTokens))
        #expect(budget.admitModelCall(estimatedInputTokens: 300, requestedOutputTokens: 1, purpose: .synthesis, now: start) == .admitted(maxOutputTokens: 1))
    }

    @Test func outputIsClampedToWhatIsLeftDownToTheMinimum() {
        var budget = budget(Budget.Limits(outputTokens: 1000, synthesisReserve: 0.1, minimumOutputTokens: 50))
        #expect(budget.admitModelCall(estimatedInputTokens: 0, requestedOutputTokens: 4096, purpose: .turn, now: start) == .admitted(maxOutputTokens: 900))
        budget.commitModelCall(usage: TokenUsage(inputTokens: 0, outputTokens: 860))
        #expect(budget.admitModelCall(estimatedInputTokens: 0, requestedOutputTokens: 4096, purpose: .turn, now: start) == .refused(.outputTokens))
        // A request smaller than the minimum needs only itself.
        #expect(budget.admitModelCall(estimatedInputTokens: 0, requestedOutputTokens: 40, purpose: .turn, now: start) == .admitted(maxOutputTokens: 40))
        #expect(budget.admitModelCall(estimatedInputTokens: 0, requestedOutputTokens: 4096, purpose: .synthesis, now: start) == .admitted(maxOutputTokens: 140))
    }

    @Test func usdCoversTheInputEstimateClampsTheOutputAndLeavesTheSynthesisNeed() {
        // $1 per input token, $2 per output token (exact in binary); cap $100, no fixed reserve.
        let pricing = ModelPricing(inputPerMillion: 1_000_000, outputPerMillion: 2_000_000)
        var budget = budget(Budget.Limits(usd: 100, synthesisReserve: 0, minimumOutputTokens: 10), pricing: pricing)
        // Estimate 20: keep 20 + 10 × 2 = $40 for the synthesis; $60 − $20 input leaves $40 = 20 output tokens.
        #expect(budget.admitModelCall(estimatedInputTokens: 20, requestedOutputTokens: 4096, purpose: .turn, now: start) == .admitted(maxOutputTokens: 20))
        budget.commitModelCall(usage: TokenUsage(inputTokens: 20, outputTokens: 25))
        #expect(budget.costUSD == 70)
        // Estimate 5: keep $25, so $75 − $70 − $5 leaves nothing for output.
        #expect(budget.admitModelCall(estimatedInputTokens: 5, requestedOutputTokens: 4096, purpose: .turn, now: start) == .refused(.usd))
        // The same request of 4 output tokens: keep 5 + 4 × 2 = $13; $87 − $70 − $5 = $12 covers 4 tokens.
        #expect(budget.admitModelCall(estimatedInputTokens: 5, requestedOutputTokens: 4, purpose: .turn, now: start) == .admitted(maxOutputTokens: 4))
        // The synthesis: $100 − $70 − $10 = $20 = 10 output tokens, the minimum.
        #expect(budget.admitModelCall(estimatedInputTokens: 10, requestedOutputTokens: 4096, purpose: .synthesis, now: start) == .admitted(maxOutputTokens: 10))
        #expect(budget.admitModelCall(estimatedInputTokens: 11, requestedOutputTokens: 4096, purpose: .synthesis, now: start) == .refused(.usd))
        #expect(budget.admitModelCall(estimatedInputTokens: 31, requestedOutputTokens: 4096, purpose: .synthesis, now: start) == .refused(.usd))
    }

    @Test func toolCostsLeaveTheLastTurnsSynthesisNeed() {
        // $1 per input token; a turn of 30 tokens means the synthesis will need at least $30.
        var budget = budget(Budget.Limits(usd: 100, synthesisReserve: 0, minimumOutputTokens: 1), pricing: ModelPricing(inputPerMillion: 1_000_000))
        #expect(budget.admitModelCall(estimatedInputTokens: 30, requestedOutputTokens: 1, purpose: .turn, now: start) == .admitted(maxOutputTokens: 1))
        budget.commitModelCall(usage: TokenUsage(inputTokens: 30, outputTokens: 1))
        #expect(budget.admitToolCall(costUSD: 41, now: start) == .refused(.usd))
        #expect(budget.admitToolCall(costUSD: 40, now: start) == .admitted)
        #expect(budget.costUSD == 70)
    }

    @Test func noToolCallLeftMeansNoRegularTurn() {
        var budget = budget(Budget.Limits(maxCallsPerRun: 1))
        #expect(budget.admitToolCall(costUSD: 0, now: start) == .admitted)
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .turn, now: start) == .refused(.callsPerRun))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .synthesis, now: start) == .admitted(maxOutputTokens: 1))
    }

    @Test func refusalsAreCheckedInADocumentedOrder() {
        var budget = budget(Budget.Limits(usd: 0, inputTokens: 0, outputTokens: 0, wallTime: .zero, maxTurns: 1, maxCallsPerRun: 0))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .turn, now: start) == .refused(.turns))
        budget = self.budget(Budget.Limits(usd: 0, inputTokens: 0, outputTokens: 0, wallTime: .zero, maxCallsPerRun: 0))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .turn, now: start) == .refused(.wallTime))
        budget = self.budget(Budget.Limits(usd: 0, inputTokens: 0, outputTokens: 0, maxCallsPerRun: 0))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .turn, now: start) == .refused(.callsPerRun))
        budget = self.budget(Budget.Limits(usd: 0, inputTokens: 0, outputTokens: 0))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .turn, now: start) == .refused(.inputTokens))
        budget = self.budget(Budget.Limits(usd: 0, outputTokens: 0))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .turn, now: start) == .refused(.outputTokens))
        budget = self.budget(Budget.Limits(usd: 0), pricing: ModelPricing(inputPerMillion: 1, outputPerMillion: 1))
        #expect(budget.admitModelCall(estimatedInputTokens: 1, requestedOutputTokens: 1, purpose: .turn, now: start) == .refused(.usd))
        #expect(budget.turns == 0)
    }

    @Test func toolCallsRespectPerTurnAndPerRunCaps() {
        var budget = budget(Budget.Limits(maxCallsPerRun: 3, maxCallsPerTurn: 2))
        budget.beginDispatch()
        #expect(budget.admitToolCall(costUSD: 0, now: start) == .admitted)
        #expect(budget.admitToolCall(costUSD: 0, now: start) == .admitted)
        #expect(budget.admitToolCall(costUSD: 0, now: start) == .refused(.callsPerTurn))
        budget.beginDispatch()
        #expect(budget.toolCallsThisTurn == 0)
        #expect(budget.admitToolCall(costUSD: 0, now: start) == .admitted)
        #expect(budget.admitToolCall(costUSD: 0, now: start) == .refused(.callsPerRun))
        #expect(budget.toolCalls == 3)
        budget.refundToolCall(costUSD: 0)
        #expect(budget.toolCalls == 2)
        #expect(budget.admitToolCall(costUSD: 0, now: start) == .admitted)
    }

    @Test func toolCostsMustFitUnderTheUSDCapMinusTheReserve() {
        var budget = budget(Budget.Limits(usd: 1.0, synthesisReserve: 0.2))
        #expect(budget.admitToolCall(costUSD: 0.5, now: start) == .admitted)
        #expect(budget.admitToolCall(costUSD: 0.5, now: start) == .refused(.usd))
        #expect(budget.admitToolCall(costUSD: 0.3, now: start) == .admitted)
        #expect(budget.admitToolCall(costUSD: 0.01, now: start) == .refused(.usd))
        #expect(budget.admitToolCall(costUSD: 0, now: start) == .admitted)
        #expect(abs(budget.toolCostUSD - 0.8) < 1e-12)
        budget.refundToolCall(costUSD: 0.3)
        #expect(abs(budget.costUSD - 0.5) < 1e-12)
        #expect(budget.admitToolCall(costUSD: 0.2, now: start) == .admitted)
        #expect(abs(budget.costUSD - 0.7) < 1e-12)
        // Nonsense costs count as free.
        #expect(budget.admitToolCall(costUSD: -5, now: start) == .admitted)
        #expect(budget.admitToolCall(costUSD: .nan, now: start) == .admitted)
        #expect(abs(budget.costUSD - 0.7) < 1e-12)
    }

    @Test func theReserveIsClamped() {
        #expect(budget(Budget.Limits(synthesisReserve: 5)).reserve == 0.9)
        #expect(budget(Budget.Limits(synthesisReserve: -1)).reserve == 0)
        #expect(budget(Budget.Limits(synthesisReserve: .nan)).reserve == 0)
        #expect(budget(Budget.Limits()).reserve == 0.15)
    }

    @Test func snapshotReportsSpentAndLeftOfTheWholeCap() {
        var budget = budget(
            Budget.Limits(usd: 1, inputTokens: 100, outputTokens: 50, wallTime: .seconds(10), maxTurns: 4, maxCallsPerRun: 5),
            pricing: ModelPricing(inputPerMillion: 1000, outputPerMillion: 2000)
        )
        _ = budget.admitModelCall(estimatedInputTokens: 10, requestedOutputTokens: 10, purpose: .turn, now: start)
        budget.commitModelCall(usage: TokenUsage(inputTokens: 30, outputTokens: 60))
        _ = budget.admitToolCall(costUSD: 0.1, now: start)
        let snapshot = budget.snapshot(now: start + .seconds(4))
        #expect(snapshot.usage == TokenUsage(inputTokens: 30, outputTokens: 60))
        #expect(abs(snapshot.costUSD - (0.03 + 0.12 + 0.1)) < 1e-12)
        #expect(snapshot.turns == 1 && snapshot.toolCalls == 1)
        #expect(snapshot.elapsed == .seconds(4))
        #expect(abs((snapshot.usdLeft ?? -1) - 0.75) < 1e-12)
        #expect(snapshot.inputTokensLeft == 70)
        #expect(snapshot.outputTokensLeft == 0)
        #expect(snapshot.timeLeft == .seconds(6))
        #expect(snapshot.turnsLeft == 3)
        #expect(snapshot.toolCallsLeft == 4)
        #expect(Budget(limits: .unlimited, startedAt: start).snapshot(now: start).usdLeft == nil)
    }

    @Test func limitsMapToStopReasons() {
        #expect(Budget.Limit.usd.stopReason == .budget(.usd))
        #expect(Budget.Limit.inputTokens.stopReason == .budget(.tokens))
        #expect(Budget.Limit.outputTokens.stopReason == .budget(.tokens))
        #expect(Budget.Limit.wallTime.stopReason == .budget(.time))
        #expect(Budget.Limit.turns.stopReason == .maxTurns)
        #expect(Budget.Limit.callsPerRun.stopReason == .budget(.calls))
        #expect(Budget.Limit.callsPerTurn.stopReason == .budget(.calls))
        #expect(StopReason.budget(.tokens).code == "budget_tokens")
    }

    @Test func theRequestEstimateCountsEverythingTheProviderReads() {
        let small = ModelRequest(messages: [.user("hi")])
        let tools = [ToolSpec(name: "weather", description: String(repeating: "x", count: 400))]
        let big = ModelRequest(messages: [.user("hi"), .assistant(text: "", toolCalls: [ToolCall(id: "1", name: "weather", rawArguments: String(repeating: "y", count: 400))])], tools: tools)
        #expect(small.estimatedInputTokens == (16 + 2 + 3) / 4)
        #expect(big.estimatedInputTokens >= small.estimatedInputTokens + 200)
    }
}
