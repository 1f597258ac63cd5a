import Brigade
import BrigadeTesting
import Testing

@Suite("Run options", .timeLimit(.minutes(1)))
struct RunOptionsTests {
    @Test(arguments: [
        (Budget.Limits(usd: -1), "`limits.usd` must be a number >= 0, got -1.0"),
        (Budget.Limits(usd: .nan), "`limits.usd` must be a number >= 0, got nan"),
        (Budget.Limits(inputTokens: -5), "`limits.inputTokens` must be >= 0, got -5"),
        (Budget.Limits(outputTokens: -1), "`limits.outputTokens` must be >= 0, got -1"),
        (Budget.Limits(wallTime: .seconds(-1)), "`limits.wallTime` must be positive, got -1.0 seconds"),
        (Budget.Limits(maxTurns: 0), "`limits.maxTurns` must be at least 1, got 0"),
        (Budget.Limits(maxCallsPerRun: -1), "`limits.maxCallsPerRun` must be >= 0, got -1"),
        (Budget.Limits(maxCallsPerTurn: -2), "`limits.maxCallsPerTurn` must be >= 0, got -2"),
        (Budget.Limits(synthesisReserve: 1), "`limits.synthesisReserve` must be in 0..<1, got 1.0"),
        (Budget.Limits(minimumOutputTokens: 0), "`limits.minimumOutputTokens` must be at least 1, got 0"),
    ])
    func invalidLimitsAreRefusedBeforeTheRunStarts(limits: Budget.Limits, message: String) async throws {
        let model = ScriptedModelClient([.answer("never")])
        let agent = try makeAgent(model)
        let recorder = EventRecorder()
        await #expect(throws: InvalidRunOptions(message)) {
            try await agent.run("x", options: RunOptions(limits: limits), onEvent: recorder.record)
        }
        #expect(recorder.events.isEmpty)
        #expect(model.requests.isEmpty)
        #expect(throws: InvalidRunOptions(message)) { try agent.events(for: "x", options: RunOptions(limits: limits)) }
    }

    @Test func aToolSubsetNamingUnknownToolsIsRefused() async throws {
        let agent = try makeAgent(ScriptedModelClient([]), tools: [TestTools.echo(), TestTools.echo("shout")])
        await #expect(throws: InvalidRunOptions("`tools` names unknown tools `wheather`, `clock`; the tools are: echo, shout")) {
            try await agent.run("x", options: RunOptions(tools: ["echo", "wheather", "clock"]))
        }
    }

    @Test func aToolSubsetLimitsWhatIsOfferedAndWhatMayBeCalled() async throws {
        let model = ScriptedModelClient([
            .toolCalls([call("shout", #"{"text":"a"}"#, id: "1"), call("echo", #"{"text":"b"}"#, id: "2")]),
            .answer("done"),
        ])
        let agent = try makeAgent(model, tools: [TestTools.echo(), TestTools.echo("shout")])
        let result = try await agent.run("x", options: RunOptions(tools: ["echo"]))
        #expect(model.requests.first?.tools.map(\.name) == ["echo"])
        #expect(result.calls.map(\.status) == [.error, .ok])
        guard case .toolResults(let results) = model.requests.last?.messages.last else {
            Issue.record("the second request should end with the tool results")
            return
        }
        #expect(results.first?.content == "error: unknown tool 'shout'; available tools: echo")
    }

    @Test func limitsSystemPromptAndRoutingAreTheRunsOwn() async throws {
        let model = ScriptedModelClient([.toolCalls([call("echo", #"{"text":"a"}"#, id: "1")]), .answer("late"), .answer("plain")])
        let agent = try makeAgent(model, tools: [TestTools.echo()], systemPrompt: "Default prompt.")
        let capped = try await agent.run("x", options: RunOptions(limits: Budget.Limits(maxTurns: 2), systemPrompt: "Run prompt."))
        #expect(capped.stopReason == .maxTurns && capped.turns == 2)
        #expect(model.requests.first?.messages.first == .system("Run prompt."))
        // The agent's defaults are untouched by another run's options.
        let plain = await agent.run("y")
        #expect(plain.answer == "plain")
        #expect(model.requests.last?.messages.first == .system("Default prompt."))

        let routed = try await agent.run("z", options: RunOptions(routing: .static))
        #expect(routed.answer.hasPrefix("No route matches this request"))
        #expect(model.requests.count == 3)
    }

    @Test func codeAndConfigStartFromTheSameDefaults() {
        let config = BrigadeConfig.defaults(baseDirectory: "/")
        #expect(config.limits.maxTurns == Budget.Limits.default.maxTurns)
        #expect(config.limits.maxCallsPerRun == Budget.Limits.default.maxCallsPerRun)
        #expect(config.limits.maxCallsPerTurn == Budget.Limits.default.maxCallsPerTurn)
        #expect(config.budget.synthesisReserve == Budget.Limits.default.synthesisReserve)
        #expect(config.limits.maxParallelCalls == Dispatcher.Configuration.default.maxParallelCalls)
        #expect(config.limits.toolTimeout == Dispatcher.Configuration.default.defaultTimeout)
        #expect(config.limits.maxToolOutputBytes == Dispatcher.Configuration.default.defaultMaxOutputBytes)
    }
}
