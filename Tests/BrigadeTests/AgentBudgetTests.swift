import BrigadeSync
import Brigade
import BrigadeTesting
import Testing

@Suite("Agent budget stops", .timeLimit(.minutes(1)))
struct AgentBudgetTests {
    /// A model that always wants another tool call, whatever it is told.
    static let greedyTurn = ScriptedTurn.toolCalls([call("echo", #"{"text":"more"}"#, id: "g")])

    func expectSynthesis(_ model: ScriptedModelClient, requests: Int, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(model.requests.count == requests, sourceLocation: sourceLocation)
        guard let last = model.requests.last else { return }
        #expect(!last.toolsEnabled, "the last request still offers tools", sourceLocation: sourceLocation)
        #expect(last.messages.last == .user(Agent.Configuration.defaultSynthesisInstruction), sourceLocation: sourceLocation)
        #expect(model.requests.dropLast().allSatisfy { $0.toolsEnabled }, sourceLocation: sourceLocation)
    }

    @Test func theLastAllowedTurnIsTheSynthesis() async throws {
        let model = ScriptedModelClient([Self.greedyTurn, Self.greedyTurn, .answer("what I found: more")])
        let recorder = EventRecorder()
        let result = await (try makeAgent(model, tools: [TestTools.echo()], limits: Budget.Limits(maxTurns: 3))).run("x", onEvent: recorder.record)
        #expect(result.stopReason == .maxTurns)
        #expect(result.answer == "what I found: more")
        #expect(result.turns == 3)
        expectSynthesis(model, requests: 3)
        #expect(recorder.types.filter { $0 == "turn_started" }.count == 3)
        #expect(!recorder.types.contains("fallback_used"))
    }

    @Test func runningOutOfInputTokensLeadsToTheSynthesis() async throws {
        // Turn 1 reports 1000 input tokens. Turn 2 (≥ 1000) would leave less than its own size for the
        // synthesis under a cap of 2500 (1000 + 1000 + 1000 > 2500), so the synthesis comes next, and fits.
        let model = ScriptedModelClient([
            .toolCalls([call("echo", id: "1")], usage: TokenUsage(inputTokens: 1000, outputTokens: 10)),
            .answer("short answer", usage: TokenUsage(inputTokens: 1060, outputTokens: 5)),
        ])
        let limits = Budget.Limits(inputTokens: 2500, minimumOutputTokens: 1)
        let result = await (try makeAgent(model, tools: [TestTools.echo()], limits: limits)).run("x")
        #expect(result.stopReason == .budget(.tokens))
        #expect(result.answer == "short answer")
        #expect(result.usage == TokenUsage(inputTokens: 2060, outputTokens: 15))
        expectSynthesis(model, requests: 2)
    }

    @Test func outputTokensAreClampedToWhatIsLeft() async throws {
        let model = ScriptedModelClient([
            .toolCalls([call("echo", id: "1")], usage: TokenUsage(inputTokens: 1, outputTokens: 700)),
            .answer("done", usage: TokenUsage(inputTokens: 1, outputTokens: 100)),
        ])
        let limits = Budget.Limits(outputTokens: 1000, synthesisReserve: 0.2, minimumOutputTokens: 150)
        let result = await (try makeAgent(model, tools: [TestTools.echo()], limits: limits, maxOutputTokens: 4096)).run("x")
        #expect(model.requests.map(\.maxOutputTokens) == [800, 300])
        #expect(result.stopReason == .budget(.tokens))
        expectSynthesis(model, requests: 2)
    }

    @Test func toolCostsThatExhaustTheUSDBudgetLeadToTheSynthesis() async throws {
        let paid = TestTools.echo("paid", policy: ToolPolicy(costUSD: 0.1))
        let model = ScriptedModelClient([
            .toolCalls((1...3).map { call("paid", id: "\($0)") }),
            .answer("two results were enough"),
        ])
        let limits = Budget.Limits(usd: 0.25, synthesisReserve: 0.2)
        let result = await (try makeAgent(model, tools: [paid], limits: limits)).run("x")
        #expect(result.stopReason == .budget(.usd))
        #expect(result.calls.map(\.status) == [.ok, .ok, .notRun])
        #expect(abs(result.costUSD - 0.2) < 1e-12)
        expectSynthesis(model, requests: 2)
        #expect(model.requests[1].messages[3].results[2].content == "not run: the USD budget cannot cover this call (0.1 USD)")
    }

    @Test func tokenCostsThatExhaustTheUSDBudgetLeadToTheSynthesis() async throws {
        // $100 per million input tokens: turn 1's 1000 tokens cost $0.10; turn 2 (≥ $0.10) would leave the
        // synthesis less than it needs under $0.25, so the synthesis comes next, and fits.
        let model = ScriptedModelClient([
            .toolCalls([call("echo", id: "1")], usage: TokenUsage(inputTokens: 1000, outputTokens: 0)),
            .answer("cheap answer", usage: TokenUsage(inputTokens: 1050, outputTokens: 0)),
        ])
        let limits = Budget.Limits(usd: 0.25, minimumOutputTokens: 1)
        let agent = try makeAgent(model, tools: [TestTools.echo()], limits: limits, pricing: ModelPricing(inputPerMillion: 100, outputPerMillion: 0))
        let result = await agent.run("x")
        #expect(result.stopReason == .budget(.usd))
        #expect(result.answer == "cheap answer")
        #expect(abs(result.costUSD - 0.205) < 1e-9)
        expectSynthesis(model, requests: 2)
    }

    @Test func theRunsCallCapStopsDispatchingAndLeadsToTheSynthesis() async throws {
        let model = ScriptedModelClient([
            .toolCalls((1...3).map { call("echo", id: "\($0)") }),
            .answer("from two calls"),
        ])
        let result = await (try makeAgent(model, tools: [TestTools.echo()], limits: Budget.Limits(maxCallsPerRun: 2))).run("x")
        #expect(result.stopReason == .budget(.calls))
        #expect(result.calls.map(\.status) == [.ok, .ok, .notRun])
        #expect(result.toolCalls == 2)
        expectSynthesis(model, requests: 2)
    }

    @Test func thePerTurnCapRefusesExtraCallsButTheLoopGoesOn() async throws {
        let model = ScriptedModelClient([
            .toolCalls((1...3).map { call("echo", id: "\($0)") }),
            .answer("fine"),
        ])
        let result = await (try makeAgent(model, tools: [TestTools.echo()], limits: Budget.Limits(maxCallsPerTurn: 2))).run("x")
        #expect(result.stopReason == .finished)
        #expect(result.calls.map(\.status) == [.ok, .ok, .notRun])
        #expect(model.requests.allSatisfy { $0.toolsEnabled })
    }

    // The time-budget tests run on a manual clock: the test advances it once the run has provably
    // reached the state under test, so a slow or loaded machine cannot reorder anything.

    @Test func aToolRunningPastTheTimeBudgetIsCutAndTheSynthesisAnswers() async throws {
        let clock = ManualClock()
        let origin = clock.now
        let started = Latch(), cancelled = Latch(), echoed = Latch()
        let model = ScriptedModelClient([.toolCalls([call("block", id: "1"), call("echo", id: "2")]), .answer("partial")], clock: clock)
        let limits = Budget.Limits(wallTime: .seconds(2), synthesisReserve: 0.5)
        let agent = try makeAgent(model, tools: [TestTools.block(started: started, cancelled: cancelled), TestTools.echo()], limits: limits, clock: clock)
        async let running = agent.run("x") { event in
            if case .toolCallFinished(let outcome) = event, outcome.call.id == "2" { echoed.open() }
        }
        // Both calls were admitted before the dispatch deadline: the block is running, the echo is done.
        try await started.wait()
        try await echoed.wait()
        clock.advance(by: .seconds(1))  // the dispatch deadline: 2 s minus the 0.5 reserve
        let result = await running
        #expect(result.stopReason == .budget(.time))
        #expect(result.calls.map(\.status) == [.timeout, .ok])
        #expect(cancelled.isOpen)
        expectSynthesis(model, requests: 2)
        // Regular turns get the dispatch deadline, the synthesis the hard one, a second later.
        #expect(model.deadlines == [origin + .seconds(1), origin + .seconds(2)])
    }

    @Test func aModelHangingPastTheTimeBudgetIsCutAndTheSynthesisAnswers() async throws {
        let clock = ManualClock()
        let origin = clock.now
        let asked = Latch()
        let model = ScriptedModelClient([.hang, .answer("late but here")], clock: clock)
        let limits = Budget.Limits(wallTime: .seconds(2), synthesisReserve: 0.5)
        async let running = (try makeAgent(model, limits: limits, clock: clock)).run("x") { event in
            if case .turnStarted = event { asked.open() }  // sent once the turn was admitted
        }
        try await asked.wait()
        clock.advance(by: .seconds(1))  // past the dispatch deadline, before the hard one
        let result = try await running
        #expect(result.stopReason == .budget(.time))
        #expect(result.answer == "late but here")
        expectSynthesis(model, requests: 2)
        #expect(model.deadlines == [origin + .seconds(1), origin + .seconds(2)])
    }

    @Test func aModelHangingPastTheHardDeadlineEndsInTheFallback() async throws {
        // The synthesis hangs too: at the hard deadline it is cut, and the fallback answers.
        let clock = ManualClock()
        let asked = LockedState(0)
        let firstTurn = Latch(), secondTurn = Latch()
        let model = ScriptedModelClient([.hang, .hang], clock: clock)
        let fallback = RecordingFallback(answer: "from the router")
        let limits = Budget.Limits(wallTime: .seconds(2), synthesisReserve: 0.5)
        async let running = (try makeAgent(model, limits: limits, fallback: fallback, clock: clock)).run("x") { event in
            guard case .turnStarted = event else { return }
            let count = asked.withLock { $0 += 1; return $0 }
            (count == 1 ? firstTurn : secondTurn).open()
        }
        try await firstTurn.wait()
        clock.advance(by: .seconds(1))
        try await secondTurn.wait()
        clock.advance(by: .seconds(1))
        let result = try await running
        #expect(result.stopReason == .budget(.time))
        #expect(result.answer == "from the router")
        #expect(fallback.reasons == [.budgetExhausted(.wallTime)])
        expectSynthesis(model, requests: 2)
    }

    @Test func whenEvenTheSynthesisCannotFitTheFallbackAnswers() async throws {
        let fallback = RecordingFallback(answer: "the router's answer")
        let model = ScriptedModelClient([.toolCalls([call("echo", id: "1")], usage: TokenUsage(inputTokens: 5000, outputTokens: 1))])
        let recorder = EventRecorder()
        let agent = try makeAgent(model, tools: [TestTools.echo()], limits: Budget.Limits(inputTokens: 6000), fallback: fallback)
        let result = await agent.run("x", onEvent: recorder.record)
        #expect(model.requests.count == 1)
        #expect(result.stopReason == .budget(.tokens))
        #expect(result.answer == "the router's answer")
        #expect(fallback.reasons == [.budgetExhausted(.inputTokens)])
        #expect(fallback.gatheredCounts == [1])
        #expect(result.fallbackReason == "the budget ran out (inputTokens)")
        #expect(recorder.types.suffix(3) == ["fallback_used", "text_delta", "finished"])
        #expect(recorder.text.hasSuffix("the router's answer"))
    }

    @Test func withoutAFallbackTheAnswerListsWhatWasGathered() async throws {
        let model = ScriptedModelClient([
            .toolCalls([call("echo", #"{"text":"Oslo: 4 °C"}"#, id: "1"), call("nope", id: "2")], usage: TokenUsage(inputTokens: 5000, outputTokens: 1)),
        ])
        let result = await (try makeAgent(model, tools: [TestTools.echo()], limits: Budget.Limits(inputTokens: 6000))).run("x")
        #expect(result.stopReason == .budget(.tokens))
        #expect(result.answer.hasPrefix("No answer could be composed: the budget ran out (inputTokens). Results gathered so far:"))
        #expect(result.answer.contains(#"- echo({"text":"Oslo: 4 °C"}): Oslo: 4 °C"#))
        #expect(result.answer.hasSuffix("(1 other call did not succeed.)"))
    }

    @Test func budgetUpdatesReportSpentAndLeft() async throws {
        let model = ScriptedModelClient([.answer("ok", usage: TokenUsage(inputTokens: 10, outputTokens: 2))])
        let recorder = EventRecorder()
        _ = await (try makeAgent(model, limits: Budget.Limits(inputTokens: 100, maxTurns: 5))).run("x", onEvent: recorder.record)
        let snapshots = recorder.events.compactMap { if case .budgetUpdate(let snapshot) = $0 { snapshot } else { nil } }
        #expect(snapshots.count == 1)
        #expect(snapshots.first?.inputTokensLeft == 90)
        #expect(snapshots.first?.turnsLeft == 4)
        #expect(snapshots.first?.usdLeft == nil)
    }
}
