import Brigade

/// Renders turns and errors the way the OpenAI Chat Completions API sends them.
enum FakeOpenAIWire {
    static func render(_ turn: FakeTurn, request: FakeModelRequest, sequence: Int) -> FakeRendering {
        let usage = FakeWire.usage(for: turn, request: request)
        let ids = turn.toolCalls.enumerated().map { $0.element.id ?? "call_fake_\(sequence)_\($0.offset)" }
        let hasCalls = !turn.toolCalls.isEmpty
        let finish = turn.finishReason ?? (hasCalls && !turn.quirks.stopInsteadOfToolCalls ? "tool_calls" : "stop")
        let model = JSONValue.string(request.model ?? "fake-model")
        let errorEvent: @Sendable (String, String) -> String = { type, message in
            FakeWire.dataEvent(["error": ["message": .string(message), "type": .string(type), "code": .null]])
        }
        guard request.isStreaming else {
            return FakeRendering(events: [], body: body(turn, ids: ids, finish: finish, usage: usage, model: model, sequence: sequence), errorEvent: errorEvent)
        }
        let quirks = turn.quirks
        func chunk(_ choices: [JSONValue], usage: JSONValue? = nil) -> String {
            var object: JSONObject = [
                "id": .string("chatcmpl-fake-\(sequence)"), "object": "chat.completion.chunk",
                "created": 1_700_000_000, "model": model, "system_fingerprint": .null, "choices": .array(choices),
            ]
            if let usage { object["usage"] = usage }
            return FakeWire.dataEvent(FakeWire.extra(object, quirks))
        }
        func choice(_ delta: JSONObject, finish: String? = nil) -> JSONValue {
            FakeWire.extra(["index": 0, "delta": .object(delta), "logprobs": .null, "finish_reason": finish.map(JSONValue.string) ?? .null], quirks)
        }
        var events: [String] = []
        events.append(chunk([choice(["role": "assistant", "content": quirks.nullContentAndEmptyChoices ? .null : ""])]))
        if quirks.nullContentAndEmptyChoices { events.append(chunk([])) }
        for piece in FakeWire.pieces(turn.text, size: turn.textPieceSize) {
            events.append(chunk([choice(["content": .string(piece)])]))
        }
        for entries in toolCallDeltas(turn, ids: ids) {
            var delta: JSONObject = ["tool_calls": .array(entries)]
            if quirks.nullContentAndEmptyChoices { delta["content"] = .null }
            events.append(chunk([choice(delta)]))
        }
        events.append(chunk([choice([:], finish: finish)]))
        let includeUsage = request.body?["stream_options"]?["include_usage"]?.boolValue ?? false
        if includeUsage, !quirks.omitUsage {
            events.append(chunk([], usage: usageObject(usage)))
        }
        if !quirks.omitDone { events.append("data: [DONE]\n\n") }
        return FakeRendering(events: events, body: nil, errorEvent: errorEvent)
    }

    /// The `tool_calls` entries of each chunk. With `index`: every call's head (id, type, name,
    /// empty arguments) first, then argument fragments interleaved round-robin across calls,
    /// every third chunk carrying two entries. Without `index` (a quirk): call after call.
    static func toolCallDeltas(_ turn: FakeTurn, ids: [String]) -> [[JSONValue]] {
        let quirks = turn.quirks
        func head(_ position: Int) -> JSONValue {
            var entry: JSONObject = [:]
            if !quirks.omitToolCallIndex { entry["index"] = .integer(position) }
            if !quirks.omitToolCallIDs { entry["id"] = .string(ids[position]) }
            entry["type"] = "function"
            entry["function"] = ["name": .string(turn.toolCalls[position].name), "arguments": ""]
            return FakeWire.extra(entry, quirks)
        }
        func fragment(_ position: Int, _ text: String) -> JSONValue {
            var entry: JSONObject = [:]
            if !quirks.omitToolCallIndex { entry["index"] = .integer(position) }
            entry["function"] = ["arguments": .string(text)]
            return .object(entry)
        }
        let fragments = turn.toolCalls.map { FakeWire.pieces($0.arguments, size: turn.argumentFragmentSize) }
        var chunks: [[JSONValue]] = []
        if quirks.omitToolCallIndex {
            for position in turn.toolCalls.indices {
                chunks.append([head(position)])
                chunks += fragments[position].map { [fragment(position, $0)] }
            }
            return chunks
        }
        chunks += turn.toolCalls.indices.map { [head($0)] }
        var interleaved: [JSONValue] = []
        let rounds = fragments.map(\.count).max() ?? 0
        for round in 0..<rounds {
            for position in fragments.indices where round < fragments[position].count {
                interleaved.append(fragment(position, fragments[position][round]))
            }
        }
        var next = 0
        while next < interleaved.count {
            let take = chunks.count % 3 == 2 ? 2 : 1
            chunks.append(Array(interleaved[next..<min(next + take, interleaved.count)]))
            next += take
        }
        return chunks
    }

    static func body(_ turn: FakeTurn, ids: [String], finish: String, usage: TokenUsage, model: JSONValue, sequence: Int) -> String {
        var message: JSONObject = ["role": "assistant"]
        message["content"] = turn.text.isEmpty && !turn.toolCalls.isEmpty ? .null : .string(turn.text)
        if !turn.toolCalls.isEmpty {
            message["tool_calls"] = .array(turn.toolCalls.enumerated().map { position, call in
                var entry: JSONObject = [:]
                if !turn.quirks.omitToolCallIDs { entry["id"] = .string(ids[position]) }
                entry["type"] = "function"
                entry["function"] = ["name": .string(call.name), "arguments": .string(call.arguments)]
                return .object(entry)
            })
        }
        message["refusal"] = .null
        var object: JSONObject = [
            "id": .string("chatcmpl-fake-\(sequence)"), "object": "chat.completion", "created": 1_700_000_000, "model": model,
            "choices": [FakeWire.extra(["index": 0, "message": .object(message), "logprobs": .null, "finish_reason": .string(finish)], turn.quirks)],
        ]
        if !turn.quirks.omitUsage { object["usage"] = usageObject(usage) }
        return FakeWire.extra(object, turn.quirks).jsonString
    }

    static func usageObject(_ usage: TokenUsage) -> JSONValue {
        [
            "prompt_tokens": .integer(usage.inputTokens), "completion_tokens": .integer(usage.outputTokens),
            "total_tokens": .integer(usage.totalTokens),
            "prompt_tokens_details": ["cached_tokens": .integer(usage.cachedInputTokens)],
        ]
    }

    /// An error body: `{"error": {"message", "type", "param", "code"}}`.
    static func errorBody(status: Int, message: String) -> String {
        let (type, code): (String, JSONValue) = switch status {
        case 429: ("requests", "rate_limit_exceeded")
        case 500...599: ("server_error", .null)
        case 401: ("invalid_request_error", "invalid_api_key")
        default: ("invalid_request_error", .null)
        }
        let error: JSONValue = ["error": ["message": .string(message), "type": .string(type), "param": .null, "code": code]]
        return error.jsonString
    }
}
