import BrigadeCore
import Synchronization

/// Encodes a ``ModelRequest`` as a Chat Completions request body.
enum OpenAIRequestEncoder {
    /// A top-level field of the body: a value, or the offered tools, which ``bodyBytes(for:configuration:caches:)``
    /// writes from each spec's cached JSON (``ToolSpec/parametersJSON``) instead of encoding them again.
    enum Field {
        case value(JSONValue)
        case tools([ToolSpec])
        case messages([ChatMessage])
        /// JSON text as it is sent.
        case literal(StaticString)
    }

    /// What a client keeps from one request to the next (``bodyBytes(for:configuration:caches:)``).
    final class Caches: Sendable {
        /// The system prompt's JSON string literal.
        let systemText = EncodedJSONCache<String>.text()
        /// The `tools` array's JSON.
        let tools = EncodedJSONCache<[ToolSpec]>(isSame: { $0.sharesStorage(with: $1) }, encode: { append(tools: $0, to: &$1) })
        /// The last body's size, to reserve the next one's buffer at once.
        let lastBodySize = Atomic<Int>(1024)

        init() {}
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
    /// - Parameter caches: what a client keeps between requests (its system prompt's and its tool
    ///   list's JSON, the last body's size); `nil` encodes everything each time.
    static func bodyBytes(for request: ModelRequest, configuration: OpenAIChatClient.Configuration, caches: Caches? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(min(caches?.lastBodySize.load(ordering: .relaxed) ?? 1024, 256 * 1024) + 256)
        out.append(UInt8(ascii: "{"))
        for (position, (key, field)) in fields(for: request, configuration: configuration).enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            // The keys are plain ASCII names: nothing to escape.
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: key.utf8)
            appendASCII("\":", to: &out)
            switch field {
            case .value(let value):
                value.appendJSON(to: &out)
            case .literal(let text):
                appendASCII(text, to: &out)
            case .tools(let tools):
                if let caches { caches.tools.append(tools, to: &out) } else { append(tools: tools, to: &out) }
            case .messages(let messages):
                out.append(UInt8(ascii: "["))
                var first = true
                for message in messages {
                    append(message: message, to: &out, first: &first, systemText: caches?.systemText)
                }
                out.append(UInt8(ascii: "]"))
            }
        }
        out.append(UInt8(ascii: "}"))
        caches?.lastBodySize.store(out.count, ordering: .relaxed)
        return out
    }

    /// One conversation message, as ``messages(for:)`` encodes it (none, one or several array
    /// elements, each after a `,` unless `first`): the system and user messages written directly,
    /// the others through their trees.
    private static func append(message: ChatMessage, to out: inout [UInt8], first: inout Bool, systemText: EncodedJSONCache<String>?) {
        switch message {
        case .system(let text):
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            appendASCII(#"{"role":"system","content":"#, to: &out)
            if let systemText { systemText.append(text, to: &out) } else { JSONValue.appendJSONString(text, to: &out) }
            out.append(UInt8(ascii: "}"))
        case .user(let text):
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            appendASCII(#"{"role":"user","content":"#, to: &out)
            JSONValue.appendJSONString(text, to: &out)
            out.append(UInt8(ascii: "}"))
        case .assistant, .toolResults:
            for value in messages(for: message) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                value.appendJSON(to: &out)
            }
        }
    }

    /// The `tools` array: one entry per spec (``append(tool:to:)``).
    static func append(tools: [ToolSpec], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for index in tools.indices {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            append(tool: tools[index], to: &out)
        }
        out.append(UInt8(ascii: "]"))
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
            fields.append(("stream_options", .literal(#"{"include_usage":true}"#)))
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
