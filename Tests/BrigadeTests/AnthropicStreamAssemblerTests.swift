import Testing
import Brigade
@testable import BrigadeCore
@testable import BrigadeProviders

@Suite("Anthropic stream assembler", .timeLimit(.minutes(1)))
struct AnthropicStreamAssemblerTests {
    func messageStart(input: Int = 25, cacheCreation: Int? = nil, cacheRead: Int? = nil) -> (String, JSONValue) {
        var usage: JSONObject = ["input_tokens": .integer(input), "output_tokens": 1]
        if let cacheCreation { usage["cache_creation_input_tokens"] = .integer(cacheCreation) }
        if let cacheRead { usage["cache_read_input_tokens"] = .integer(cacheRead) }
        return ("message_start", ["type": "message_start", "message": [
            "id": "msg_1", "type": "message", "role": "assistant", "content": [], "model": "claude",
            "stop_reason": .null, "stop_sequence": .null, "usage": .object(usage),
        ]])
    }

    func event(_ type: String, _ fields: JSONObject = [:]) -> (String, JSONValue) {
        var object = fields
        object["type"] = .string(type)
        return (type, .object(object))
    }

    func blockStart(_ index: Int, _ block: JSONValue) -> (String, JSONValue) {
        event("content_block_start", ["index": .integer(index), "content_block": block])
    }

    func textDelta(_ index: Int, _ text: String) -> (String, JSONValue) {
        event("content_block_delta", ["index": .integer(index), "delta": ["type": "text_delta", "text": .string(text)]])
    }

    func jsonDelta(_ index: Int, _ fragment: String) -> (String, JSONValue) {
        event("content_block_delta", ["index": .integer(index), "delta": ["type": "input_json_delta", "partial_json": .string(fragment)]])
    }

    func stop(_ index: Int) -> (String, JSONValue) { event("content_block_stop", ["index": .integer(index)]) }

    func messageDelta(_ reason: String, output: Int = 15) -> (String, JSONValue) {
        event("message_delta", ["delta": ["stop_reason": .string(reason), "stop_sequence": .null], "usage": ["output_tokens": .integer(output)]])
    }

    func run(_ events: [(String, JSONValue)]) throws -> (deltas: [String], response: ModelResponse) {
        var assembler = AnthropicStreamAssembler()
        var deltas: [String] = []
        for (name, data) in events {
            if let delta = try assembler.consume(event: name, data: data.jsonString) { deltas.append(delta) }
        }
        return (deltas, try assembler.response())
    }

    @Test func textStreamsInOrderWithUsage() throws {
        let pieces = ["Hello", ", wör", "ld 👋🏽"]
        var events = [messageStart(input: 25, cacheCreation: 100, cacheRead: 1000), blockStart(0, ["type": "text", "text": ""]), event("ping")]
        events += pieces.map { textDelta(0, $0) }
        events += [stop(0), messageDelta("end_turn", output: 15), event("message_stop")]
        let (deltas, response) = try run(events)
        #expect(deltas == pieces)
        #expect(response.text == pieces.joined())
        #expect(response.finishReason == .stop)
        #expect(response.usage == TokenUsage(inputTokens: 1125, outputTokens: 15, cachedInputTokens: 1000, cacheCreationInputTokens: 100))
    }

    @Test func toolUseInputAssemblesForEverySplit() throws {
        let input = #"{"city": "Zürich", "note": "say \"hi\" ☃", "n": [1, 2]}"#
        for cut in 0...input.count {
            for cut2 in Set([cut, (cut + input.count) / 2]) where cut2 >= cut {
                let parts = [String(input.prefix(cut)), String(input.dropFirst(cut).prefix(cut2 - cut)), String(input.dropFirst(cut2))]
                var events = [messageStart(), blockStart(0, ["type": "text", "text": ""]), textDelta(0, "Checking."), stop(0)]
                events.append(blockStart(1, ["type": "tool_use", "id": "toolu_1", "name": "weather", "input": [:]]))
                events.append(jsonDelta(1, ""))
                events += parts.map { jsonDelta(1, $0) }
                events.append(stop(1))
                events.append(blockStart(2, ["type": "tool_use", "id": "toolu_2", "name": "clock", "input": [:]]))
                events.append(stop(2))
                events += [messageDelta("tool_use"), event("message_stop")]
                let (deltas, response) = try run(events)
                #expect(deltas == ["Checking."])
                #expect(response.toolCalls == [
                    ToolCall(id: "toolu_1", name: "weather", rawArguments: input),
                    ToolCall(id: "toolu_2", name: "clock", rawArguments: "{}"),
                ])
                #expect(response.finishReason == .toolCalls)
                #expect(try response.toolCalls[0].parsedArguments()["city"] == "Zürich")
            }
        }
    }

    @Test func emptyPartialJSONGivesAnEmptyObjectAndInitialInputIsKept() throws {
        let events = [
            messageStart(),
            blockStart(0, ["type": "tool_use", "id": "a", "name": "t", "input": [:]]),
            jsonDelta(0, ""), stop(0),
            blockStart(1, ["type": "tool_use", "name": "u", "input": ["preset": true]]),
            stop(1),
            messageDelta("tool_use"), event("message_stop"),
        ]
        let calls = try run(events).response.toolCalls
        #expect(calls == [ToolCall(id: "a", name: "t", rawArguments: "{}"), ToolCall(id: "call_1", name: "u", rawArguments: #"{"preset":true}"#)])
    }

    @Test func ignoresThinkingBlocksUnknownDeltasAndUnknownEvents() throws {
        let events = [
            messageStart(),
            blockStart(0, ["type": "thinking", "thinking": ""]),
            event("content_block_delta", ["index": 0, "delta": ["type": "thinking_delta", "thinking": "hmm"]]),
            event("content_block_delta", ["index": 0, "delta": ["type": "signature_delta", "signature": "sig"]]),
            stop(0),
            blockStart(1, ["type": "text", "text": "Hi"]),
            event("content_block_delta", ["index": 1, "delta": ["type": "citations_delta", "citation": [:]]]),
            textDelta(1, " there"),
            stop(1),
            event("some_future_event", ["x": 1]),
            messageDelta("end_turn"), event("message_stop"),
        ]
        let (deltas, response) = try run(events)
        #expect(deltas == ["Hi", " there"])
        #expect(response.text == "Hi there")
    }

    @Test(arguments: [
        ("end_turn", ModelFinishReason.stop), ("stop_sequence", .stop), ("tool_use", .toolCalls), ("max_tokens", .length),
        ("refusal", .contentFilter), ("pause_turn", .other("pause_turn")), ("model_context_window_exceeded", .length),
    ])
    func stopReasonsMap(raw: String, expected: ModelFinishReason) throws {
        #expect(try run([messageStart(), messageDelta(raw), event("message_stop")]).response.finishReason == expected)
    }

    @Test func usageFromMessageDeltaIsCumulative() throws {
        let events = [
            messageStart(input: 10),
            event("message_delta", ["delta": ["stop_reason": "end_turn"], "usage": ["input_tokens": 12, "output_tokens": 40, "cache_read_input_tokens": 3]]),
            event("message_stop"),
        ]
        #expect(try run(events).response.usage == TokenUsage(inputTokens: 15, outputTokens: 40, cachedInputTokens: 3))
    }

    @Test func missingUsageIsNil() throws {
        let events = [event("message_start", ["message": ["id": "m", "content": []]]), event("message_delta", ["delta": ["stop_reason": "end_turn"]]), event("message_stop")]
        #expect(try run(events).response.usage == nil)
    }

    @Test func anErrorEventFails() {
        var assembler = AnthropicStreamAssembler()
        let error = #expect(throws: ModelError.self) {
            _ = try assembler.consume(event: "message_start", data: messageStart().1.jsonString)
            _ = try assembler.consume(event: "error", data: #"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"#)
        }
        #expect(error?.code == .serverError)
        #expect(error?.status == 529)
        #expect(error?.message.contains("Overloaded") == true)
    }

    @Test func theTypeFieldWinsAndTheEventNameIsAFallback() throws {
        var assembler = AnthropicStreamAssembler()
        _ = try assembler.consume(event: "message", data: messageStart().1.jsonString)
        _ = try assembler.consume(event: "content_block_start", data: #"{"index": 0, "content_block": {"type": "text", "text": ""}}"#)
        #expect(try assembler.consume(event: "content_block_delta", data: #"{"index": 0, "delta": {"type": "text_delta", "text": "x"}}"#) == "x")
        _ = try assembler.consume(event: nil, data: #"{"type": "message_stop"}"#)
        #expect(assembler.isComplete)
    }

    @Test func protocolViolationsAreMalformed() {
        var assembler = AnthropicStreamAssembler()
        let unknownBlock = #expect(throws: ModelError.self) { try assembler.consume(event: nil, data: textDelta(3, "x").1.jsonString) }
        #expect(unknownBlock?.code == .malformedResponse)
        let noIndex = #expect(throws: ModelError.self) { try assembler.consume(event: nil, data: #"{"type": "content_block_stop"}"#) }
        #expect(noIndex?.code == .malformedResponse)
        let garbage = #expect(throws: ModelError.self) { try assembler.consume(event: "message_start", data: "{\"type\": \"message_st") }
        #expect(garbage?.code == .malformedResponse)
    }

    @Test func aStreamEndingBeforeMessageStopIsMalformed() throws {
        var assembler = AnthropicStreamAssembler()
        _ = try assembler.consume(event: nil, data: messageStart().1.jsonString)
        _ = try assembler.consume(event: nil, data: blockStart(0, ["type": "text", "text": ""]).1.jsonString)
        _ = try assembler.consume(event: nil, data: textDelta(0, "cut").1.jsonString)
        let error = #expect(throws: ModelError.self) { try assembler.response() }
        #expect(error?.code == .malformedResponse)
    }
}
