import Synchronization
import BrigadeTesting
import CurlHTTP
import Logging
import Testing
import Brigade
@testable import BrigadeCore
@testable import BrigadeProviders

/// The whole loop over real HTTP: the agent with the OpenAI and Anthropic clients, streamed and not,
/// against the fake model server.
@Suite("Agent through the fake model server", .timeLimit(.minutes(2)))
struct AgentThroughFakeServerTests {
    enum Provider: String, CaseIterable, Sendable { case openAIStreamed, openAIBuffered, anthropicStreamed, anthropicBuffered }

    static func client(_ provider: Provider, server: FakeModelServer, http: HTTPClient, retries: Int = 0) -> any ModelClient {
        client(provider, baseURL: server.baseURL, http: http, retries: retries)
    }

    /// A client of the server at `baseURL` (scheme, host and port).
    static func client(_ provider: Provider, baseURL: String, http: HTTPClient, retries: Int = 0) -> any ModelClient {
        let policy = RetryPolicy(maxRetries: retries, initialBackoff: .milliseconds(10))
        switch provider {
        case .openAIStreamed, .openAIBuffered:
            return OpenAIChatClient(configuration: .init(baseURL: baseURL + "/v1", apiKey: "k", model: "m", streaming: provider == .openAIStreamed, retryPolicy: policy), httpClient: http)
        case .anthropicStreamed, .anthropicBuffered:
            return AnthropicClient(configuration: .init(baseURL: baseURL, apiKey: "k", model: "m", streaming: provider == .anthropicStreamed, retryPolicy: policy), httpClient: http)
        }
    }

    /// `echo` answers with its text.
    ///
    /// With `together: N` a call first waits until N calls are running at once (so a fan-out provably
    /// runs in parallel); with `after: TEXT` it then waits until the call echoing TEXT has been reported
    /// finished (``EchoOrder/reported(_:)``), so calls finish in the order a test chooses.
    static func echo(_ order: EchoOrder = EchoOrder()) -> Tool {
        Tool(
            name: "echo", description: "Echoes its text.",
            parameters: [
                "type": "object",
                "properties": ["text": ["type": "string"], "after": ["type": "string"], "together": ["type": "integer"]],
                "required": ["text"],
            ]
        ) { arguments, _ in
            order.running.enter()
            defer { order.running.leave() }
            if let together = arguments["together"]?.intValue { try await order.running.waitUntilActive(atLeast: together) }
            if let after = arguments["after"]?.stringValue { try await order.finished(after).wait() }
            return ToolOutput(text: "echo " + (arguments["text"]?.stringValue ?? ""))
        }
    }

    /// Orders ``echo(_:)`` calls: who is running, and whose finish has been reported.
    final class EchoOrder: Sendable {
        let running = ConcurrencyProbe()
        private let latches = Mutex<[String: Latch]>([:])

        func finished(_ text: String) -> Latch {
            latches.withLock { latches in
                if let latch = latches[text] { return latch }
                let latch = Latch()
                latches[text] = latch
                return latch
            }
        }

        /// Give it every event of the run: a finished echo opens its latch.
        func reported(_ event: AgentEvent) {
            if case .toolCallFinished(let outcome) = event, outcome.outputPreview.hasPrefix("echo ") {
                finished(String(outcome.outputPreview.dropFirst("echo ".count))).open()
            }
        }
    }

    func agent(_ client: any ModelClient, limits: Budget.Limits = Budget.Limits(), order: EchoOrder = EchoOrder()) throws -> Agent {
        Agent(registry: try ToolRegistry([Self.echo(order)]), configuration: Agent.Configuration(model: client, limits: limits, systemPrompt: "Be brief."), logger: Logger(label: "test"))
    }

    @Test(arguments: Provider.allCases)
    func interleavedCallsRunAtOnceAndResultsGoBackInCallOrder(provider: Provider) async throws {
        try await withFakeModelServer { server in
            let http = HTTPClient()
            server.enqueue(
                .toolCalls([
                    FakeToolCall(name: "echo", json: ["text": "first", "after": "second", "together": 3]),
                    FakeToolCall(name: "echo", json: ["text": "second", "after": "third", "together": 3]),
                    FakeToolCall(name: "echo", json: ["text": "third", "together": 3]),
                ], text: "On it.", usage: TokenUsage(inputTokens: 50, outputTokens: 20)),
                .text("first, second, third", usage: TokenUsage(inputTokens: 90, outputTokens: 5))
            )
            let recorder = EventRecorder()
            let order = EchoOrder()
            let agent = try agent(Self.client(provider, server: server, http: http), order: order)
            let result = await agent.run("go") { event in
                recorder.record(event)
                order.reported(event)
            }
            #expect(result.stopReason == .finished)
            #expect(result.answer == "first, second, third")
            #expect(result.usage.inputTokens == 140 && result.usage.outputTokens == 25)
            #expect(order.running.maxActive == 3)
            // finished in reverse order of the calls…
            #expect(recorder.finishedCalls.map(\.outputPreview) == ["echo third", "echo second", "echo first"])
            // …and went back in call order
            let second = try #require(server.requests.last)
            #expect(second.trailingToolResults.map(\.content) == ["echo first", "echo second", "echo third"])
            #expect(server.requests.allSatisfy { $0.isStreaming == (provider == .openAIStreamed || provider == .anthropicStreamed) })
            // The timings show the overlap: every call started before any finished; the turn's fan-out
            // spans them all, and the sum counts each call's own time.
            let calls = result.calls
            #expect(calls.count == 3)
            let timing = try #require(result.turnTimings.first)
            if let lastStart = calls.compactMap(\.started).max(), let firstFinish = calls.map(\.finished).min(),
                let lastFinish = calls.map(\.finished).max(), let firstQueued = calls.map(\.queued).min()
            {
                #expect(calls.allSatisfy { $0.started != nil })
                #expect(lastStart <= firstFinish)
                #expect(timing.fanOutWallTime == lastFinish - firstQueued)
            }
            #expect(timing.sumOfCallTimes == calls.map(\.duration).reduce(.zero, +))
            #expect(timing.toolCalls == 3)
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

    /// A client as it is, but without ``ModelClient/enforcesDeadline``: the agent guards its calls
    /// with a child task that it cancels at the deadline.
    struct Guarded: ModelClient {
        let client: any ModelClient
        var displayName: String { client.displayName }
        var supportsOutputSchema: Bool { client.supportsOutputSchema }
        func complete(_ request: ModelRequest, deadline: ContinuousClock.Instant?, onTextDelta: @escaping @Sendable (String) -> Void) async throws(ModelError) -> ModelResponse {
            try await client.complete(request, deadline: deadline, onTextDelta: onTextDelta)
        }
    }

    /// The HTTP clients end a call at its deadline themselves (``ModelClient/enforcesDeadline``), so
    /// the agent calls them without a child task: a model hanging past the time budget is still cut
    /// at the dispatch deadline, charged an estimate, and the synthesis answers — as with the guard.
    @Test(arguments: Provider.allCases)
    func aModelHangingPastTheTimeBudgetIsCutAtTheDeadline(provider: Provider) async throws {
        for guarded in [false, true] {
            try await withFakeModelServer { server in
                let http = HTTPClient()
                server.enqueue(.fault(.hang), .text("late but here", usage: TokenUsage(inputTokens: 7, outputTokens: 3)))
                let client = Self.client(provider, server: server, http: http)
                #expect(client.enforcesDeadline)
                let limits = Budget.Limits(wallTime: .seconds(8), synthesisReserve: 0.5)
                let started = ContinuousClock.now
                let result = try await agent(guarded ? Guarded(client: client) : client, limits: limits).run("go")
                let elapsed = ContinuousClock.now - started
                // Cut at the dispatch deadline (4 s), not before, and charged its input estimate.
                #expect(result.stopReason == .budget(.time))
                #expect(elapsed >= .seconds(4) && elapsed < .seconds(60))
                #expect(result.usage.inputTokens > 0)
                // The synthesis answers within the other 4 s — unless the machine stalled the
                // process past the hard deadline, when the fallback says the time ran out.
                if server.requestCount == 2, result.usage.outputTokens == 3 {
                    #expect(result.answer == "late but here")
                    #expect(result.usage.inputTokens > 7)
                } else {
                    #expect(result.answer.contains("the budget ran out (wallTime)"), "\(result.answer)")
                }
            }
        }
    }

    @Test(arguments: Provider.allCases)
    func aDeadServerEndsTheRunWithModelUnavailable(provider: Provider) async throws {
        let refused = try RefusedPort()  // nothing answers there, and no other test can start a server on it
        let client = Self.client(provider, baseURL: refused.url, http: HTTPClient())
        let result = try await agent(client).run("go")
        guard result.stopReason.code == .modelUnavailable else {
            Issue.record("stop reason \(result.stopReason)")
            return
        }
        #expect(result.answer.contains("No answer could be composed"))
    }
}
