import BrigadeCore

/// Decodes a non-streamed Chat Completions response (`stream: false`).
enum OpenAIResponseDecoder {
    static func response(from body: [UInt8]) throws(ModelError) -> ModelResponse {
        let text = String(decoding: body, as: UTF8.self)
        let json = try ProviderParsing.json(text, provider: "OpenAI", what: "response")
        if let error = json["error"], !error.isNull {
            throw ProviderError.error(fromErrorObject: json, provider: "OpenAI")
        }
        guard let choices = json["choices"]?.arrayValue else {
            throw ModelError(.malformedResponse, "malformed response from OpenAI: no \"choices\" list in \(ProviderParsing.quote(text))")
        }
        guard let choice = choices.first(where: { ($0["index"]?.intValue ?? 0) == 0 }), let message = choice["message"] else {
            throw ModelError(.malformedResponse, "malformed response from OpenAI: no choice with a message in \(ProviderParsing.quote(text))")
        }
        var answer = content(of: message["content"])
        if answer.isEmpty, let refusal = message["refusal"]?.stringValue { answer = refusal }

        var calls: [ToolCall] = (message["tool_calls"]?.arrayValue ?? []).map { call in
            ToolCall(
                id: call["id"]?.stringValue ?? "",
                name: call["function"]?["name"]?.stringValue ?? "",
                rawArguments: arguments(of: call["function"]?["arguments"])
            )
        }
        if calls.isEmpty, let legacy = message["function_call"], case .object = legacy {
            calls = [ToolCall(id: "", name: legacy["name"]?.stringValue ?? "", rawArguments: arguments(of: legacy["arguments"]))]
        }
        ProviderParsing.fillMissingIDs(&calls)
        let usage = json["usage"].flatMap(OpenAIStreamAssembler.usage(from:))
        let reason = OpenAIStreamAssembler.finishReason(choice["finish_reason"]?.stringValue, hasToolCalls: !calls.isEmpty)
        return ModelResponse(text: answer, toolCalls: calls, finishReason: reason, usage: usage)
    }

    /// Message content: a string, `null`, or (some servers) a list of `{"type": "text", "text": …}` parts.
    static func content(of value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: text
        case .array(let parts)?: parts.compactMap { $0["text"]?.stringValue ?? $0.stringValue }.joined()
        default: ""
        }
    }

    /// Arguments are a JSON string per the API; some servers send the object itself.
    static func arguments(of value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: text
        case nil, .null?: ""
        case let other?: other.jsonString
        }
    }
}
