import Testing
import Brigade
@testable import BrigadeCore
@testable import BrigadeProviders

/// Golden request bodies for both APIs: the exact JSON text, key order included.
@Suite("Request encoding (golden JSON)", .timeLimit(.minutes(1)))
struct ProviderRequestEncodingTests {
    static let weather = ToolSpec(
        name: "weather", description: "Current weather",
        parameters: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]]
    )
    static let clock = ToolSpec(name: "clock", description: "The time")

    static let conversation: [ChatMessage] = [
        .system("Be brief."),
        .user("Weather in Paris and the time?"),
        .assistant(text: "", toolCalls: [
            ToolCall(id: "call_1", name: "weather", rawArguments: #"{"city":"Paris"}"#),
            ToolCall(id: "call_2", name: "clock", rawArguments: ""),
        ]),
        .toolResults([
            ToolResultMessage(callID: "call_1", toolName: "weather", content: "18°C", isError: false),
            ToolResultMessage(callID: "call_2", toolName: "clock", content: "clock: timed out", isError: true),
        ]),
    ]

    /// `text` re-serialised compactly, keeping its key order.
    func golden(_ text: String) throws -> String { try JSONValue(parsing: text).jsonString }

    @Test func openAIWithToolsAndToolResults() throws {
        let client = OpenAIChatClient(configuration: .init(baseURL: "https://api.openai.com/v1", apiKey: "k", model: "gpt-4o-mini"))
        let request = ModelRequest(messages: Self.conversation, tools: [Self.weather, Self.clock], maxOutputTokens: 1000, temperature: 0.2)
        #expect(client.requestBody(for: request).jsonString == (try golden("""
        {
          "model": "gpt-4o-mini",
          "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Weather in Paris and the time?"},
            {"role": "assistant", "content": null, "tool_calls": [
              {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": "{\\"city\\":\\"Paris\\"}"}},
              {"id": "call_2", "type": "function", "function": {"name": "clock", "arguments": "{}"}}
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": "18°C"},
            {"role": "tool", "tool_call_id": "call_2", "content": "clock: timed out"}
          ],
          "tools": [
            {"type": "function", "function": {"name": "weather", "description": "Current weather",
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}},
            {"type": "function", "function": {"name": "clock", "description": "The time",
              "parameters": {"type": "object", "properties": {}}}}
          ],
          "tool_choice": "auto",
          "parallel_tool_calls": true,
          "max_completion_tokens": 1000,
          "temperature": 0.2,
          "stream": true,
          "stream_options": {"include_usage": true}
        }
        """)))
    }

    @Test func openAIToolsDisabledAndCompatibleServerSettings() throws {
        let request = ModelRequest(messages: [.user("hi"), .assistant(text: "hello", toolCalls: [])], tools: [Self.clock], toolsEnabled: false, maxOutputTokens: 50)
        let local = OpenAIChatClient(configuration: .init(baseURL: "http://127.0.0.1:8000/v1/", apiKey: nil, model: "llama", streaming: false))
        #expect(local.requestBody(for: request).jsonString == (try golden("""
        {"model": "llama", "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
         "max_tokens": 50, "stream": false}
        """)))
        #expect(local.configuration.endpoint == "http://127.0.0.1:8000/v1/chat/completions")

        let choiceNone = OpenAIChatClient(configuration: .init(apiKey: "k", model: "m", maxTokensParameter: .maxTokens, disabledTools: .toolChoiceNone, includeStreamUsage: false))
        #expect(choiceNone.requestBody(for: request).jsonString == (try golden("""
        {"model": "m", "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
         "tools": [{"type": "function", "function": {"name": "clock", "description": "The time", "parameters": {"type": "object", "properties": {}}}}],
         "tool_choice": "none", "max_tokens": 50, "stream": true}
        """)))

        let noParallel = OpenAIChatClient(configuration: .init(apiKey: "k", model: "m", maxTokensParameter: .maxCompletionTokens, parallelToolCalls: nil))
        let body = noParallel.requestBody(for: ModelRequest(messages: [.user("x")], tools: [Self.clock]))
        #expect(body["parallel_tool_calls"] == nil)
        #expect(body["max_completion_tokens"] == 4096)
        #expect(body["tool_choice"] == "auto")
        // No tools at all: no tool fields, whatever toolsEnabled says.
        #expect(noParallel.requestBody(for: ModelRequest(messages: [.user("x")]))["tools"] == nil)
        #expect(noParallel.requestBody(for: ModelRequest(messages: [.user("x")]))["tool_choice"] == nil)
    }

    @Test func openAIHeaders() {
        let client = OpenAIChatClient(configuration: .init(baseURL: "http://h/v1", apiKey: "sk-1", model: "m", extraHeaders: ["HTTP-Referer": "https://brigade"]))
        let request = client.httpRequest(for: ModelRequest(messages: [.user("x")]))
        #expect(request.method == "POST")
        #expect(request.url == "http://h/v1/chat/completions")
        #expect(request.headers["authorization"] == "Bearer sk-1")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["accept"] == "text/event-stream")
        #expect(request.headers["http-referer"] == "https://brigade")
        let keyless = OpenAIChatClient(configuration: .init(baseURL: "http://h/v1", apiKey: "", model: "m"))
        #expect(keyless.httpRequest(for: ModelRequest(messages: [.user("x")])).headers["authorization"] == nil)
    }

    @Test func anthropicWithToolsAndToolResults() throws {
        let client = AnthropicClient(configuration: .init(apiKey: "k", model: "claude-sonnet-4-5"))
        let request = ModelRequest(messages: Self.conversation + [.user("Thanks!")], tools: [Self.weather, Self.clock], maxOutputTokens: 1000, temperature: 0.5)
        #expect(client.requestBody(for: request).jsonString == (try golden("""
        {
          "model": "claude-sonnet-4-5",
          "max_tokens": 1000,
          "system": "Be brief.",
          "messages": [
            {"role": "user", "content": [{"type": "text", "text": "Weather in Paris and the time?"}]},
            {"role": "assistant", "content": [
              {"type": "tool_use", "id": "call_1", "name": "weather", "input": {"city": "Paris"}},
              {"type": "tool_use", "id": "call_2", "name": "clock", "input": {}}
            ]},
            {"role": "user", "content": [
              {"type": "tool_result", "tool_use_id": "call_1", "content": "18°C"},
              {"type": "tool_result", "tool_use_id": "call_2", "content": "clock: timed out", "is_error": true},
              {"type": "text", "text": "Thanks!"}
            ]}
          ],
          "tools": [
            {"name": "weather", "description": "Current weather",
             "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
            {"name": "clock", "description": "The time", "input_schema": {"type": "object", "properties": {}}}
          ],
          "temperature": 0.5,
          "stream": true
        }
        """)))
    }

    @Test func anthropicToolsDisabledKeepsToolsWithToolChoiceNone() throws {
        let client = AnthropicClient(configuration: .init(apiKey: "k", model: "c", streaming: false))
        let request = ModelRequest(messages: Self.conversation, tools: [Self.clock], toolsEnabled: false, maxOutputTokens: 10)
        let body = client.requestBody(for: request)
        #expect(body["tool_choice"] == ["type": "none"])
        #expect(body["tools"]?.arrayValue?.count == 1)
        #expect(body["stream"] == false)
    }

    @Test func anthropicWithoutToolsRendersToolHistoryAsText() throws {
        let client = AnthropicClient(configuration: .init(apiKey: "k", model: "c"))
        let request = ModelRequest(messages: Self.conversation, tools: [], toolsEnabled: false, maxOutputTokens: 10)
        #expect(client.requestBody(for: request).jsonString == (try golden("""
        {"model": "c", "max_tokens": 10, "system": "Be brief.", "messages": [
          {"role": "user", "content": [{"type": "text", "text": "Weather in Paris and the time?"}]},
          {"role": "assistant", "content": [
            {"type": "text", "text": "[tool call weather (call_1): {\\"city\\":\\"Paris\\"}]"},
            {"type": "text", "text": "[tool call clock (call_2): ]"}
          ]},
          {"role": "user", "content": [
            {"type": "text", "text": "[tool result of weather (call_1)]: 18°C"},
            {"type": "text", "text": "[tool result of clock (call_2), an error]: clock: timed out"}
          ]}
        ], "stream": true}
        """)))
    }

    @Test func anthropicDropsEmptyTextAndMalformedArgumentsBecomeAnEmptyObject() {
        let client = AnthropicClient(configuration: .init(apiKey: "k", model: "c"))
        let request = ModelRequest(messages: [
            .system(""), .user(""), .user("go"),
            .assistant(text: "", toolCalls: [ToolCall(id: "t1", name: "x", rawArguments: "{not json")]),
            .toolResults([ToolResultMessage(callID: "t1", toolName: "x", content: "bad arguments", isError: true)]),
            .assistant(text: "", toolCalls: []),
        ], tools: [Self.clock])
        let body = client.requestBody(for: request)
        #expect(body["system"] == nil)
        let messages = body["messages"]?.arrayValue ?? []
        #expect(messages.count == 3)
        #expect(messages.first?["content"] == [["type": "text", "text": "go"]])
        #expect(messages[1]["content"]?.arrayValue?.first?["input"] == .object([:]))
    }

    @Test func anthropicHeadersAndEndpoint() {
        let client = AnthropicClient(configuration: .init(baseURL: "https://proxy.example/v1/", apiKey: "sk-ant", model: "c", extraHeaders: ["anthropic-beta": "x"]))
        let request = client.httpRequest(for: ModelRequest(messages: [.user("x")]))
        #expect(request.url == "https://proxy.example/v1/messages")
        #expect(AnthropicClient.Configuration(apiKey: nil, model: "c").endpoint == "https://api.anthropic.com/v1/messages")
        #expect(request.headers["x-api-key"] == "sk-ant")
        #expect(request.headers["anthropic-version"] == "2023-06-01")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["anthropic-beta"] == "x")
        #expect(request.headers["authorization"] == nil)
    }
}
