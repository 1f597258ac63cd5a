import Brigade
import BrigadeTesting
import Testing

@Suite("Child budgets", .timeLimit(.minutes(1)))
struct BudgetChildTests {
    let start = ContinuousClock.now

    @Test func aChildGetsItsSliceReturnsWhatItLeavesAndRollsUpWhatItSpent() {
        let pricing = ModelPricing(inputPerMillion: 100, outputPerMillion: 0)
        var parent = Budget(limits: Budget.Limits(usd: 1, inputTokens: 10_000, maxCallsPerRun: 10, synthesisReserve: 0), pricing: pricing, startedAt: start)
        guard case .opened(var child) = parent.openChild(requesting: Budget.Limits(usd: 0.3, synthesisReserve: 0), now: start) else {
            Issue.record("the child should open")
            return
        }
        // The slice: what was asked for USD, all that is left of the caps it did not ask for.
        #expect(child.limits.usd == 0.3 && child.limits.inputTokens == 10_000 && child.limits.maxCallsPerRun == 10)
        #expect(parent.heldByChildren == Budget.Slice(usd: 0.3, inputTokens: 10_000, toolCalls: 10))
        // The parent cannot spend what the child holds…
        #expect(parent.admitToolCall(costUSD: 0, now: start) == .refused(.callsPerRun))
        #expect(parent.snapshot(now: start).usdLeft == 0.7)
        // …and the child cannot spend more than its slice.
        #expect(child.admitToolCall(costUSD: 0.31, now: start) == .refused(.usd))
        #expect(child.admitToolCall(costUSD: 0.1, now: start) == .admitted)
        #expect(child.admitModelCall(estimatedInputTokens: 100, requestedOutputTokens: 10, purpose: .turn, now: start) == .admitted(maxOutputTokens: 10))
        child.commitModelCall(usage: TokenUsage(inputTokens: 100, outputTokens: 5))

        parent.closeChild(child)
        #expect(parent.heldByChildren == Budget.Slice())
        #expect(abs(parent.costUSD - 0.11) < 1e-12)  // 0.1 of tool + 100 tokens × $100 per million
        #expect(parent.usage == TokenUsage(inputTokens: 100, outputTokens: 5) && parent.toolCalls == 1)
        #expect(abs((parent.snapshot(now: start).usdLeft ?? 0) - 0.89) < 1e-12)
        #expect(parent.admitToolCall(costUSD: 0.5, now: start) == .admitted)
    }

    @Test func aChildIsRefusedWhenTheParentHasNoRoomAndCappedAtWhatIsLeft() {
        var parent = Budget(limits: Budget.Limits(usd: 1, synthesisReserve: 0.5), startedAt: start)
        #expect(parent.admitToolCall(costUSD: 0.4, now: start) == .admitted)
        guard case .opened(let first) = parent.openChild(requesting: Budget.Limits(usd: 5), now: start) else {
            Issue.record("the first child should open")
            return
        }
        // Regular work may use 0.5 of the 1 USD; 0.4 is spent.
        #expect(abs((first.limits.usd ?? 0) - 0.1) < 1e-12)
        #expect(parent.openChild(requesting: Budget.Limits(usd: 0.01), now: start) == .refused(.usd))
        parent.closeChild(first)
        guard case .opened = parent.openChild(requesting: Budget.Limits(usd: 0.01), now: start) else {
            Issue.record("the unspent slice should be back")
            return
        }
    }

    @Test func aChildLedgerClosesOnceAndRollsUpIntoItsParent() async {
        let parent = BudgetLedger(limits: Budget.Limits(usd: 1, maxCallsPerRun: 4, synthesisReserve: 0))
        let spent = await parent.withChild(requesting: Budget.Limits(usd: 0.5, maxCallsPerRun: 2)) { child in
            #expect(child.parent === parent)
            #expect(child.admitToolCall(costUSD: 0.2) == .admitted)
            #expect(child.admitToolCall(costUSD: 0.2) == .admitted)
            #expect(child.admitToolCall(costUSD: 0) == .refused(.callsPerRun))
            #expect(parent.admitToolCall(costUSD: 0.6) == .refused(.usd))
            return child.budget.costUSD
        }
        #expect(spent == .success(0.4))
        #expect(abs(parent.budget.costUSD - 0.4) < 1e-12 && parent.budget.toolCalls == 2)
        #expect(parent.budget.heldByChildren == Budget.Slice())
        #expect(parent.admitToolCall(costUSD: 0.6) == .admitted)
        let refused = await parent.withChild(requesting: Budget.Limits()) { _ in true }
        #expect(refused == .failure(BudgetRefusal(limit: .usd)))
    }
}

@Suite("Runs under a parent budget", .timeLimit(.minutes(1)))
struct ParentBudgetRunTests {
    /// A session-wide budget over all prompts: each run is a child of it; its spend rolls up, and once
    /// the session's calls are used up the next run ends at once.
    /// A child that outlives its parent (a protocol run opened from a run that ended first): its slice
    /// stays held in the grandparent until it closes, and its spend reaches the grandparent then.
    @Test func aChildClosingAfterItsParentRollsUpPastIt() {
        let root = BudgetLedger(limits: Budget.Limits(usd: 1, maxCallsPerRun: 10, synthesisReserve: 0))
        guard case .success(let parent) = root.openChild(requesting: Budget.Limits(usd: 0.5, maxCallsPerRun: 4)),
              case .success(let child) = parent.openChild(requesting: Budget.Limits(usd: 0.2, maxCallsPerRun: 2))
        else {
            Issue.record("both children should open")
            return
        }
        #expect(parent.admitToolCall(costUSD: 0.1) == .admitted)
        parent.close()
        // The parent's own spend is back in the root; the child's slice is still held there.
        #expect(root.budget.toolCalls == 1 && abs(root.budget.costUSD - 0.1) < 1e-12)
        #expect(root.budget.heldByChildren == Budget.Slice(usd: 0.2, toolCalls: 2))

        #expect(child.admitToolCall(costUSD: 0.15) == .admitted)
        child.close()
        #expect(root.budget.toolCalls == 2 && abs(root.budget.costUSD - 0.25) < 1e-12)
        #expect(root.budget.heldByChildren == Budget.Slice())
        child.close()  // only the first close counts
        #expect(root.budget.toolCalls == 2)
    }

    @Test func runsSpendFromTheSessionsBudgetUntilItIsGone() async throws {
        let model = ScriptedModelClient([
            .toolCalls([call("echo", #"{"text":"a"}"#, id: "1"), call("echo", #"{"text":"b"}"#, id: "2")], usage: TokenUsage(inputTokens: 100, outputTokens: 10)),
            .answer("first", usage: TokenUsage(inputTokens: 150, outputTokens: 5)),
            .toolCalls([call("echo", #"{"text":"c"}"#, id: "3")], usage: TokenUsage(inputTokens: 100, outputTokens: 10)),
            .answer("second", usage: TokenUsage(inputTokens: 120, outputTokens: 5)),
        ])
        let agent = try makeAgent(model, tools: [TestTools.echo()])
        let session = BudgetLedger(limits: Budget.Limits(maxTurns: nil, maxCallsPerRun: 3, maxCallsPerTurn: nil, synthesisReserve: 0))
        let options = RunOptions(parentBudget: session)

        let first = try await agent.run("one", options: options)
        #expect(first.answer == "first" && first.toolCalls == 2)
        #expect(session.budget.toolCalls == 2 && session.budget.usage == TokenUsage(inputTokens: 250, outputTokens: 15))
        #expect(session.budget.heldByChildren == Budget.Slice())

        let second = try await agent.run("two", options: options)
        #expect(second.answer == "second" && second.toolCalls == 1)
        #expect(session.budget.toolCalls == 3 && session.budget.usage == TokenUsage(inputTokens: 470, outputTokens: 30))

        let third = try await agent.run("three", options: options)
        #expect(third.stopReason == .budget(.calls) && third.turns == 0)
        #expect(model.requests.count == 4, "no model call once the session's budget is gone")
    }
}
