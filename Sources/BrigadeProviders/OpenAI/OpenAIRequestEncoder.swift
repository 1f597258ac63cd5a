import BrigadeCore

/// Encodes a ``ModelRequest`` as a Chat Completions request body.
enum OpenAIRequestEncoder {
    static func body(for request: ModelRequest, configuration: OpenAIChatClient.Configuration) -> JSONValue {
        var body: JSONObject = ["model": .string(configuration.model)]
        body["messages"] = .array(request.messages.flatMap(messages(for:)))

        let sendsTools = !request.tools.isEmpty && (request.toolsEnabled || configuration.disabledTools == .toolChoiceNone)
        if sendsTools {
            body["tools"] = .array(request.tools.map(tool(for:)))
            body["tool_choice"] = configuration.toolChoice.applied(to: request).openAIValue
            if request.toolsEnabled, let parallel = configuration.parallelToolCalls {
                body["parallel_tool_calls"] = .bool(parallel)
            }
        }
        if let schema = request.outputSchema {
            body["response_format"] = [
                "type": "json_schema",
                "json_schema": ["name": .string(schema.name), "schema": schema.schema, "strict": .bool(schema.isStrictCompatible)],
            ]
        }
        body[configuration.maxTokensField] = .integer(request.maxOutputTokens)
        if let temperature = request.temperature {
            body["temperature"] = .number(temperature)
        }
        body["stream"] = .bool(configuration.streaming)
        if configuration.streaming, configuration.includeStreamUsage {
            body["stream_options"] = ["include_usage": true]
        }
        return .object(body)
    }

    /// One conversation message as Chat Completions messages: tool results become one `tool`
    /// message per call, in call order.
    static func messages(for message: ChatMessage) -> [JSONValue] {
        switch message {
        case .system(let text):
            return [["role": "system", "content": .string(text)]]
        case .user(let text):
            return [["role": "user", "content": .string(text)]]
        case .assistant(let text, let toolCalls):
            var object: JSONObject = ["role": "assistant"]
            object["content"] = text.isEmpty && !toolCalls.isEmpty ? .null : .string(text)
            if !toolCalls.isEmpty {
                object["tool_calls"] = .array(toolCalls.map { call in
                    [
                        "id": .string(call.id),
                        "type": "function",
                        "function": [
                            "name": .string(call.name),
                            "arguments": .string(call.rawArguments.isEmpty ? "{}" : call.rawArguments),
                        ],
                    ]
                })
            }
            return [.object(object)]
        case .toolResults(let results):
            return results.map { result in
                ["role": "tool", "tool_call_id": .string(result.callID), "content": .string(result.content)]
            }
        }
    }

    static func tool(for spec: ToolSpec) -> JSONValue {
        [
            "type": "function",
            "function": [
                "name": .string(spec.name),
                "description": .string(spec.description),
                "parameters": spec.parameters,
            ],
        ]
    }
}
