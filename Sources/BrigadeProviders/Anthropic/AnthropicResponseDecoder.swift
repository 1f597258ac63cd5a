import BrigadeCore

/// Decodes a non-streamed Messages API response (`stream: false`).
enum AnthropicResponseDecoder {
    static func response(from body: [UInt8]) throws(ModelError) -> ModelResponse {
        let text = String(decoding: body, as: UTF8.self)
        let json = try ProviderParsing.json(text, provider: "Anthropic", what: "response")
        if json["type"]?.stringValue == "error" || json["error"].map({ !$0.isNull }) == true {
            throw ProviderError.error(fromErrorObject: json, provider: "Anthropic")
        }
        guard let content = json["content"]?.arrayValue else {
            throw ModelError(.malformedResponse, "malformed response from Anthropic: no \"content\" list in \(ProviderParsing.quote(text))")
        }
        var answer = ""
        var calls: [ToolCall] = []
        for block in content {
            switch block["type"]?.stringValue {
            case "text":
                answer += block["text"]?.stringValue ?? ""
            case "tool_use":
                let input = block["input"] ?? .object([:])
                calls.append(ToolCall(
                    id: block["id"]?.stringValue ?? "",
                    name: block["name"]?.stringValue ?? "",
                    rawArguments: input.isNull ? "{}" : input.jsonString
                ))
            default:
                continue
            }
        }
        ProviderParsing.fillMissingIDs(&calls)
        var usage: TokenUsage?
        if let object = json["usage"], ProviderParsing.count(object["input_tokens"]) != nil || ProviderParsing.count(object["output_tokens"]) != nil {
            usage = AnthropicStreamAssembler.usage(
                input: ProviderParsing.count(object["input_tokens"]) ?? 0,
                output: ProviderParsing.count(object["output_tokens"]) ?? 0,
                cacheCreation: ProviderParsing.count(object["cache_creation_input_tokens"]) ?? 0,
                cacheRead: ProviderParsing.count(object["cache_read_input_tokens"]) ?? 0
            )
        }
        let reason = AnthropicStreamAssembler.finishReason(json["stop_reason"]?.stringValue, hasToolCalls: !calls.isEmpty)
        return ModelResponse(text: answer, toolCalls: calls, finishReason: reason, usage: usage)
    }
}
