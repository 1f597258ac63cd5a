import Testing
import Brigade
import BrigadeTesting
@testable import BrigadeCore
@testable import BrigadeProviders

@Suite("OpenAI stream assembler", .timeLimit(.minutes(1)))
struct OpenAIStreamAssemblerTests {
    /// A chunk with one choice carrying `delta` (and a finish reason).
    func chunk(_ delta: JSONValue, finish: String? = nil) -> JSONValue {
        ["id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
         "choices": [["index": 0, "delta": delta, "finish_reason": finish.map(JSONValue.string) ?? .null]]]
    }

    func toolDelta(index: Int?, id: String? = nil, name: String? = nil, arguments: String? = nil) -> JSONValue {
        var entry = JSONObject()
        if let index { entry["index"] = .integer(index) }
        if let id { entry["id"] = .string(id); entry["type"] = "function" }
        var function = JSONObject()
        if let name { function["name"] = .string(name) }
        if let arguments { function["arguments"] = .string(arguments) }
        entry["function"] = .object(function)
        return .object(entry)
    }

    func run(_ payloads: [JSONValue], done: Bool = true) throws -> (deltas: [String], response: ModelResponse) {
        var assembler = OpenAIStreamAssembler()
        var deltas: [String] = []
        for payload in payloads {
            if let delta = try assembler.consume(data: payload.jsonString) { deltas.append(delta) }
        }
        if done { _ = try assembler.consume(data: "[DONE]") }
        return (deltas, try assembler.response())
    }

    @Test func textDeltasArriveInOrderAndUsageComesLast() throws {
        let pieces = ["Hel", "lo, ", "wörld", " 👋🏽", "!"]
        var payloads = [chunk(["role": "assistant", "content": ""])]
        payloads += pieces.map { chunk(["content": .string($0)]) }
        payloads.append(chunk([:], finish: "stop"))
        payloads.append(["id": "chatcmpl-1", "choices": [], "usage": ["prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19, "prompt_tokens_details": ["cached_tokens": 4]]])
        let (deltas, response) = try run(payloads)
        #expect(deltas == pieces)
        #expect(response.text == pieces.joined())
        #expect(response.toolCalls.isEmpty)
        #expect(response.finishReason == .stop)
        #expect(response.usage == TokenUsage(inputTokens: 12, outputTokens: 7, cachedInputTokens: 4))
    }

    @Test func interleavedToolCallsAssembleForEverySplitOfTheirArguments() async throws {
        try await offThePool {
            let first = #"{"city":"Paris","days":3}"#
            let second = #"{"q":"ü ☃ \"quoted\""}"#
            for cutFirst in 0...first.count {
                for cutSecond in stride(from: 0, through: second.count, by: 1) {
                    let a = (String(first.prefix(cutFirst)), String(first.dropFirst(cutFirst)))
                    let b = (String(second.prefix(cutSecond)), String(second.dropFirst(cutSecond)))
                    let payloads = [
                        chunk(["role": "assistant", "content": .null]),
                        chunk(["tool_calls": [toolDelta(index: 0, id: "call_a", name: "weather", arguments: "")]]),
                        chunk(["tool_calls": [toolDelta(index: 1, id: "call_b", name: "search", arguments: "")]]),
                        chunk(["tool_calls": [toolDelta(index: 0, arguments: a.0)]]),
                        chunk(["tool_calls": [toolDelta(index: 1, arguments: b.0), toolDelta(index: 0, arguments: a.1)]]),
                        chunk(["tool_calls": [toolDelta(index: 1, arguments: b.1)]]),
                        chunk([:], finish: "tool_calls"),
                    ]
                    let (deltas, response) = try run(payloads)
                    #expect(deltas.isEmpty)
                    #expect(response.toolCalls == [
                        ToolCall(id: "call_a", name: "weather", rawArguments: first),
                        ToolCall(id: "call_b", name: "search", rawArguments: second),
                    ])
                    #expect(response.finishReason == .toolCalls)
                }
            }
        }
    }

    @Test func callsAreOrderedByIndexNotArrival() throws {
        let payloads = [
            chunk(["tool_calls": [toolDelta(index: 1, id: "second", name: "b", arguments: "{}")]]),
            chunk(["tool_calls": [toolDelta(index: 0, id: "first", name: "a", arguments: "{}")]]),
            chunk([:], finish: "tool_calls"),
        ]
        #expect(try run(payloads).response.toolCalls.map(\.id) == ["first", "second"])
    }

    @Test func missingIDsAreGenerated() throws {
        let payloads = [
            chunk(["tool_calls": [toolDelta(index: 0, name: "a", arguments: #"{"x":"#)]]),
            chunk(["tool_calls": [toolDelta(index: 1, name: "b", arguments: "{}")]]),
            chunk(["tool_calls": [toolDelta(index: 0, arguments: "1}")]]),
            chunk([:], finish: "tool_calls"),
        ]
        let calls = try run(payloads).response.toolCalls
        #expect(calls == [ToolCall(id: "call_0", name: "a", rawArguments: #"{"x":1}"#), ToolCall(id: "call_1", name: "b", rawArguments: "{}")])
    }

    @Test func generatedIDsAvoidTakenOnes() throws {
        let payloads = [
            chunk(["tool_calls": [toolDelta(index: 0, name: "a", arguments: "{}")]]),
            chunk(["tool_calls": [toolDelta(index: 1, id: "call_0", name: "b", arguments: "{}")]]),
            chunk([:], finish: "tool_calls"),
        ]
        let ids = try run(payloads).response.toolCalls.map(\.id)
        #expect(ids == ["call_0_1", "call_0"])
        #expect(Set(ids).count == 2)
    }

    @Test func missingIndexFallsBackToArrivalOrder() throws {
        // With ids: each new id starts a call. Without: a name starts one, bare arguments continue the last.
        let payloads = [
            chunk(["tool_calls": [toolDelta(index: nil, id: "c1", name: "a", arguments: #"{"n":"#)]]),
            chunk(["tool_calls": [toolDelta(index: nil, arguments: "1}")]]),
            chunk(["tool_calls": [toolDelta(index: nil, id: "c2", name: "a", arguments: #"{"n":2}"#)]]),
            chunk(["tool_calls": [toolDelta(index: nil, name: "b")]]),
            chunk(["tool_calls": [toolDelta(index: nil, arguments: "{")]]),
            chunk(["tool_calls": [toolDelta(index: nil, arguments: "}")]]),
            chunk([:], finish: "tool_calls"),
        ]
        let calls = try run(payloads).response.toolCalls
        #expect(calls == [
            ToolCall(id: "c1", name: "a", rawArguments: #"{"n":1}"#),
            ToolCall(id: "c2", name: "a", rawArguments: #"{"n":2}"#),
            ToolCall(id: "call_2", name: "b", rawArguments: "{}"),
        ])
    }

    @Test func aReusedIndexWithANewIDStartsANewCall() throws {
        let payloads = [
            chunk(["tool_calls": [toolDelta(index: 0, id: "x", name: "a", arguments: "{}")]]),
            chunk(["tool_calls": [toolDelta(index: 0, id: "y", name: "b", arguments: "{")]]),
            chunk(["tool_calls": [toolDelta(index: 0, arguments: "}")]]),
            chunk([:], finish: "tool_calls"),
        ]
        #expect(try run(payloads).response.toolCalls == [ToolCall(id: "x", name: "a", rawArguments: "{}"), ToolCall(id: "y", name: "b", rawArguments: "{}")])
    }

    @Test func theNameMayArriveAfterTheID() throws {
        let payloads = [
            chunk(["tool_calls": [toolDelta(index: 0, id: "x")]]),
            chunk(["tool_calls": [toolDelta(index: 0, name: "late", arguments: "{}")]]),
            chunk(["tool_calls": [toolDelta(index: 0, id: "x", name: "late")]]),
            chunk([:], finish: "tool_calls"),
        ]
        #expect(try run(payloads).response.toolCalls == [ToolCall(id: "x", name: "late", rawArguments: "{}")])
    }

    @Test func toleratesEmptyChoicesNullContentAndExtraFields() throws {
        let payloads: [JSONValue] = [
            ["choices": []],
            ["id": "x", "choices": [["index": 0, "delta": ["role": "assistant", "content": .null, "reasoning_content": "hmm"], "finish_reason": .null, "logprobs": .null]], "x_vendor": ["a": 1]],
            ["object": "chat.completion.chunk", "choices": [["delta": ["content": "hi"]]]],
            ["choices": [["index": 1, "delta": ["content": "other choice"]]]],
            ["choices": [["index": 0, "delta": [:], "finish_reason": "stop"]], "usage": .null],
        ]
        let (deltas, response) = try run(payloads)
        #expect(deltas == ["hi"])
        #expect(response.text == "hi")
        #expect(response.usage == nil)
    }

    @Test func aFinishReasonWithoutDoneCompletes() throws {
        let response = try run([chunk(["content": "x"]), chunk([:], finish: "length")], done: false).response
        #expect(response.finishReason == .length)
    }

    @Test func aStreamWithoutFinishReasonOrDoneIsMalformed() throws {
        var assembler = OpenAIStreamAssembler()
        _ = try assembler.consume(data: chunk(["content": "partial"]).jsonString)
        let error = #expect(throws: ModelError.self) { try assembler.response() }
        #expect(error?.code == .malformedResponse)
    }

    @Test func doneWithoutFinishReasonDerivesOne() throws {
        #expect(try run([chunk(["content": "x"])]).response.finishReason == .stop)
        #expect(try run([chunk(["tool_calls": [toolDelta(index: 0, id: "a", name: "t", arguments: "{}")]])]).response.finishReason == .toolCalls)
    }

    @Test(arguments: [
        ("stop", ModelFinishReason.stop), ("tool_calls", .toolCalls), ("length", .length),
        ("content_filter", .contentFilter), ("function_call", .toolCalls), ("eos", .other("eos")),
    ])
    func finishReasonsMap(raw: String, expected: ModelFinishReason) throws {
        #expect(try run([chunk([:], finish: raw)]).response.finishReason == expected)
    }

    @Test func stopWithToolCallsMeansToolCalls() throws {
        let payloads = [chunk(["tool_calls": [toolDelta(index: 0, id: "a", name: "t", arguments: "{}")]]), chunk([:], finish: "stop")]
        #expect(try run(payloads).response.finishReason == .toolCalls)
    }

    @Test func legacyFunctionCallDeltas() throws {
        let payloads = [
            chunk(["function_call": ["name": "old", "arguments": #"{"a""#]]),
            chunk(["function_call": ["arguments": ":1}"]]),
            chunk([:], finish: "function_call"),
        ]
        #expect(try run(payloads).response.toolCalls == [ToolCall(id: "call_0", name: "old", rawArguments: #"{"a":1}"#)])
    }

    @Test func anErrorObjectInTheStreamFails() throws {
        var assembler = OpenAIStreamAssembler()
        _ = try assembler.consume(data: chunk(["content": "x"]).jsonString)
        let error = #expect(throws: ModelError.self) {
            try assembler.consume(data: #"{"error": {"message": "The server is overloaded", "type": "server_error", "code": null}}"#)
        }
        #expect(error?.code == .serverError)
        #expect(error?.message.contains("The server is overloaded") == true)

        var vllm = OpenAIStreamAssembler()
        let other = #expect(throws: ModelError.self) {
            try vllm.consume(data: #"{"object": "error", "message": "context too long", "type": "BadRequestError", "code": 400}"#)
        }
        #expect(other?.code == .rejected)
        #expect(other?.status == 400)
    }

    @Test func aMalformedChunkFails() {
        var assembler = OpenAIStreamAssembler()
        let error = #expect(throws: ModelError.self) { try assembler.consume(data: #"{"choices": [{"delta": {"content": "x"#) }
        #expect(error?.code == .malformedResponse)
        #expect(error?.message.contains("malformed stream chunk") == true)
        let notObject = #expect(throws: ModelError.self) { try assembler.consume(data: "[1,2]") }
        #expect(notObject?.code == .malformedResponse)
    }

    @Test func payloadsAfterDoneAndBlankPayloadsAreIgnored() throws {
        var assembler = OpenAIStreamAssembler()
        #expect(try assembler.consume(data: "  ") == nil)
        #expect(try assembler.consume(data: chunk(["content": "a"]).jsonString) == "a")
        #expect(try assembler.consume(data: "[DONE]") == nil)
        #expect(assembler.isDone)
        #expect(try assembler.consume(data: "not even json") == nil)
        #expect(try assembler.response().text == "a")
    }
}
