import Testing
import Brigade
@testable import BrigadeCore
@testable import BrigadeProviders

@Suite("OpenAI non-streamed responses", .timeLimit(.minutes(1)))
struct OpenAIResponseDecoderTests {
    func decode(_ json: JSONValue) throws(ModelError) -> ModelResponse {
        try OpenAIResponseDecoder.response(from: Array(json.jsonString.utf8))
    }

    @Test func decodesTextToolCallsAndUsage() throws {
        let response = try decode([
            "id": "chatcmpl-1", "object": "chat.completion",
            "choices": [["index": 0, "finish_reason": "tool_calls", "message": [
                "role": "assistant", "content": .null, "refusal": .null,
                "tool_calls": [
                    ["id": "call_1", "type": "function", "function": ["name": "a", "arguments": #"{"x":1}"#]],
                    ["type": "function", "function": ["name": "b", "arguments": ["y": 2]]],
                ],
            ]]],
            "usage": ["prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12],
        ])
        #expect(response.text == "")
        #expect(response.toolCalls == [ToolCall(id: "call_1", name: "a", rawArguments: #"{"x":1}"#), ToolCall(id: "call_1_1", name: "b", rawArguments: #"{"y":2}"#)])
        #expect(response.finishReason == .toolCalls)
        #expect(response.usage == TokenUsage(inputTokens: 9, outputTokens: 3))
    }

    @Test func contentPartsAndMissingUsage() throws {
        let response = try decode(["choices": [["message": ["role": "assistant", "content": [["type": "text", "text": "a"], ["type": "text", "text": "b"]]], "finish_reason": "stop"]]])
        #expect(response.text == "ab")
        #expect(response.usage == nil)
        #expect(response.finishReason == .stop)
    }

    @Test func errorsAndMalformedBodies() {
        let error = #expect(throws: ModelError.self) { try decode(["error": ["message": "quota", "type": "insufficient_quota", "code": "insufficient_quota"]]) }
        #expect(error?.message.contains("quota") == true)
        let missing = #expect(throws: ModelError.self) { try decode(["id": "x"]) }
        #expect(missing?.code == .malformedResponse)
        let empty = #expect(throws: ModelError.self) { try decode(["choices": []]) }
        #expect(empty?.code == .malformedResponse)
        let garbage = #expect(throws: ModelError.self) { try OpenAIResponseDecoder.response(from: Array("<html>".utf8)) }
        #expect(garbage?.code == .malformedResponse)
    }
}
