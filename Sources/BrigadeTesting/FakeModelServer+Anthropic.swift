import Brigade

/// Renders turns and errors the way the Anthropic Messages API sends them.
enum FakeAnthropicWire {
    static func render(_ turn: FakeTurn, request: FakeModelRequest, sequence: Int) -> FakeRendering {
        let usage = FakeWire.usage(for: turn, request: request)
        let ids = turn.toolCalls.enumerated().map { $0.element.id ?? "toolu_fake_\(sequence)_\($0.offset)" }
        let stop = turn.finishReason ?? (turn.toolCalls.isEmpty ? "end_turn" : "tool_use")
        let model = JSONValue.string(request.model ?? "fake-model")
        let quirks = turn.quirks
        let errorEvent: @Sendable (String, String) -> String = { type, message in
            FakeWire.namedEvent("error", ["type": "error", "error": ["type": .string(type), "message": .string(message)]])
        }
        func toolUse(_ position: Int, input: JSONValue) -> JSONValue {
            var block: JSONObject = ["type": "tool_use"]
            if !quirks.omitToolCallIDs { block["id"] = .string(ids[position]) }
            block["name"] = .string(turn.toolCalls[position].name)
            block["input"] = input
            return .object(block)
        }
        guard request.isStreaming else {
            var content: [JSONValue] = []
            if !turn.text.isEmpty { content.append(["type": "text", "text": .string(turn.text)]) }
            for (position, call) in turn.toolCalls.enumerated() {
                // A real server always sends an object; malformed scripted arguments travel as a string.
                content.append(toolUse(position, input: (try? JSONValue(parsing: call.arguments)) ?? .string(call.arguments)))
            }
            var object: JSONObject = [
                "id": .string("msg_fake_\(sequence)"), "type": "message", "role": "assistant", "model": model,
                "content": .array(content), "stop_reason": .string(stop), "stop_sequence": .null,
            ]
            if !quirks.omitUsage { object["usage"] = usageObject(usage, output: usage.outputTokens) }
            return FakeRendering(events: [], body: FakeWire.extra(object, quirks).jsonString, errorEvent: errorEvent)
        }

        var events: [String] = []
        func event(_ name: String, _ fields: JSONObject) {
            var object: JSONObject = ["type": .string(name)]
            for (key, value) in fields { object[key] = value }
            events.append(FakeWire.namedEvent(name, FakeWire.extra(object, quirks)))
        }
        var message: JSONObject = [
            "id": .string("msg_fake_\(sequence)"), "type": "message", "role": "assistant", "model": model,
            "content": [], "stop_reason": .null, "stop_sequence": .null,
        ]
        if !quirks.omitUsage { message["usage"] = usageObject(usage, output: 1) }
        event("message_start", ["message": .object(message)])
        var index = 0
        if !turn.text.isEmpty {
            event("content_block_start", ["index": .integer(index), "content_block": ["type": "text", "text": ""]])
            event("ping", [:])
            for piece in FakeWire.pieces(turn.text, size: turn.textPieceSize) {
                event("content_block_delta", ["index": .integer(index), "delta": ["type": "text_delta", "text": .string(piece)]])
            }
            event("content_block_stop", ["index": .integer(index)])
            index += 1
        }
        for (position, call) in turn.toolCalls.enumerated() {
            event("content_block_start", ["index": .integer(index), "content_block": toolUse(position, input: [:])])
            var fragments = FakeWire.pieces(call.arguments, size: turn.argumentFragmentSize)
            fragments.insert("", at: 0)  // the real API opens with an empty fragment
            for fragment in fragments {
                event("content_block_delta", ["index": .integer(index), "delta": ["type": "input_json_delta", "partial_json": .string(fragment)]])
            }
            event("content_block_stop", ["index": .integer(index)])
            index += 1
        }
        var delta: JSONObject = ["delta": ["stop_reason": .string(stop), "stop_sequence": .null]]
        if !quirks.omitUsage { delta["usage"] = ["output_tokens": .integer(usage.outputTokens)] }
        event("message_delta", delta)
        event("message_stop", [:])
        return FakeRendering(events: events, body: nil, errorEvent: errorEvent)
    }

    /// Splits scripted input tokens the way the API reports them: uncached, cache writes, cache reads.
    static func usageObject(_ usage: TokenUsage, output: Int) -> JSONValue {
        let uncached = max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheCreationInputTokens)
        return [
            "input_tokens": .integer(uncached),
            "cache_creation_input_tokens": .integer(usage.cacheCreationInputTokens),
            "cache_read_input_tokens": .integer(usage.cachedInputTokens),
            "output_tokens": .integer(output),
        ]
    }

    /// The error type the API uses for a status.
    static func errorType(status: Int) -> String {
        switch status {
        case 400: "invalid_request_error"
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
        case 429: "rate_limit_error"
        case 529: "overloaded_error"
        default: status >= 500 ? "api_error" : "invalid_request_error"
        }
    }

    /// An error body: `{"type": "error", "error": {"type", "message"}}`.
    static func errorBody(status: Int, message: String) -> String {
        let error: JSONValue = ["type": "error", "error": ["type": .string(errorType(status: status)), "message": .string(message)]]
        return error.jsonString
    }
}
