import Brigade
import Testing
import BrigadeTesting

@Suite("Budget overshoot bound", .timeLimit(.minutes(1)))
struct BudgetOvershootTests {
    /// Plays random sequences of model calls (actual input off the estimate by −50 %…+80 %, output up to
    /// the grant or, for a non-compliant provider, beyond it) and tool calls with random costs, and checks
    /// the documented bound: spent ≤ cap + the largest excess of one admitted call; tool costs never overshoot.
    @Test(arguments: [UInt64(1), 7, 42, 1234, 99_991])
    func spentNeverExceedsTheCapByMoreThanOneCallsExcess(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let start = ContinuousClock.now
        var overshoots = 0
        for _ in 0..<400 {
            let pricing = ModelPricing(inputPerMillion: Double.random(in: 0...5, using: &rng), outputPerMillion: Double.random(in: 0...20, using: &rng))
            let limits = Budget.Limits(
                usd: Bool.random(using: &rng) ? Double.random(in: 0...0.2, using: &rng) : nil,
                inputTokens: Bool.random(using: &rng) ? Int.random(in: 0...40_000, using: &rng) : nil,
                outputTokens: Bool.random(using: &rng) ? Int.random(in: 0...8_000, using: &rng) : nil,
                maxTurns: Bool.random(using: &rng) ? Int.random(in: 1...30, using: &rng) : nil,
                maxCallsPerRun: Bool.random(using: &rng) ? Int.random(in: 0...40, using: &rng) : nil,
                maxCallsPerTurn: Bool.random(using: &rng) ? Int.random(in: 1...8, using: &rng) : nil,
                synthesisReserve: Double.random(in: 0...0.5, using: &rng),
                minimumOutputTokens: Int.random(in: 1...512, using: &rng)
            )
            let compliant = Int.random(in: 0..<10, using: &rng) != 0
            var budget = Budget(limits: limits, pricing: pricing, startedAt: start)
            var maxInputExcess = 0, maxOutputExcess = 0
            var maxUSDExcess = 0.0
            var done = false
            for _ in 0..<60 where !done {
                let estimate = Int.random(in: 1...5_000, using: &rng)
                let requested = Int.random(in: 1...4_096, using: &rng)
                var purpose = Budget.Purpose.turn
                var decision = budget.admitModelCall(estimatedInputTokens: estimate, requestedOutputTokens: requested, purpose: .turn, now: start)
                if case .refused = decision {
                    purpose = .synthesis
                    decision = budget.admitModelCall(estimatedInputTokens: estimate, requestedOutputTokens: requested, purpose: .synthesis, now: start)
                    done = true
                }
                guard case .admitted(let granted) = decision else { break }
                #expect(granted <= requested && granted >= 1)
                let before = budget
                let actualInput = max(0, Int(Double(estimate) * Double.random(in: 0.5...1.8, using: &rng)))
                let actualOutput = compliant ? Int.random(in: 0...granted, using: &rng) : Int.random(in: 0...(granted * 2), using: &rng)
                let inputExcess = max(0, actualInput - estimate), outputExcess = max(0, actualOutput - granted)
                maxInputExcess = max(maxInputExcess, inputExcess)
                maxOutputExcess = max(maxOutputExcess, outputExcess)
                maxUSDExcess = max(maxUSDExcess, pricing.cost(of: TokenUsage(inputTokens: inputExcess, outputTokens: outputExcess)))
                // Nothing is admitted once a cap is crossed.
                if let cap = limits.inputTokens { #expect(before.usage.inputTokens <= cap) }
                if let cap = limits.outputTokens { #expect(before.usage.outputTokens <= cap) }
                if let cap = limits.usd { #expect(before.costUSD <= cap + 1e-12) }
                budget.commitModelCall(usage: TokenUsage(inputTokens: actualInput, outputTokens: actualOutput))
                if purpose == .synthesis { break }

                budget.beginDispatch()
                for _ in 0..<Int.random(in: 0...6, using: &rng) {
                    let cost = Double.random(in: 0...0.02, using: &rng)
                    let spent = budget.costUSD
                    if budget.admitToolCall(costUSD: cost, now: start) == .admitted, let cap = limits.usd, cost > 0 {
                        #expect(spent + cost <= cap * (1 - budget.reserve) + 1e-12)
                    }
                }
                if let cap = limits.maxCallsPerRun { #expect(budget.toolCalls <= cap) }
                if let cap = limits.maxCallsPerTurn { #expect(budget.toolCallsThisTurn <= cap) }
            }
            if let cap = limits.maxTurns { #expect(budget.turns <= cap) }
            if let cap = limits.inputTokens {
                #expect(budget.usage.inputTokens <= cap + maxInputExcess)
                if budget.usage.inputTokens > cap { overshoots += 1 }
            }
            if let cap = limits.outputTokens {
                #expect(budget.usage.outputTokens <= cap + maxOutputExcess)
                if compliant { #expect(budget.usage.outputTokens <= cap) }
            }
            if let cap = limits.usd { #expect(budget.costUSD <= cap + maxUSDExcess + 1e-9) }
        }
        // The sequences do push past caps (so the bound is exercised, not vacuous).
        #expect(overshoots > 0)
    }
}
