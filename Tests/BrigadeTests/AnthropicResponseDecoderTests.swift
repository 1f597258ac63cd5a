import Testing
import Brigade
@testable import BrigadeCore
@testable import BrigadeProviders

@Suite("Anthropic non-streamed responses", .timeLimit(.minutes(1)))
struct AnthropicResponseDecoderTests {
    func decode(_ json: JSONValue) throws(ModelError) -> ModelResponse {
        try AnthropicResponseDecoder.response(from: Array(json.jsonString.utf8))
    }

    @Test func decodesTextToolUseAndUsage() throws {
        let response = try decode([
            "id": "msg_1", "type": "message", "role": "assistant", "model": "claude",
            "content": [
                ["type": "text", "text": "Let me check."],
                ["type": "tool_use", "id": "toolu_1", "name": "weather", "input": ["city": "Paris"]],
                ["type": "tool_use", "id": "toolu_2", "name": "clock", "input": [:]],
            ],
            "stop_reason": "tool_use", "stop_sequence": .null,
            "usage": ["input_tokens": 10, "output_tokens": 20, "cache_creation_input_tokens": 5, "cache_read_input_tokens": 7],
        ])
        #expect(response.text == "Let me check.")
        #expect(response.toolCalls == [ToolCall(id: "toolu_1", name: "weather", rawArguments: #"{"city":"Paris"}"#), ToolCall(id: "toolu_2", name: "clock", rawArguments: "{}")])
        #expect(response.finishReason == .toolCalls)
        #expect(response.usage == TokenUsage(inputTokens: 22, outputTokens: 20, cachedInputTokens: 7, cacheCreationInputTokens: 5))
    }

    @Test func errorBodiesAndMalformedBodies() {
        let error = #expect(throws: ModelError.self) { try decode(["type": "error", "error": ["type": "invalid_request_error", "message": "max_tokens: required"]]) }
        #expect(error?.code == .rejected)
        #expect(error?.message.contains("max_tokens: required") == true)
        let missing = #expect(throws: ModelError.self) { try decode(["type": "message"]) }
        #expect(missing?.code == .malformedResponse)
    }
}
