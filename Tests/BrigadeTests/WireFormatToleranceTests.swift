import Brigade
import BrigadeTesting
import CurlHTTP
import Logging
import Testing

/// `data: <payload>` and a blank line.
private func data(_ payload: String) -> String { "data: \(payload)\n\n" }

/// One Chat Completions chunk with choice 0's `delta`.
private func chunk(_ delta: String, finish: String? = nil) -> String {
    data(#"{"id":"chatcmpl-1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":\#(delta),"finish_reason":\#(finish.map { "\"\($0)\"" } ?? "null")}]}"#)
}

private let done = data("[DONE]")

/// One Messages API event.
private func event(_ type: String, _ payload: String) -> String { "event: \(type)\ndata: \(payload)\n\n" }

/// Servers that bend the wire format, each played back from a recorded byte stream through the
/// fake model server and the real clients.
@Suite("Wire-format tolerance (recorded streams)", .timeLimit(.minutes(1)))
struct WireFormatToleranceTests {
    static func openAI(_ server: FakeModelServer, retry: RetryPolicy = ProviderTestHTTP.fastRetries, log: ProviderCallLog? = nil) -> OpenAIChatClient {
        OpenAIChatClient(
            configuration: .init(baseURL: server.openAIBaseURL, apiKey: "k", model: "m", retryPolicy: retry),
            httpClient: ProviderTestHTTP.client, onRetry: log?.onRetry
        )
    }

    static func anthropic(_ server: FakeModelServer, retry: RetryPolicy = ProviderTestHTTP.fastRetries, log: ProviderCallLog? = nil) -> AnthropicClient {
        AnthropicClient(
            configuration: .init(baseURL: server.anthropicBaseURL, apiKey: "k", model: "m", retryPolicy: retry),
            httpClient: ProviderTestHTTP.client, onRetry: log?.onRetry
        )
    }

    static let request = ModelRequest(messages: [.user("go")], tools: [ToolSpec(name: "weather", description: "Weather")])

    @Test func deltasRepeatingIDTypeAndNameGiveOneCallEach() async throws {
        try await withFakeModelServer { server in
            func call(_ index: Int, _ id: String, _ arguments: String) -> String {
                chunk(#"{"tool_calls":[{"index":\#(index),"id":"\#(id)","type":"function","function":{"name":"weather","arguments":\#(arguments)}}]}"#)
            }
            server.enqueue(.recorded([
                chunk(#"{"role":"assistant","content":null}"#),
                call(0, "call_a", #""""#), call(0, "call_a", #""{\"city\":""#), call(0, "call_a", #""\"Paris\"}""#),
                call(1, "call_b", #""{\"city\":""#), call(1, "call_b", #""\"Oslo\"}""#),
                chunk("{}", finish: "tool_calls"), done,
            ]))
            let response = try await Self.openAI(server).complete(Self.request, deadline: nil) { _ in }
            #expect(response.toolCalls == [
                ToolCall(id: "call_a", name: "weather", rawArguments: #"{"city":"Paris"}"#),
                ToolCall(id: "call_b", name: "weather", rawArguments: #"{"city":"Oslo"}"#),
            ])
            #expect(response.finishReason == .toolCalls)
        }
    }

    @Test func repeatedIDAndNameWithoutIndexContinueTheSameCall() async throws {
        try await withFakeModelServer { server in
            func call(_ id: String, _ arguments: String) -> String {
                chunk(#"{"tool_calls":[{"id":"\#(id)","type":"function","function":{"name":"weather","arguments":\#(arguments)}}]}"#)
            }
            server.enqueue(.recorded([
                call("call_a", #""{\"city\":""#), call("call_a", #""\"Paris\"}""#), call("call_b", #""{}""#),
                chunk("{}", finish: "tool_calls"), done,
            ]))
            let response = try await Self.openAI(server).complete(Self.request, deadline: nil) { _ in }
            #expect(response.toolCalls.map(\.id) == ["call_a", "call_b"])
            #expect(response.toolCalls.map(\.rawArguments) == [#"{"city":"Paris"}"#, "{}"])
        }
    }

    @Test func legacyFunctionCallBesideToolCallsIsOneCallWithArgumentsOnce() async throws {
        try await withFakeModelServer { server in
            func both(_ name: String?, _ arguments: String) -> String {
                let nameField = name.map { #""name":"\#($0)","# } ?? ""
                return chunk(
                    #"{"tool_calls":[{"index":0,"id":"call_x","type":"function","function":{\#(nameField)"arguments":\#(arguments)}}],"function_call":{\#(nameField)"arguments":\#(arguments)}}"#
                )
            }
            server.enqueue(.recorded([
                chunk(#"{"role":"assistant","content":null}"#),
                both("weather", #""{\"city\":""#), both(nil, #""\"Rome\"}""#),
                chunk("{}", finish: "function_call"), done,
            ]))
            let response = try await Self.openAI(server).complete(Self.request, deadline: nil) { _ in }
            #expect(response.toolCalls == [ToolCall(id: "call_x", name: "weather", rawArguments: #"{"city":"Rome"}"#)])
            #expect(response.finishReason == .toolCalls)
        }
    }

    @Test func aCutChunkBeforeAnyTextIsRetriedWithinTheBudget() async throws {
        try await withFakeModelServer { server in
            server.enqueue(
                .recorded([chunk(#"{"role":"assistant","content":""}"#), "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"del\n\n", chunk(#"{"content":"never"}"#)]),
                .text("fine")
            )
            let log = ProviderCallLog()
            let response = try await Self.openAI(server, log: log).complete(Self.request, deadline: nil) { _ in }
            #expect(response.text == "fine")
            #expect(server.requestCount == 2)
            #expect(log.retryEvents.count == 1)
            #expect(log.retryEvents.first?.error.message.contains("malformed stream chunk") == true)
        }
    }

    @Test func aCutChunkAfterTextIsReportedNotRetried() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.recorded([chunk(#"{"content":"Hello"}"#), "data: {\"choices\":[{\"index\":0,\n\n"]), .text("unused"))
            let error = await expectProviderFailure(.malformedResponse) {
                try await Self.openAI(server).complete(Self.request, deadline: nil) { _ in }
            }
            #expect(error?.message.contains("not retried") == true)
            #expect(server.requestCount == 1)
        }
    }

    @Test func aGarbledAnthropicEventBeforeTextIsRetried() async throws {
        try await withFakeModelServer { server in
            server.enqueue(
                .recorded(["event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":5}}}\n\n", "event: content_block_start\ndata: {\"type\":\"content_blo\n\n"]),
                .text("fine")
            )
            let response = try await Self.anthropic(server).complete(Self.request, deadline: nil) { _ in }
            #expect(response.text == "fine")
            #expect(server.requestCount == 2)
        }
    }

    @Test("200 with an empty body is retried", arguments: ["text/event-stream", "application/json"])
    func emptyBody(contentType: String) async throws {
        try await withFakeModelServer { server in
            server.enqueue(.recorded([], contentType: contentType), .text("after empty"))
            let log = ProviderCallLog()
            let response = try await Self.openAI(server, log: log).complete(Self.request, deadline: nil) { _ in }
            #expect(response.text == "after empty")
            #expect(log.retryEvents.map(\.error.message) == ["127.0.0.1:\(server.port) (OpenAI-compatible API) answered with an empty body"])
        }
    }

    static let gatewayPage = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>\n"

    @Test("200 with an HTML page is retried, and named when retries run out", arguments: ["text/html; charset=utf-8", "application/json"])
    func htmlBody(contentType: String) async throws {
        try await withFakeModelServer { server in
            server.enqueue(.recorded([Self.gatewayPage], contentType: contentType), .text("after html"))
            let response = try await Self.anthropic(server).complete(Self.request, deadline: nil) { _ in }
            #expect(response.text == "after html")
            server.enqueue(.recorded([Self.gatewayPage], contentType: contentType))
            let error = await expectProviderFailure(.malformedResponse) {
                try await Self.anthropic(server, retry: .none).complete(Self.request, deadline: nil) { _ in }
            }
            #expect(error?.message.contains(#"answered with an HTML page instead of a model response: "502 Bad Gateway""#) == true, "\(String(describing: error))")
        }
    }

    @Test func aServerErrorObjectInTheStreamIsRetriedAndARejectionIsNot() async throws {
        try await withFakeModelServer { server in
            server.enqueue(
                .recorded([chunk(#"{"role":"assistant","content":""}"#), data(#"{"error":{"message":"upstream overloaded","type":"server_error","code":null}}"#)]),
                .text("recovered"),
                .recorded([data(#"{"error":{"message":"context too long","type":"invalid_request_error","code":"context_length_exceeded"}}"#)])
            )
            let first = try await Self.openAI(server).complete(Self.request, deadline: nil) { _ in }
            #expect(first.text == "recovered")
            let error = await expectProviderFailure(.rejected) {
                try await Self.openAI(server).complete(Self.request, deadline: nil) { _ in }
            }
            #expect(error?.message.contains("context too long") == true)
            #expect(server.requestCount == 3)
        }
    }

    @Test func ollamaStyleErrorStringInTheStreamFailsTheCall() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.recorded([data(#"{"error":"model 'm' not found"}"#)]))
            let error = await expectProviderFailure(.serverError) {
                try await Self.openAI(server, retry: .none).complete(Self.request, deadline: nil) { _ in }
            }
            #expect(error?.message.contains("model 'm' not found") == true)
        }
    }

    @Test func overlappingAnthropicBlocksAndAToolUseWithoutInput() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.recorded([
                event("message_start", #"{"type":"message_start","message":{"id":"msg_1","role":"assistant","content":[],"usage":{"input_tokens":12,"output_tokens":1}}}"#),
                event("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
                event("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"weather"}}"#),
                event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking"}}"#),
                event("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}"#),
                event("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
                event("content_block_start", #"{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_2","name":"weather"}}"#),
                event("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"Lima\"}"}}"#),
                event("content_block_stop", #"{"type":"content_block_stop","index":2}"#),
                event("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
                event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":30}}"#),
                event("message_stop", #"{"type":"message_stop"}"#),
            ]))
            let response = try await Self.anthropic(server).complete(Self.request, deadline: nil) { _ in }
            #expect(response.text == "Checking")
            #expect(response.toolCalls == [
                ToolCall(id: "toolu_1", name: "weather", rawArguments: #"{"city":"Lima"}"#),
                ToolCall(id: "toolu_2", name: "weather", rawArguments: "{}"),
            ])
            #expect(response.usage == TokenUsage(inputTokens: 12, outputTokens: 30))
        }
    }

    @Test func missingUsageIsEstimatedAndMarkedSoInTheBudget() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.recorded([chunk(#"{"role":"assistant","content":""}"#), chunk(#"{"content":"An answer of some length."}"#), chunk("{}", finish: "stop"), done]))
            let agent = Agent(registry: try ToolRegistry([]), configuration: Agent.Configuration(model: Self.openAI(server)), logger: Logger(label: "test"))
            let recorder = EventRecorder()
            let result = await agent.run("go") { recorder.record($0) }
            #expect(result.stopReason == .finished)
            #expect(result.usage.isEstimated)
            #expect(result.usage.outputTokens == ("An answer of some length.".utf8.count + 3) / 4)
            #expect(result.usage.inputTokens > 0)
            let snapshot = try #require(recorder.events.compactMap { event -> BudgetSnapshot? in
                if case .budgetUpdate(let snapshot) = event { snapshot } else { nil }
            }.last)
            #expect(snapshot.json["spent"]?["estimated"] == true)
            #expect(result.usage.json["estimated"] == true)
        }
    }
}
