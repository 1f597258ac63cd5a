import Brigade
import BrigadeSync
import BrigadeTesting
import CurlHTTP
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Collects what a client reports while it runs.
final class ProviderCallLog: Sendable {
    private let deltas = LockedState<[String]>([])
    private let retries = LockedState<[ModelRetryEvent]>([])

    var textDeltas: [String] { deltas.value }
    var retryEvents: [ModelRetryEvent] { retries.value }

    var onTextDelta: @Sendable (String) -> Void { { [deltas] delta in deltas.withLock { $0.append(delta) } } }
    var onRetry: @Sendable (ModelRetryEvent) -> Void { { [retries] event in retries.withLock { $0.append(event) } } }
}

/// Runs `body` and checks it fails with a ``ModelError`` of `code`; returns that error.
func expectProviderFailure(_ code: ModelError.Code, _ body: () async throws -> ModelResponse, sourceLocation: Testing.SourceLocation = #_sourceLocation) async -> ModelError? {
    do {
        let response = try await body()
        Issue.record("expected \(code), got \(response)", sourceLocation: sourceLocation)
        return nil
    } catch let error as ModelError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a ModelError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

enum ProviderTestHTTP {
    /// One HTTP client for all model-client tests.
    static let client = HTTPClient()
    /// Fast retries for tests: waits of a few milliseconds, unless the server asks otherwise.
    static let fastRetries = RetryPolicy(maxRetries: 3, initialBackoff: .milliseconds(2), maxBackoff: .milliseconds(10))
}

@Suite("OpenAI client against the fake server", .timeLimit(.minutes(1)))
struct OpenAIChatClientTests {
    static let tools = [
        ToolSpec(name: "weather", description: "Weather", parameters: ["type": "object", "properties": ["city": ["type": "string"]]]),
        ToolSpec(name: "search", description: "Search"),
    ]

    func client(_ server: FakeModelServer, streaming: Bool = true, retry: RetryPolicy = ProviderTestHTTP.fastRetries, idle: Duration = .seconds(30), log: ProviderCallLog? = nil) -> OpenAIChatClient {
        OpenAIChatClient(
            configuration: .init(baseURL: server.openAIBaseURL, apiKey: "sk-test-secret", model: "gpt-test", streaming: streaming, retryPolicy: retry, idleTimeout: idle),
            httpClient: ProviderTestHTTP.client,
            onRetry: log?.onRetry
        )
    }

    func expectFailure(_ code: ModelError.Code, _ body: () async throws -> ModelResponse) async -> ModelError? {
        await expectProviderFailure(code, body)
    }

    @Test(arguments: [true, false])
    func streamsTextDeltasInOrder(streaming: Bool) async throws {
        try await withFakeModelServer { server in
            server.enqueue(FakeTurn(text: "The quick brown fox jumps.", usage: TokenUsage(inputTokens: 11, outputTokens: 6)))
            let log = ProviderCallLog()
            let response = try await client(server, streaming: streaming).complete(ModelRequest(messages: [.user("Go")]), deadline: nil, onTextDelta: log.onTextDelta)
            #expect(response.text == "The quick brown fox jumps.")
            #expect(response.finishReason == .stop)
            #expect(response.usage == TokenUsage(inputTokens: 11, outputTokens: 6))
            #expect(log.textDeltas.joined() == response.text)
            #expect(log.textDeltas.count == (streaming ? 7 : 1))
            let request = try #require(server.requests.first)
            #expect(request.path == "/v1/chat/completions")
            #expect(request.headers["authorization"] == "Bearer sk-test-secret")
            #expect(request.isStreaming == streaming)
            #expect(request.lastUserText == "Go")
        }
    }

    @Test(arguments: [true, false])
    func assemblesInterleavedToolCallsAndSendsResultsBackInOrder(streaming: Bool) async throws {
        try await withFakeModelServer { server in
            let calls = [
                FakeToolCall(name: "weather", arguments: #"{"city": "Zürich, \"CH\""}"#),
                FakeToolCall(name: "search", arguments: #"{"q": "swift ☃ concurrency", "limit": 10}"#),
                FakeToolCall(name: "weather", arguments: #"{"city": "Oslo"}"#),
            ]
            server.enqueue(FakeTurn(text: "Looking.", toolCalls: calls, argumentFragmentSize: 2), .text("Done."))
            let client = client(server, streaming: streaming)
            let first = try await client.complete(ModelRequest(messages: [.user("Go")], tools: Self.tools), deadline: nil) { _ in }
            #expect(first.text == "Looking.")
            #expect(first.finishReason == .toolCalls)
            #expect(first.toolCalls.map(\.name) == ["weather", "search", "weather"])
            #expect(first.toolCalls.map(\.rawArguments) == calls.map(\.arguments))
            #expect(first.toolCalls.map(\.id) == ["call_fake_1_0", "call_fake_1_1", "call_fake_1_2"])

            let results = first.toolCalls.enumerated().map { ToolResultMessage(callID: $1.id, toolName: $1.name, content: "result \($0)", isError: $0 == 1) }
            let second = try await client.complete(
                ModelRequest(messages: [.user("Go"), .assistant(text: first.text, toolCalls: first.toolCalls), .toolResults(results)], tools: Self.tools),
                deadline: nil
            ) { _ in }
            #expect(second.text == "Done.")
            let sent = server.requests
            #expect(sent.count == 2)
            #expect(sent[0].toolNames == ["weather", "search"])
            #expect(sent[0].toolChoice == "auto")
            #expect(sent[0].body?["parallel_tool_calls"] == true)
            #expect(sent[1].trailingToolResults.map(\.callID) == first.toolCalls.map(\.id))
            #expect(sent[1].trailingToolResults.map(\.content) == ["result 0", "result 1", "result 2"])
        }
    }

    @Test func toleratesCompatibleServerQuirks() async throws {
        try await withFakeModelServer { server in
            let quirks = FakeQuirks(omitUsage: true, omitToolCallIDs: true, omitToolCallIndex: true, omitDone: true, nullContentAndEmptyChoices: true, extraFields: true, stopInsteadOfToolCalls: true)
            server.enqueue(FakeTurn(text: "ok", toolCalls: [FakeToolCall(name: "weather", arguments: #"{"city":"Rome"}"#), FakeToolCall(name: "search", arguments: "{}")], quirks: quirks))
            let response = try await client(server).complete(ModelRequest(messages: [.user("x")], tools: Self.tools), deadline: nil) { _ in }
            #expect(response.text == "ok")
            #expect(response.usage == nil)
            #expect(response.finishReason == .toolCalls)
            #expect(response.toolCalls == [
                ToolCall(id: "call_0", name: "weather", rawArguments: #"{"city":"Rome"}"#),
                ToolCall(id: "call_1", name: "search", rawArguments: "{}"),
            ])
        }
    }

    @Test func toolsDisabledAreOmitted() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.text("summary"))
            _ = try await client(server).complete(ModelRequest(messages: [.user("x")], tools: Self.tools, toolsEnabled: false), deadline: nil) { _ in }
            let request = try #require(server.requests.first)
            #expect(request.toolNames.isEmpty)
            #expect(!request.offersTools)
            #expect(request.body?["parallel_tool_calls"] == nil)
        }
    }

    @Test func retriesA429HonouringRetryAfterMilliseconds() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.fault(.rateLimited(retryAfter: "30", retryAfterMilliseconds: 40)), .fault(.rateLimited(retryAfterMilliseconds: 5)), .text("finally"))
            let log = ProviderCallLog()
            let response = try await client(server, log: log).complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            #expect(response.text == "finally")
            #expect(server.requestCount == 3)
            #expect(log.retryEvents.map(\.failedAttempt) == [1, 2])
            #expect(log.retryEvents.map(\.delay) == [RetryDelay(duration: .milliseconds(40), source: .server), RetryDelay(duration: .milliseconds(5), source: .server)])
            #expect(log.retryEvents.allSatisfy { $0.error.code == .rateLimited && $0.error.status == 429 })
        }
    }

    @Test func retriesA429HonouringRetryAfterSeconds() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.fault(.rateLimited(retryAfter: "1")), .text("ok"))
            let log = ProviderCallLog()
            let response = try await client(server, log: log).complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            #expect(response.text == "ok")
            #expect(log.retryEvents.map(\.delay) == [RetryDelay(duration: .seconds(1), source: .server)])
        }
    }

    @Test func aRetryAfterBeyondTheDeadlineFailsAtOnceWithTheLastError() async throws {
        try await withFakeModelServer { server in
            // The longest Retry-After honoured (60 s) against a deadline a little shorter: the request is
            // sent well before the deadline however slow the machine, and the wait could never fit.
            server.enqueue(.fault(.rateLimited(retryAfter: "59")), .text("never"))
            let error = await expectFailure(.rateLimited) {
                try await client(server).complete(ModelRequest(messages: [.user("x")]), deadline: .now + .seconds(55)) { _ in }
            }
            #expect(error?.message.contains("would pass the deadline") == true)
            #expect(server.requestCount == 1)
        }
    }

    @Test func serverErrorsExhaustTheRetries() async throws {
        try await withFakeModelServer { server in
            server.enqueue(contentsOf: Array(repeating: .fault(.serverError), count: 4) + [.text("too late")])
            let log = ProviderCallLog()
            let error = await expectFailure(.serverError) {
                try await client(server, log: log).complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            }
            #expect(error?.status == 500)
            #expect(error?.message.contains("The server had an error") == true)
            #expect(server.requestCount == 4)
            #expect(log.retryEvents.count == 3)
            #expect(log.retryEvents.allSatisfy { $0.delay.source == .backoff && $0.delay.duration <= .milliseconds(10) })
        }
    }

    @Test func otherClientErrorsAreRejectedWithTheServersMessageAndNoKey() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.fault(.status(401, message: "Incorrect API key provided: sk-test-secret.")))
            let error = await expectFailure(.rejected) {
                try await client(server).complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            }
            #expect(error?.status == 401)
            #expect(error?.message == "127.0.0.1:\(server.port) (OpenAI-compatible API) rejected the request: Incorrect API key provided: [redacted].")
            #expect(error.map { !$0.description.contains("sk-test-secret") } == true)
            #expect(server.requestCount == 1)
        }
    }

    @Test func aStreamCutAfterTextIsMalformedAndNotRetried() async throws {
        try await withFakeModelServer { server in
            server.enqueue(FakeTurn(text: "Partial answer here", fault: .cutStream(afterEvents: 3)), .text("unused"))
            let log = ProviderCallLog()
            let error = await expectFailure(.malformedResponse) {
                try await client(server, log: log).complete(ModelRequest(messages: [.user("x")]), deadline: nil, onTextDelta: log.onTextDelta)
            }
            #expect(error?.message.contains("not retried") == true)
            #expect(log.textDeltas == ["Part", "ial "])
            #expect(server.requestCount == 1)
        }
    }

    @Test func aStreamCutBeforeAnyTextIsRetried() async throws {
        try await withFakeModelServer { server in
            server.enqueue(FakeTurn(text: "first", fault: .cutStream(afterEvents: 1)), .text("second"))
            let response = try await client(server).complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            #expect(response.text == "second")
            #expect(server.requestCount == 2)
        }
    }

    @Test func aMalformedChunkBeforeAnyTextIsRetried() async throws {
        try await withFakeModelServer { server in
            server.enqueue(FakeTurn(text: "abc", fault: .malformedChunk(afterEvents: 1)), .text("second"))
            let log = ProviderCallLog()
            let response = try await client(server, log: log).complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            #expect(response.text == "second")
            #expect(log.retryEvents.first?.error.message.contains("malformed stream chunk") == true)
            #expect(server.requestCount == 2)
        }
    }

    @Test func aMalformedChunkAfterTextFailsAndIsNotRetried() async throws {
        try await withFakeModelServer { server in
            server.enqueue(FakeTurn(text: "abc", fault: .malformedChunk(afterEvents: 2)), .text("unused"))
            let error = await expectFailure(.malformedResponse) {
                try await client(server).complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            }
            #expect(error?.message.contains("malformed stream chunk") == true)
            #expect(error?.message.contains("not retried") == true)
            #expect(server.requestCount == 1)
        }
    }

    @Test func stopsReadingAtDoneEvenIfTheServerKeepsTheConnectionOpen() async throws {
        try await withFakeModelServer { server in
            server.enqueue(FakeTurn(text: "complete", fault: .stall(afterEvents: 1000)))
            let response = try await client(server, retry: .none).complete(ModelRequest(messages: [.user("x")]), deadline: .now + .seconds(20)) { _ in }
            #expect(response.text == "complete")
        }
    }

    @Test func anErrorObjectInTheStreamBeforeTextIsRetried() async throws {
        try await withFakeModelServer { server in
            server.enqueue(FakeTurn(text: "x", fault: .errorEvent(afterEvents: 1, type: "server_error", message: "overloaded, try again")), .text("recovered"))
            let log = ProviderCallLog()
            let response = try await client(server, log: log).complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            #expect(response.text == "recovered")
            #expect(log.retryEvents.first?.error.message.contains("overloaded, try again") == true)
        }
    }

    @Test func aHangEndsAtTheDeadline() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.fault(.hang))
            let error = await expectFailure(.deadlineExceeded) {
                try await client(server).complete(ModelRequest(messages: [.user("x")]), deadline: .now + .milliseconds(300)) { _ in }
            }
            #expect(error?.message.contains("deadline") == true)
        }
    }

    @Test func aStallMidStreamHitsTheIdleTimeout() async throws {
        try await withFakeModelServer { server in
            server.enqueue(FakeTurn(text: "abcdefgh", fault: .stall(afterEvents: 2)))
            let error = await expectFailure(.unreachable) {
                try await client(server, retry: .none, idle: .milliseconds(300)).complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            }
            #expect(error?.message.contains("idle timeout") == true)
        }
    }

    @Test func cancellationEndsTheCall() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.fault(.hang))
            let client = client(server)
            let outcome = await withTaskGroup(of: ModelError?.self) { group in
                group.addTask {
                    do throws(ModelError) {
                        _ = try await client.complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
                        return nil
                    } catch {
                        return error
                    }
                }
                await server.waitForRequests(count: 1)
                group.cancelAll()
                return await group.next() ?? nil
            }
            #expect(outcome?.code == .cancelled)
        }
    }

    @Test func anUnreachableServerFailsAfterRetries() async throws {
        let refused = try RefusedPort()
        let log = ProviderCallLog()
        let client = OpenAIChatClient(
            configuration: .init(baseURL: refused.url + "/v1", apiKey: "k", model: "m", retryPolicy: RetryPolicy(maxRetries: 1, initialBackoff: .milliseconds(1))),
            httpClient: ProviderTestHTTP.client, onRetry: log.onRetry
        )
        let error = await expectFailure(.unreachable) {
            try await client.complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
        }
        #expect(error != nil)
        #expect(log.retryEvents.count == 1)
    }
}
