import BrigadeCore

/// Encodes a ``ModelRequest`` as a Chat Completions request body.
enum OpenAIRequestEncoder {
    /// A top-level field of the body: a value, or the offered tools, which ``bodyBytes(for:configuration:)``
    /// writes from each spec's cached JSON (``ToolSpec/parametersJSON``) instead of encoding them again.
    enum Field {
        case value(JSONValue)
        case tools([ToolSpec])
        case messages([ChatMessage])
    }

    /// The body as a `JSONValue` (``OpenAIChatClient/requestBody(for:)``): the bytes sent, parsed, so
    /// the two cannot differ. Not on the request path.
    static func body(for request: ModelRequest, configuration: OpenAIChatClient.Configuration) -> JSONValue {
        let bytes = bodyBytes(for: request, configuration: configuration)
        do {
            return try JSONValue(parsing: bytes)
        } catch {
            // Only a value nested deeper than the parser's limit (512 levels) in an output schema
            // or a tool's schema can get here.
            preconditionFailure("the request body does not parse: \(error)")
        }
    }

    /// The body as sent, with each tool's description and schema copied from the spec's cache. A
    /// batch sends the same tools with every item; encoding their schemas was most of the request's cost.
    /// - Parameter systemText: where a system message's text is encoded (a client keeps one, so its
    ///   system prompt is escaped once, not per request); `nil` encodes it each time.
    static func bodyBytes(
        for request: ModelRequest, configuration: OpenAIChatClient.Configuration, systemText: EncodedTextCache? = nil
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        out.append(UInt8(ascii: "{"))
        for (position, (key, field)) in fields(for: request, configuration: configuration).enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            JSONValue.appendJSONString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            switch field {
            case .value(let value):
                value.appendJSON(to: &out)
            case .tools(let tools):
                out.append(UInt8(ascii: "["))
                for (index, spec) in tools.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    append(tool: spec, to: &out)
                }
                out.append(UInt8(ascii: "]"))
            case .messages(let messages):
                out.append(UInt8(ascii: "["))
                var first = true
                for message in messages {
                    if case .system(let text) = message, let systemText {
                        if !first { out.append(UInt8(ascii: ",")) }
                        first = false
                        appendASCII(#"{"role":"system","content":"#, to: &out)
                        systemText.appendJSONString(text, to: &out)
                        out.append(UInt8(ascii: "}"))
                        continue
                    }
                    for value in Self.messages(for: message) {
                        if !first { out.append(UInt8(ascii: ",")) }
                        first = false
                        value.appendJSON(to: &out)
                    }
                }
                out.append(UInt8(ascii: "]"))
            }
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The body's fields in order; keys are distinct.
    static func fields(for request: ModelRequest, configuration: OpenAIChatClient.Configuration) -> [(key: String, field: Field)] {
        var fields: [(key: String, field: Field)] = [("model", .value(.string(configuration.model)))]
        fields.append(("messages", .messages(request.messages)))

        let sendsTools = !request.tools.isEmpty && (request.toolsEnabled || configuration.disabledTools == .toolChoiceNone)
        if sendsTools {
            fields.append(("tools", .tools(request.tools)))
            fields.append(("tool_choice", .value(configuration.toolChoice.applied(to: request).openAIValue)))
            if request.toolsEnabled, let parallel = configuration.parallelToolCalls {
                fields.append(("parallel_tool_calls", .value(.bool(parallel))))
            }
        }
        if let schema = request.outputSchema {
            fields.append(("response_format", .value([
                "type": "json_schema",
                "json_schema": ["name": .string(schema.name), "schema": schema.schema, "strict": .bool(schema.isStrictCompatible)],
            ])))
        }
        fields.append((configuration.maxTokensField, .value(.integer(request.maxOutputTokens))))
        if let temperature = request.temperature {
            fields.append(("temperature", .value(.number(temperature))))
        }
        fields.append(("stream", .value(.bool(configuration.streaming))))
        if configuration.streaming, configuration.includeStreamUsage {
            fields.append(("stream_options", .value(["include_usage": true])))
        }
        return fields
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

    /// One offered tool, `{"type":"function","function":{"name":…,"description":…,"parameters":…}}`,
    /// from the spec's cached description and schema.
    static func append(tool spec: ToolSpec, to out: inout [UInt8]) {
        appendASCII(#"{"type":"function","function":{"name":"#, to: &out)
        JSONValue.appendJSONString(spec.name, to: &out)
        appendASCII(#","description":"#, to: &out)
        out.append(contentsOf: spec.descriptionJSON)
        appendASCII(#","parameters":"#, to: &out)
        out.append(contentsOf: spec.parametersJSON)
        appendASCII("}}", to: &out)
    }

    private static func appendASCII(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
