import BrigadeTesting
import CurlHTTP
import Logging
import Testing
@testable import Brigade

/// The whole loop over real HTTP: the agent with the OpenAI and Anthropic clients, streamed and not,
/// against the fake model server.
@Suite("Agent through the fake model server", .timeLimit(.minutes(2)))
struct AgentThroughFakeServerTests {
    enum Provider: String, CaseIterable, Sendable { case openAIStreamed, openAIBuffered, anthropicStreamed, anthropicBuffered }

    static func client(_ provider: Provider, server: FakeModelServer, http: HTTPClient, retries: Int = 0) -> any ModelClient {
        let policy = RetryPolicy(maxRetries: retries, initialBackoff: .milliseconds(10))
        switch provider {
        case .openAIStreamed, .openAIBuffered:
            return OpenAIChatClient(configuration: .init(baseURL: server.openAIBaseURL, apiKey: "k", model: "m", streaming: provider == .openAIStreamed, retryPolicy: policy), httpClient: http)
        case .anthropicStreamed, .anthropicBuffered:
            return AnthropicClient(configuration: .init(baseURL: server.anthropicBaseURL, apiKey: "k", model: "m", streaming: provider == .anthropicStreamed, retryPolicy: policy), httpClient: http)
        }
    }

    /// `echo` answers with its text after waiting `wait_ms`: later calls finish first.
    static let echo = Tool(
        name: "echo", description: "Echoes its text.",
        parameters: ["type": "object", "properties": ["text": ["type": "string"], "wait_ms": ["type": "integer"]], "required": ["text"]]
    ) { arguments, _ in
        if let wait = arguments["wait_ms"]?.intValue { try await Task.sleep(for: .milliseconds(wait)) }
        return ToolOutput(text: "echo " + (arguments["text"]?.stringValue ?? ""))
    }

    func agent(_ client: any ModelClient, limits: Budget.Limits = Budget.Limits()) throws -> Agent {
        Agent(registry: try ToolRegistry([Self.echo]), configuration: Agent.Configuration(model: client, limits: limits, systemPrompt: "Be brief."), logger: Logger(label: "test"))
    }

    @Test(arguments: Provider.allCases)
    func interleavedCallsRunAtOnceAndResultsGoBackInCallOrder(provider: Provider) async throws {
        try await withFakeModelServer { server in
            let http = HTTPClient()
            server.enqueue(
                .toolCalls([
                    FakeToolCall(name: "echo", json: ["text": "first", "wait_ms": 300]),
                    FakeToolCall(name: "echo", json: ["text": "second", "wait_ms": 150]),
                    FakeToolCall(name: "echo", json: ["text": "third"]),
                ], text: "On it.", usage: TokenUsage(inputTokens: 50, outputTokens: 20)),
                .text("first, second, third", usage: TokenUsage(inputTokens: 90, outputTokens: 5))
            )
            let recorder = EventRecorder()
            let result = try await agent(Self.client(provider, server: server, http: http)).run("go", onEvent: recorder.record)
            #expect(result.stopReason == .finished)
            #expect(result.answer == "first, second, third")
            #expect(result.usage.inputTokens == 140 && result.usage.outputTokens == 25)
            // finished in reverse order of the calls…
            #expect(recorder.finishedCalls.map(\.outputPreview) == ["echo third", "echo second", "echo first"])
            // …and went back in call order
            let second = try #require(server.requests.last)
            #expect(second.trailingToolResults.map(\.content) == ["echo first", "echo second", "echo third"])
            #expect(server.requests.allSatisfy { $0.isStreaming == (provider == .openAIStreamed || provider == .anthropicStreamed) })
            let timing = try #require(result.turnTimings.first)
            #expect(timing.fanOutWallTime < timing.sumOfCallTimes)
        }
    }

    @Test(arguments: Provider.allCases)
    func callsPastTheTurnCapAreNotRunAndTheModelIsTold(provider: Provider) async throws {
        try await withFakeModelServer { server in
            let http = HTTPClient()
            server.enqueue(
                .toolCalls((1...3).map { FakeToolCall(name: "echo", json: ["text": .string("\($0)")]) }),
                .text("two of three")
            )
            let result = try await agent(Self.client(provider, server: server, http: http), limits: Budget.Limits(maxCallsPerTurn: 2)).run("go")
            #expect(result.answer == "two of three")
            let results = try #require(server.requests.last).trailingToolResults.map(\.content)
            #expect(results.count == 3)
            #expect(results[0] == "echo 1" && results[1] == "echo 2")
            #expect(results[2].contains("not run: call cap 2 reached"), "\(results[2])")
        }
    }

    @Test(arguments: Provider.allCases)
    func theRunCapLeadsToASynthesisCallWithToolsDisabled(provider: Provider) async throws {
        try await withFakeModelServer { server in
            let http = HTTPClient()
            server.enqueue(
                .toolCalls([FakeToolCall(name: "echo", json: ["text": "a"]), FakeToolCall(name: "echo", json: ["text": "b"])]),
                .text("from what I have: a")
            )
            let result = try await agent(Self.client(provider, server: server, http: http), limits: Budget.Limits(maxCallsPerRun: 1)).run("go")
            #expect(result.stopReason == .budget(.calls))
            #expect(result.answer == "from what I have: a")
            let requests = server.requests
            #expect(requests.count == 2)
            #expect(requests.first?.offersTools == true)
            #expect(requests.last?.offersTools == false)
        }
    }

    @Test(arguments: Provider.allCases)
    func rateLimitsAreRetriedAfterTheServersDelay(provider: Provider) async throws {
        try await withFakeModelServer { server in
            let http = HTTPClient()
            server.enqueue(.fault(.rateLimited(retryAfterMilliseconds: 20)), .fault(.serverError), .text("after two retries"))
            let result = try await agent(Self.client(provider, server: server, http: http, retries: 3)).run("go")
            #expect(result.answer == "after two retries")
            #expect(server.requestCount == 3)
        }
    }

    @Test(arguments: [Provider.openAIStreamed, .anthropicStreamed])
    func cancellingTheRunEndsAHungModelCall(provider: Provider) async throws {
        try await withFakeModelServer { server in
            let http = HTTPClient()
            server.enqueue(.fault(.hang))
            let agent = try agent(Self.client(provider, server: server, http: http))
            let run = Task { await agent.run("go") }
            await server.waitForRequests(count: 1)
            run.cancel()
            let result = await run.value
            #expect(result.stopReason == .cancelled)
        }
    }

    @Test(arguments: Provider.allCases)
    func aDeadServerEndsTheRunWithModelUnavailable(provider: Provider) async throws {
        let server = try await FakeModelServer.start()
        let http = HTTPClient()
        let client = Self.client(provider, server: server, http: http)
        await server.stop()
        let result = try await agent(client).run("go")
        guard case .modelUnavailable = result.stopReason else {
            Issue.record("stop reason \(result.stopReason)")
            return
        }
        #expect(result.answer.contains("No answer could be composed"))
    }
}
