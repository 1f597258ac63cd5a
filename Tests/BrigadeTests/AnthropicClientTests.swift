import Brigade
import BrigadeTesting
import CurlHTTP
import Testing

@Suite("Anthropic client against the fake server", .timeLimit(.minutes(1)))
struct AnthropicClientTests {
    static let tools = [
        ToolSpec(name: "weather", description: "Weather", parameters: ["type": "object", "properties": ["city": ["type": "string"]]]),
        ToolSpec(name: "clock", description: "Clock"),
    ]

    func client(_ server: FakeModelServer, streaming: Bool = true, retry: RetryPolicy = ProviderTestHTTP.fastRetries, log: ProviderCallLog? = nil) -> AnthropicClient {
        AnthropicClient(
            configuration: .init(baseURL: server.anthropicBaseURL, apiKey: "sk-ant-secret", model: "claude-test", streaming: streaming, retryPolicy: retry),
            httpClient: ProviderTestHTTP.client,
            onRetry: log?.onRetry
        )
    }

    @Test(arguments: [true, false])
    func streamsTextWithCacheUsage(streaming: Bool) async throws {
        try await withFakeModelServer { server in
            let usage = TokenUsage(inputTokens: 1200, outputTokens: 9, cachedInputTokens: 1000, cacheCreationInputTokens: 150)
            server.enqueue(FakeTurn(text: "Bonjour tout le monde", usage: usage))
            let log = ProviderCallLog()
            let response = try await client(server, streaming: streaming).complete(
                ModelRequest(messages: [.system("Be nice."), .user("Hi")]), deadline: nil, onTextDelta: log.onTextDelta
            )
            #expect(response.text == "Bonjour tout le monde")
            #expect(response.finishReason == .stop)
            #expect(response.usage == usage)
            #expect(log.textDeltas.joined() == response.text)
            #expect(log.textDeltas.count == (streaming ? 6 : 1))
            let request = try #require(server.requests.first)
            #expect(request.path == "/v1/messages")
            #expect(request.headers["x-api-key"] == "sk-ant-secret")
            #expect(request.headers["anthropic-version"] == "2023-06-01")
            #expect(request.headers["content-type"] == "application/json")
            #expect(request.body?["system"] == "Be nice.")
            #expect(request.body?["max_tokens"] == 4096)
        }
    }

    @Test(arguments: [true, false])
    func toolUseRoundTripWithAllResultsInOneUserMessage(streaming: Bool) async throws {
        try await withFakeModelServer { server in
            let calls = [
                FakeToolCall(name: "weather", arguments: #"{"city":"Zürich \"CH\""}"#),
                FakeToolCall(name: "clock", arguments: "{}"),
                FakeToolCall(name: "weather", arguments: #"{"city":"Oslo","days":[1,2,3]}"#),
            ]
            server.enqueue(FakeTurn(text: "Checking.", toolCalls: calls, argumentFragmentSize: 2), .text("All done."))
            let client = client(server, streaming: streaming)
            let first = try await client.complete(ModelRequest(messages: [.user("Go")], tools: Self.tools), deadline: nil) { _ in }
            #expect(first.text == "Checking.")
            #expect(first.finishReason == .toolCalls)
            #expect(first.toolCalls.map(\.id) == ["toolu_fake_1_0", "toolu_fake_1_1", "toolu_fake_1_2"])
            #expect(try first.toolCalls.map { try $0.parsedArguments() } == calls.map { try JSONValue(parsing: $0.arguments) })

            let results = first.toolCalls.enumerated().map { ToolResultMessage(callID: $1.id, toolName: $1.name, content: "out \($0)", isError: $0 == 1) }
            let second = try await client.complete(
                ModelRequest(messages: [.user("Go"), .assistant(text: first.text, toolCalls: first.toolCalls), .toolResults(results)], tools: Self.tools),
                deadline: nil
            ) { _ in }
            #expect(second.text == "All done.")
            let sent = server.requests
            #expect(sent[0].toolNames == ["weather", "clock"])
            #expect(sent[0].offersTools)
            let messages = sent[1].messages
            #expect(messages.map { $0["role"]?.stringValue } == ["user", "assistant", "user"])
            #expect(messages[1]["content"]?.arrayValue?.compactMap { $0["type"]?.stringValue } == ["text", "tool_use", "tool_use", "tool_use"])
            #expect(sent[1].trailingToolResults.map(\.callID) == first.toolCalls.map(\.id))
            #expect(sent[1].trailingToolResults.map(\.isError) == [false, true, false])
            #expect(sent[1].trailingToolResults.map(\.content) == ["out 0", "out 1", "out 2"])
        }
    }

    @Test func toolsDisabledSendToolChoiceNone() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.text("summary"))
            _ = try await client(server).complete(ModelRequest(messages: [.user("x")], tools: Self.tools, toolsEnabled: false), deadline: nil) { _ in }
            let request = try #require(server.requests.first)
            #expect(request.toolChoice == ["type": "none"])
            #expect(!request.offersTools)
        }
    }

    @Test func retriesOverloaded529AndA429WithRetryAfterMilliseconds() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.fault(.overloaded), .fault(.rateLimited(retryAfterMilliseconds: 15)), .text("ok"))
            let log = ProviderCallLog()
            let response = try await client(server, log: log).complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            #expect(response.text == "ok")
            #expect(server.requestCount == 3)
            #expect(log.retryEvents.map { $0.error.status } == [529, 429])
            #expect(log.retryEvents.map { $0.error.code } == [.serverError, .rateLimited])
            #expect(log.retryEvents[0].delay.source == .backoff)
            #expect(log.retryEvents[1].delay == RetryDelay(duration: .milliseconds(15), source: .server))
            #expect(log.retryEvents[0].error.message.contains("127.0.0.1:\(server.port) (Anthropic-compatible API) is overloaded: Overloaded"))
        }
    }

    @Test func anOverloadedErrorEventBeforeTextIsRetriedAndAfterTextIsNot() async throws {
        try await withFakeModelServer { server in
            server.enqueue(FakeTurn(text: "abc", fault: .errorEvent(afterEvents: 1, type: "overloaded_error", message: "Overloaded")), .text("second try"))
            let response = try await client(server).complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            #expect(response.text == "second try")

            server.enqueue(FakeTurn(text: "abcdefgh", fault: .errorEvent(afterEvents: 4, type: "overloaded_error", message: "Overloaded")), .text("unused"))
            let error = await expectProviderFailure(.serverError) {
                try await client(server).complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            }
            #expect(error?.status == 529)
            #expect(error?.message.contains("not retried") == true)
            #expect(server.requestCount == 3)
        }
    }

    @Test func badRequestsAreRejectedWithTheServersMessage() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.fault(.status(400, message: "messages.1: tool_use ids were found without tool_result blocks")))
            let error = await expectProviderFailure(.rejected) {
                try await client(server).complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            }
            #expect(error?.status == 400)
            #expect(error?.message == "127.0.0.1:\(server.port) (Anthropic-compatible API) rejected the request: messages.1: tool_use ids were found without tool_result blocks")
        }
    }

    @Test func aCutStreamIsMalformed() async throws {
        try await withFakeModelServer { server in
            server.enqueue(FakeTurn(text: "abcdefghijkl", fault: .cutStream(afterEvents: 5)))
            let error = await expectProviderFailure(.malformedResponse) {
                try await client(server).complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            }
            #expect(error?.message.contains("cut off") == true)
            #expect(server.requestCount == 1)
        }
    }

    @Test func stopsReadingAtMessageStopEvenIfTheServerKeepsTheConnectionOpen() async throws {
        try await withFakeModelServer { server in
            server.enqueue(FakeTurn(text: "complete", fault: .stall(afterEvents: 1000)))
            let response = try await client(server, retry: .none).complete(ModelRequest(messages: [.user("x")]), deadline: .now + .seconds(20)) { _ in }
            #expect(response.text == "complete")
        }
    }

    @Test func aHangEndsAtTheDeadline() async throws {
        try await withFakeModelServer { server in
            server.enqueue(FakeTurn(text: "slow", fault: .stall(afterEvents: 1)))
            _ = await expectProviderFailure(.deadlineExceeded) {
                try await client(server).complete(ModelRequest(messages: [.user("x")]), deadline: .now + .milliseconds(300)) { _ in }
            }
        }
    }
}
