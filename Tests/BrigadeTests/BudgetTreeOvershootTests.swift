import Brigade
import Testing
import BrigadeTesting

/// The overshoot bound over trees of child budgets: random sequences of model calls, tool calls,
/// children opened and closed (up to three levels), checked against the documented bound — a tree
/// spends at most the root's cap plus one admitted call's excess per budget of the tree.
@Suite("Budget overshoot bound, nested", .timeLimit(.minutes(1)))
struct BudgetTreeOvershootTests {
    /// One open budget of the tree and the largest excesses seen in its subtree.
    struct Frame {
        var budget: Budget
        var input = 0, output = 0
        var usd = 0.0
        var subtree = (input: 0, output: 0, usd: 0.0)
    }

    @Test(arguments: [UInt64(3), 11, 2024, 77_777])
    func aTreeSpendsAtMostTheRootsCapPlusOneCallsExcessPerBudget(seed: UInt64) async {
        await offThePool {
            var rng = SplitMix64(seed: seed)
            let start = ContinuousClock.now
            var overshoots = 0, children = 0
            for _ in 0..<300 {
                let pricing = ModelPricing(inputPerMillion: Double.random(in: 0...5, using: &rng), outputPerMillion: Double.random(in: 0...20, using: &rng))
                let limits = Budget.Limits(
                    usd: Bool.random(using: &rng) ? Double.random(in: 0...0.2, using: &rng) : nil,
                    inputTokens: Bool.random(using: &rng) ? Int.random(in: 0...40_000, using: &rng) : nil,
                    outputTokens: Bool.random(using: &rng) ? Int.random(in: 0...8_000, using: &rng) : nil,
                    maxTurns: nil, maxCallsPerRun: Bool.random(using: &rng) ? Int.random(in: 0...40, using: &rng) : nil,
                    synthesisReserve: Double.random(in: 0...0.5, using: &rng), minimumOutputTokens: Int.random(in: 1...512, using: &rng)
                )
                var stack = [Frame(budget: Budget(limits: limits, pricing: pricing, startedAt: start))]
                for _ in 0..<80 {
                    let action = Int.random(in: 0..<100, using: &rng)
                    if action < 15, stack.count < 4 {
                        let requested = Budget.Limits(
                            usd: Bool.random(using: &rng) ? Double.random(in: 0...0.1, using: &rng) : nil,
                            inputTokens: Bool.random(using: &rng) ? Int.random(in: 0...20_000, using: &rng) : nil,
                            outputTokens: Bool.random(using: &rng) ? Int.random(in: 0...4_000, using: &rng) : nil,
                            maxTurns: nil, synthesisReserve: Double.random(in: 0...0.5, using: &rng))
                        if case .opened(let child) = stack[stack.count - 1].budget.openChild(requesting: requested, now: start) {
                            let parent = stack[stack.count - 1].budget
                            // What the parent spent and holds never passes its cap because of a slice.
                            if let cap = parent.limits.usd { #expect(parent.costUSD + parent.heldByChildren.usd <= max(cap, parent.costUSD) + 1e-9) }
                            if let cap = parent.limits.inputTokens { #expect(parent.usage.inputTokens + parent.heldByChildren.inputTokens <= max(cap, parent.usage.inputTokens)) }
                            stack.append(Frame(budget: child))
                            children += 1
                        }
                    } else if action < 30, stack.count > 1 {
                        close(&stack)
                    } else if action < 45 {
                        // Any open budget spends: a parent goes on working while its children run.
                        let spender = Int.random(in: 0..<stack.count, using: &rng)
                        stack[spender].budget.beginDispatch()
                        _ = stack[spender].budget.admitToolCall(costUSD: Double.random(in: 0...0.02, using: &rng), now: start)
                    } else {
                        play(&stack[Int.random(in: 0..<stack.count, using: &rng)], pricing: pricing, rng: &rng, start: start)
                    }
                }
                while stack.count > 1 { close(&stack) }
                let root = stack[0]
                let bound = (input: root.input + root.subtree.input, output: root.output + root.subtree.output, usd: root.usd + root.subtree.usd)
                if let cap = limits.inputTokens {
                    #expect(root.budget.usage.inputTokens <= cap + bound.input)
                    if root.budget.usage.inputTokens > cap { overshoots += 1 }
                }
                if let cap = limits.outputTokens { #expect(root.budget.usage.outputTokens <= cap + bound.output) }
                if let cap = limits.usd { #expect(root.budget.costUSD <= cap + bound.usd + 1e-9) }
                #expect(root.budget.heldByChildren == Budget.Slice())
            }
            // The bound is exercised, not vacuous: trees were built and caps were crossed.
            #expect(children > 100 && overshoots > 0)
        }
    }

    /// Closes the innermost child: its spend rolls up, its subtree's excesses join the parent's.
    func close(_ stack: inout [Frame]) {
        let child = stack.removeLast()
        // A child stays within its own slice, up to one call's excess per budget of its subtree.
        if let cap = child.budget.limits.inputTokens { #expect(child.budget.usage.inputTokens <= cap + child.input + child.subtree.input) }
        if let cap = child.budget.limits.usd { #expect(child.budget.costUSD <= cap + child.usd + child.subtree.usd + 1e-9) }
        stack[stack.count - 1].budget.closeChild(child.budget)
        stack[stack.count - 1].subtree.input += child.input + child.subtree.input
        stack[stack.count - 1].subtree.output += child.output + child.subtree.output
        stack[stack.count - 1].subtree.usd += child.usd + child.subtree.usd
    }

    /// One model call on `frame`'s budget, with an actual usage off the estimate and the grant.
    func play(_ frame: inout Frame, pricing: ModelPricing, rng: inout SplitMix64, start: ContinuousClock.Instant) {
        let estimate = Int.random(in: 1...5_000, using: &rng)
        let requested = Int.random(in: 1...4_096, using: &rng)
        let purpose: Budget.Purpose = Int.random(in: 0..<5, using: &rng) == 0 ? .synthesis : .turn
        guard case .admitted(let granted) = frame.budget.admitModelCall(estimatedInputTokens: estimate, requestedOutputTokens: requested, purpose: purpose, now: start) else { return }
        let actualInput = max(0, Int(Double(estimate) * Double.random(in: 0.5...1.8, using: &rng)))
        let actualOutput = Int.random(in: 0...(granted * 2), using: &rng)
        let inputExcess = max(0, actualInput - estimate), outputExcess = max(0, actualOutput - granted)
        frame.input = max(frame.input, inputExcess)
        frame.output = max(frame.output, outputExcess)
        frame.usd = max(frame.usd, pricing.cost(of: TokenUsage(inputTokens: inputExcess, outputTokens: outputExcess)))
        frame.budget.commitModelCall(usage: TokenUsage(inputTokens: actualInput, outputTokens: actualOutput))
    }
}
