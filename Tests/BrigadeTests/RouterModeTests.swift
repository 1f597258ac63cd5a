import Logging
import Testing
import BrigadeTesting
import Brigade
@testable import BrigadeCore
@testable import BrigadeWorkspace

/// The router inside the agent: static, hybrid and model modes, partial answers and the fallback.
@Suite("Routing modes", .timeLimit(.minutes(1)))
struct RouterModeTests {
    static func tool(_ name: String, output: String = "", fail: Bool = false, hang: Bool = false, timeout: Duration? = nil) -> Tool {
        Tool(name: name, description: name, policy: ToolPolicy(timeout: timeout)) { _, _ in
            if hang { try await Task.sleep(for: .seconds(3600)) }
            return ToolOutput(text: output.isEmpty ? "\(name) result" : output, isError: fail)
        }
    }

    static func registry(_ tools: [Tool]) throws -> ToolRegistry { try ToolRegistry(tools) }

    static func routes(join: RouteJoin, requires: [String] = []) throws -> RouteSet {
        RouteSet([Route(
            name: "health",
            description: "machine health",
            keywords: [KeywordRule("health"), KeywordRule("machine|system")],
            examples: ["machine health please"],
            calls: [RouteCall(label: "disk", tool: "disk"), RouteCall(label: "memory", tool: "memory")],
            requires: requires,
            join: join
        )])
    }

    static func template() throws -> RouteJoin {
        .template(try JoinTemplate(text: "disk: {{calls.disk.output}}\nmemory: {{calls.memory.output}}", file: "t.mustache"))
    }

    func agent(model: ScriptedModelClient?, tools: [Tool], routes: RouteSet, routing: RoutingMode) throws -> Agent {
        Agent(
            registry: try Self.registry(tools),
            configuration: Agent.Configuration(model: model, routes: routes, routing: routing),
            logger: Logger(label: "test")
        )
    }

    @Test func staticModeRunsTheFanOutAndRendersTheJoin() async throws {
        let agent = try agent(model: nil, tools: [Self.tool("disk", output: "40% used"), Self.tool("memory", output: "2 GiB free")], routes: Self.routes(join: Self.template()), routing: .static)
        let recorder = EventRecorder()
        let result = await agent.run("how is the machine's health?", onEvent: recorder.record)
        #expect(result.answer == "disk: 40% used\nmemory: 2 GiB free")
        #expect(result.stopReason == .finished)
        #expect(result.toolCalls == 2)
        #expect(recorder.types.first == "route_matched")
        #expect(recorder.finishedCalls.count == 2)
        #expect(recorder.text == result.answer)
    }

    @Test func failedAndTimedOutCallsGiveAPartialAnswerNamingTheMissingPiece() async throws {
        let tools = [Self.tool("disk", hang: true, timeout: .milliseconds(200)), Self.tool("memory", output: "boom", fail: true)]
        let agent = try agent(model: nil, tools: tools, routes: Self.routes(join: Self.template()), routing: .static)
        let result = await agent.run("machine health")
        #expect(result.answer.contains("disk: unavailable (timed out"))
        #expect(result.answer.contains("memory: unavailable (error: boom)"))
        // Every call failed (the route requires none, so it depends on all): no answer.
        guard result.stopReason.code == .routeFailed, let message = result.stopReason.detail else {
            Issue.record("stop reason \(result.stopReason)")
            return
        }
        #expect(message.contains("disk (timed out") && message.contains("memory (error: boom)"))
        #expect(result.outcome == .noAnswer)
    }

    @Test func aMissingRequiredCallIsNamedFirst() async throws {
        let tools = [Self.tool("disk", output: "df failed", fail: true), Self.tool("memory", output: "ok")]
        let agent = try agent(model: nil, tools: tools, routes: Self.routes(join: Self.template(), requires: ["disk"]), routing: .static)
        let result = await agent.run("machine health")
        #expect(result.answer.hasPrefix("Incomplete answer — missing what it depends on: disk: unavailable (error: df failed)."))
        #expect(result.answer.contains("memory: ok"))
    }

    @Test func staticModeWithoutAMatchListsWhatTheRouterCanDo() async throws {
        let agent = try agent(model: nil, tools: [Self.tool("disk"), Self.tool("memory")], routes: Self.routes(join: Self.template()), routing: .static)
        let result = await agent.run("write me a poem")
        #expect(result.answer.contains("No route matches this request"))
        #expect(result.answer.contains("- health: machine health — e.g. \"machine health please\""))
        #expect(result.toolCalls == 0)
    }

    @Test func hybridRunsAMatchingRouteWithoutTheModel() async throws {
        let model = ScriptedModelClient([.answer("should not be asked")])
        let agent = try agent(model: model, tools: [Self.tool("disk"), Self.tool("memory")], routes: Self.routes(join: Self.template()), routing: .hybrid)
        let result = await agent.run("system health")
        #expect(result.answer.contains("disk: disk result"))
        #expect(model.requests.isEmpty)
    }

    @Test func hybridSendsOtherRequestsToTheModel() async throws {
        let model = ScriptedModelClient([.answer("a poem")])
        let agent = try agent(model: model, tools: [Self.tool("disk"), Self.tool("memory")], routes: Self.routes(join: Self.template()), routing: .hybrid)
        let result = await agent.run("write me a poem")
        #expect(result.answer == "a poem")
        #expect(model.requests.count == 1)
    }

    @Test func hybridJoinByModelSynthesizesWithToolsDisabled() async throws {
        let model = ScriptedModelClient([.answer("All fine: disk and memory look healthy.")])
        let agent = try agent(model: model, tools: [Self.tool("disk"), Self.tool("memory")], routes: Self.routes(join: .model), routing: .hybrid)
        let recorder = EventRecorder()
        let result = await agent.run("system health", onEvent: recorder.record)
        #expect(result.answer == "All fine: disk and memory look healthy.")
        #expect(recorder.text == result.answer)
        let request = try #require(model.requests.first)
        #expect(request.toolsEnabled == false)
        let results = request.messages.compactMap { message -> [ToolResultMessage]? in
            if case .toolResults(let results) = message { results } else { nil }
        }
        #expect(results.first?.map(\.content) == ["disk result", "memory result"])
    }

    @Test func hybridHandsOverToTheModelWhenARequiredCallFails() async throws {
        let model = ScriptedModelClient([.answer("the model's answer")])
        let tools = [Self.tool("disk", output: "df failed", fail: true), Self.tool("memory")]
        let agent = try agent(model: model, tools: tools, routes: Self.routes(join: Self.template(), requires: ["disk"]), routing: .hybrid)
        let result = await agent.run("system health")
        #expect(result.answer == "the model's answer")
        #expect(model.requests.count == 1)
    }

    @Test(arguments: [ModelError.Code.unreachable, .rateLimited, .serverError, .rejected, .malformedResponse])
    func modelModeFallsBackToTheRouterOnModelFailure(code: ModelError.Code) async throws {
        let model = ScriptedModelClient([.failure(ModelError(code, "down"))])
        let agent = try agent(model: model, tools: [Self.tool("disk"), Self.tool("memory")], routes: Self.routes(join: Self.template()), routing: .model)
        let recorder = EventRecorder()
        let result = await agent.run("system health", onEvent: recorder.record)
        #expect(result.answer.hasPrefix("(Answered by the static route `health` because the model is unavailable"))
        #expect(result.answer.contains("disk: disk result"))
        #expect(result.fallbackReason != nil)
        #expect(recorder.types.contains("fallback_used"))
        if result.stopReason.code != .modelUnavailable { Issue.record("stop reason \(result.stopReason)") }
    }

    /// A run with a tool subset (a sub-agent, a map worker) serves only routes whose calls use that
    /// subset: a sub-agent whose model fails does not fall back into its parent's route.
    @Test func aRunWithAToolSubsetServesOnlyTheRoutesItCanCall() async throws {
        let tools = [Self.tool("disk"), Self.tool("memory"), Self.tool("clock")]
        let routed = try agent(model: nil, tools: tools, routes: Self.routes(join: Self.template()), routing: .static)
        let outside = try await routed.run("system health", options: RunOptions(tools: ["clock"]))
        #expect(outside.stopReason == .noRoute)
        #expect(outside.toolCalls == 0)
        #expect(outside.answer == "No route matches this request: no route uses only this run's tools (clock).")
        let inside = try await routed.run("system health", options: RunOptions(tools: ["disk", "memory"]))
        let ownError = try agent(model: nil, tools: [Self.tool("disk", output: "error: df failed", fail: true), Self.tool("memory")], routes: Self.routes(join: Self.template()), routing: .static)
        #expect(await ownError.run("system health").answer.contains("disk: unavailable (error: df failed)\n"))
        #expect(inside.answer == "disk: disk result\nmemory: memory result")

        let model = ScriptedModelClient([.failure(ModelError(.unreachable, "down"))])
        let fallback = try agent(model: model, tools: tools, routes: Self.routes(join: Self.template()), routing: .model)
        let recorder = EventRecorder()
        let failed = try await fallback.run("system health", options: RunOptions(tools: []), onEvent: recorder.record)
        #expect(failed.toolCalls == 0)
        #expect(!recorder.types.contains("route_matched"))
        #expect(!failed.answer.contains("Answered by the static route"))
        if failed.stopReason.code != .modelUnavailable { Issue.record("stop reason \(failed.stopReason)") }
    }

    @Test func whenEveryModelOfTheChainIsUnavailableTheRouterStaysLast() async throws {
        let first = ScriptedModelClient([.failure(ModelError(.serverError, "down"))])
        let second = ScriptedModelClient([.failure(ModelError(.rateLimited, "busy"))])
        let chain = try ModelChain([.init(name: "first", client: first), .init(name: "second", client: second)])
        let agent = Agent(
            registry: try Self.registry([Self.tool("disk"), Self.tool("memory")]),
            configuration: Agent.Configuration(model: chain, routes: try Self.routes(join: Self.template()), routing: .model),
            logger: Logger(label: "test")
        )
        let result = await agent.run("system health")
        #expect(result.modelSwitches.map(\.to) == ["second"])
        #expect(first.requests.count == 1 && second.requests.count == 1)
        #expect(result.answer.hasPrefix("(Answered by the static route `health` because the model is unavailable"))
        #expect(result.stopReason.code == .modelUnavailable)
    }

    @Test func budgetExhaustedBeforeAnAnswerFallsBackToTheRouter() async throws {
        // The model keeps asking for tools; the run's call cap ends the tool phase and the synthesis call
        // finds no room: the router answers.
        let call = ToolCall(id: "1", name: "disk", rawArguments: "{}")
        let model = ScriptedModelClient([.toolCalls([call], usage: TokenUsage(inputTokens: 900, outputTokens: 50)), .answer("late")])
        let agent = Agent(
            registry: try Self.registry([Self.tool("disk"), Self.tool("memory")]),
            configuration: Agent.Configuration(
                model: model,
                limits: Budget.Limits(inputTokens: 1000),
                maxOutputTokens: 64,
                routes: try Self.routes(join: Self.template()),
                routing: .model
            ),
            logger: Logger(label: "test")
        )
        let result = await agent.run("system health")
        #expect(result.answer.contains("Answered by the static route `health` because the budget ran out"), "\(result.answer)")
        #expect(result.stopReason == .budget(.tokens))
    }

    @Test func noModelAndNoMatchInModelModeSaysWhy() async throws {
        let agent = try agent(model: nil, tools: [Self.tool("disk"), Self.tool("memory")], routes: Self.routes(join: Self.template()), routing: .model)
        let result = await agent.run("write me a poem")
        #expect(result.answer.contains("no model is configured"))
    }
}
