import Brigade
import BrigadeTesting
import CurlHTTP
import Foundation
import Logging
import Testing

@testable import BrigadeBatch
@testable import BrigadeCore
@testable import BrigadeProviders
@testable import BrigadeWorkspace

/// The limiter's bookkeeping, with instants chosen by the test.
@Suite("Rate limiter state")
struct RateLimiterStateTests {
    let origin = ContinuousClock.now

    @Test func requestsPerMinuteAreSpreadOverTheSecondsAndCappedOverTheMinute() {
        var state = RateLimiterState(limits: RateLimits(requestsPerMinute: 120))
        // 2 a second, counted from when each response began; one still waiting for its response counts too.
        #expect(state.admit(estimatedInputTokens: 1, now: origin) == .admitted)
        #expect(state.admit(estimatedInputTokens: 1, now: origin + .milliseconds(10)) == .admitted)
        #expect(state.admit(estimatedInputTokens: 1, now: origin + .milliseconds(20)) == .waitForRelease)
        state.responseBegan(now: origin + .milliseconds(30))
        #expect(state.admit(estimatedInputTokens: 1, now: origin + .milliseconds(40)) == .wait(.milliseconds(990)))
        state.finish(outputTokens: 0, began: false, now: origin + .milliseconds(50))
        #expect(state.admit(estimatedInputTokens: 1, now: origin + .milliseconds(60)) == .wait(.milliseconds(970)))
        #expect(state.admit(estimatedInputTokens: 1, now: origin + .milliseconds(1030)) == .admitted)
        var minute = RateLimiterState(limits: RateLimits(requestsPerMinute: 2))
        for second in 0..<2 {
            #expect(minute.admit(estimatedInputTokens: 1, now: origin + .seconds(second)) == .admitted)
            minute.finish(outputTokens: 0, began: false, now: origin + .seconds(second))
        }
        #expect(minute.admit(estimatedInputTokens: 1, now: origin + .seconds(2)) == .wait(.seconds(58)))
        #expect(minute.admit(estimatedInputTokens: 1, now: origin + .seconds(60)) == .admitted)
    }

    @Test func tokensPerMinuteAndConcurrency() {
        var state = RateLimiterState(limits: RateLimits(inputTokensPerMinute: 1000, outputTokensPerMinute: 500, maxConcurrentRequests: 2))
        #expect(state.admit(estimatedInputTokens: 600, now: origin) == .admitted)
        #expect(state.admit(estimatedInputTokens: 600, now: origin + .seconds(1)) == .wait(.seconds(59)))
        #expect(state.admit(estimatedInputTokens: 300, now: origin + .seconds(1)) == .admitted)
        #expect(state.admit(estimatedInputTokens: 10, now: origin + .seconds(2)) == .waitForRelease)
        state.finish(outputTokens: 500, began: false, now: origin + .seconds(3))
        #expect(state.admit(estimatedInputTokens: 10, now: origin + .seconds(4)) == .wait(.seconds(59)))
        // A lone request larger than the input limit still goes, once the minute is clear.
        var lone = RateLimiterState(limits: RateLimits(inputTokensPerMinute: 100))
        #expect(lone.admit(estimatedInputTokens: 5000, now: origin) == .admitted)
    }

    @Test func onlyTheWindowsOfSetLimitsKeepAHistory() {
        // Without limits nothing is kept per request: a batch of thousands of requests a minute
        // would otherwise scan ever longer windows on each admission.
        var open = RateLimiterState(limits: RateLimits())
        for step in 0..<100 {
            #expect(open.admit(estimatedInputTokens: 50, now: origin + .milliseconds(step)) == .admitted)
            open.responseBegan(now: origin + .milliseconds(step))
            open.finish(outputTokens: 20, began: true, now: origin + .milliseconds(step))
        }
        #expect(open.sent.isEmpty && open.inputTokens.isEmpty && open.outputTokens.isEmpty && open.inFlight == 0)
        // Each limit keeps only its own window.
        var tokens = RateLimiterState(limits: RateLimits(outputTokensPerMinute: 1000))
        #expect(tokens.admit(estimatedInputTokens: 50, now: origin) == .admitted)
        tokens.finish(outputTokens: 20, began: false, now: origin)
        #expect(tokens.sent.isEmpty && tokens.inputTokens.isEmpty && tokens.outputTokens.count == 1)
    }

    @Test func headersAndRetryAfterHoldEveryRequestBack() {
        var state = RateLimiterState(limits: RateLimits())
        state.learn(remainingRequests: 1, requestsResetAt: origin + .seconds(2), remainingTokens: nil, tokensResetAt: nil)
        #expect(state.admit(estimatedInputTokens: 1, now: origin) == .admitted)
        #expect(state.admit(estimatedInputTokens: 1, now: origin + .seconds(1)) == .wait(.seconds(1)))
        #expect(state.admit(estimatedInputTokens: 1, now: origin + .seconds(2)) == .admitted)
        state.learn(remainingRequests: nil, requestsResetAt: nil, remainingTokens: 100, tokensResetAt: origin + .seconds(5))
        #expect(state.admit(estimatedInputTokens: 200, now: origin + .seconds(3)) == .wait(.seconds(2)))
        state.pause(until: origin + .seconds(10))
        #expect(state.admit(estimatedInputTokens: 1, now: origin + .seconds(6)) == .wait(.seconds(4)))
    }

    @Test func resetDurationsAndDatesParse() {
        #expect(RateLimiter.parseResetDuration("1s") == .seconds(1))
        #expect(RateLimiter.parseResetDuration("6m0s") == .seconds(360))
        #expect(RateLimiter.parseResetDuration("20ms") == .milliseconds(20))
        #expect(RateLimiter.parseResetDuration("1h2m3.5s") == .milliseconds(3_723_500))
        #expect(RateLimiter.parseResetDuration("soon") == nil)
        #expect(RateLimiter.parseResetDuration("12") == nil)
        #expect(RateLimiter.parseDate("2026-12-06T21:00:30Z") != nil)
        #expect(RateLimiter.parseDate("2026-12-06T21:00:30.250Z") != nil)
    }
}

/// The limiter against a fake provider that enforces its limits: shared by every run of the process.
@Suite("Rate limiter against an enforcing server", .serialized, .timeLimit(.minutes(2)))
struct RateLimiterServerTests {
    static func agent(_ server: FakeModelServer, rateLimits: RateLimits, anthropic: Bool = false) throws -> Agent {
        let retry = RetryPolicy(maxRetries: 0)
        let model: any ModelClient
        if anthropic {
            var configuration = AnthropicClient.Configuration(baseURL: server.anthropicBaseURL, apiKey: "k", model: "m", retryPolicy: retry)
            configuration.rateLimits = rateLimits
            model = AnthropicClient(configuration: configuration, httpClient: ProviderTestHTTP.client)
        } else {
            var configuration = OpenAIChatClient.Configuration(baseURL: server.openAIBaseURL, apiKey: "k", model: "m", retryPolicy: retry)
            configuration.rateLimits = rateLimits
            model = OpenAIChatClient(configuration: configuration, httpClient: ProviderTestHTTP.client)
        }
        return Agent(registry: try ToolRegistry([]), configuration: Agent.Configuration(model: model), logger: Logger(label: "test"))
    }

    @Test func aBatchOf64StaysUnderTheConfiguredRequestsPerMinute() async throws {
        try await withFakeModelServer(recordsRequests: false) { server in
            // 600 a minute is 10 a second: the server refuses an 11th arrival within any second.
            server.enforceRateLimits(FakeRateLimit(requests: 10, per: .seconds(1)), FakeRateLimit(requests: 600, per: .seconds(60)))
            server.respond { request in .text("ok \(request.lastUserText ?? "")") }
            let agent = try Self.agent(server, rateLimits: RateLimits(requestsPerMinute: 600))
            let recorder = EventRecorder()
            let results = await withTaskGroup(of: RunResult.self) { group in
                for item in 0..<64 {
                    group.addTask { await agent.run("item \(item)") { recorder.record($0) } }
                }
                return await group.reduce(into: [RunResult]()) { $0.append($1) }
            }
            #expect(results.count == 64)
            #expect(results.allSatisfy { $0.stopReason == .finished })
            #expect(server.rateLimitRejections == 0)
            #expect(server.requestCount == 64)
            let waits = recorder.events.compactMap { event -> RateLimitWait? in
                if case .rateLimitWait(let wait) = event { wait } else { nil }
            }
            #expect(!waits.isEmpty)
            #expect(waits.allSatisfy { $0.progressLine.hasPrefix("waiting for rate limit, ") })
            #expect(recorder.events.allSatisfy { if case .modelRetry = $0 { false } else { true } })
        }
    }

    @Test func aBatchEngineRunAt64StaysUnderTheLimitWithNo429() async throws {
        try await withFakeModelServer(recordsRequests: false) { server in
            // 1,200 a minute is 20 a second.
            server.enforceRateLimits(FakeRateLimit(requests: 20, per: .seconds(1)), FakeRateLimit(requests: 1200, per: .seconds(60)))
            server.respond { _ in .text("ok") }
            let agent = try Self.agent(server, rateLimits: RateLimits(requestsPerMinute: 1200))
            let directory = BatchTempDirectory()
            let input = try BatchInput(parsing: Array(batchInputText(64).utf8))
            let summary = try await BatchEngine(runner: AgentBatchRunner(agent: agent), configuration: BatchConfiguration(concurrency: 64))
                .run(input, resultsPath: directory.file("results.jsonl"))
            #expect(summary.ok == 64 && summary.failed == 0)
            #expect(server.rateLimitRejections == 0)
            #expect(server.requestCount == 64)
        }
    }

    @Test func withoutTheLimiterTheSameBatchMeets429s() async throws {
        try await withFakeModelServer(recordsRequests: false) { server in
            server.enforceRateLimits(FakeRateLimit(requests: 10, per: .seconds(1)))
            server.respond { _ in .text("ok") }
            let agent = try Self.agent(server, rateLimits: RateLimits())
            _ = await withTaskGroup(of: RunResult.self) { group in
                for item in 0..<64 { group.addTask { await agent.run("item \(item)") } }
                return await group.reduce(into: [RunResult]()) { $0.append($1) }
            }
            #expect(server.rateLimitRejections > 0)
        }
    }

    @Test("limits learned from the provider's headers hold every run back", arguments: [false, true])
    func headerLearnedLimits(anthropic: Bool) async throws {
        try await withFakeModelServer { server in
            var first = FakeTurn.text("first")
            if anthropic {
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                first.headers = [
                    "anthropic-ratelimit-requests-remaining": "0",
                    "anthropic-ratelimit-requests-reset": formatter.string(from: Date().addingTimeInterval(2)),
                ]
            } else {
                first.headers = ["x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2000ms", "x-ratelimit-limit-requests": "60"]
            }
            server.enqueue(first)
            server.respond { _ in .text("later") }
            let agent = try Self.agent(server, rateLimits: RateLimits(), anthropic: anthropic)
            let opening = await agent.run("first")
            #expect(opening.answer == "first")
            let recorder = EventRecorder()
            let results = await withTaskGroup(of: RunResult.self) { group in
                for item in 0..<4 { group.addTask { await agent.run("item \(item)") { recorder.record($0) } } }
                return await group.reduce(into: [RunResult]()) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0.answer == "later" })
            #expect(server.rateLimitRejections == 0)
            #expect(recorder.events.contains { if case .rateLimitWait = $0 { true } else { false } })
        }
    }

    @Test func aWaitPastTheDeadlineFailsAtOnce() async throws {
        try await withFakeModelServer { server in
            var first = FakeTurn.text("first")
            first.headers = ["x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "50s"]
            server.enqueue(first)
            var configuration = OpenAIChatClient.Configuration(baseURL: server.openAIBaseURL, apiKey: "k", model: "m", retryPolicy: .none)
            configuration.rateLimits = RateLimits()
            let client = OpenAIChatClient(configuration: configuration, httpClient: ProviderTestHTTP.client)
            _ = try await client.complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            let error = await expectProviderFailure(.deadlineExceeded) {
                try await client.complete(ModelRequest(messages: [.user("x")]), deadline: .now + .seconds(5)) { _ in }
            }
            #expect(error?.message.contains("for the rate limit of 127.0.0.1:\(server.port) (OpenAI-compatible API) would pass the deadline") == true, "\(String(describing: error))")
            #expect(server.requestCount == 1)
        }
    }

    @Test func zeroOrNegativeLimitsAreLoadErrors() {
        for key in ["requests_per_minute", "input_tokens_per_minute", "output_tokens_per_minute", "max_concurrent_requests"] {
            for value in ["0", "-5", "1.5"] {
                let error = configError { _ = try BrigadeConfig.parse("model: {model: m, \(key): \(value)}\n", file: "/p/c.yaml", environment: [:]) }
                #expect(error?.message.contains("must be a whole number of at least 1") == true, "\(key): \(value): \(String(describing: error))")
            }
        }
        let config = try? BrigadeConfig.parse("model: {model: m, requests_per_minute: 500, max_concurrent_requests: 8, tool_choice: required}\n", file: "/p/c.yaml", environment: [:])
        #expect(config?.model?.rateLimits == RateLimits(requestsPerMinute: 500, maxConcurrentRequests: 8))
        #expect(config?.model?.toolChoice == .required)
    }
}
