/// Encodes a ``ModelRequest`` as a Messages API request body.
///
/// - System messages go, joined by blank lines, into the top-level `system` field.
/// - Consecutive messages of one role merge into one message of content blocks, so all tool
///   results of a turn travel in ONE user message, in call order, ahead of any text.
/// - Empty text blocks are left out (the API rejects them); a message left with no blocks is dropped.
/// - Tools disabled: the tools are still sent, with `tool_choice: {"type": "none"}`, because the
///   API rejects a conversation holding `tool_use`/`tool_result` blocks when no tools are defined.
///   If the request has no tools at all, earlier tool calls and results are rendered as text.
/// - A tool call whose arguments are not a JSON object goes back with `input: {}`.
enum AnthropicRequestEncoder {
    static func body(for request: ModelRequest, configuration: AnthropicClient.Configuration) -> JSONValue {
        var body: JSONObject = ["model": .string(configuration.model), "max_tokens": .integer(request.maxOutputTokens)]
        let system = request.messages.compactMap { message -> String? in
            if case .system(let text) = message, !text.isEmpty { text } else { nil }
        }
        if !system.isEmpty { body["system"] = .string(system.joined(separator: "\n\n")) }
        body["messages"] = .array(messages(for: request.messages, toolBlocks: !request.tools.isEmpty))
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map(tool(for:)))
            if let choice = configuration.toolChoice.applied(to: request).anthropicValue { body["tool_choice"] = choice }
        }
        if let temperature = request.temperature { body["temperature"] = .number(temperature) }
        body["stream"] = .bool(configuration.streaming)
        return .object(body)
    }

    static func messages(for conversation: [ChatMessage], toolBlocks: Bool) -> [JSONValue] {
        var merged: [(role: String, blocks: [JSONValue])] = []
        for message in conversation {
            let role: String
            let blocks: [JSONValue]
            switch message {
            case .system:
                continue
            case .user(let text):
                role = "user"
                blocks = textBlock(text)
            case .assistant(let text, let calls):
                role = "assistant"
                blocks = textBlock(text) + calls.flatMap { call in
                    toolBlocks ? [toolUseBlock(for: call)] : textBlock("[tool call \(call.name) (\(call.id)): \(call.rawArguments)]")
                }
            case .toolResults(let results):
                role = "user"
                blocks = results.flatMap { result in
                    toolBlocks
                        ? [toolResultBlock(for: result)]
                        : textBlock("[tool result of \(result.toolName) (\(result.callID))\(result.isError ? ", an error" : "")]: \(result.content)")
                }
            }
            if blocks.isEmpty { continue }
            if let last = merged.last, last.role == role {
                merged[merged.count - 1].blocks += blocks
            } else {
                merged.append((role, blocks))
            }
        }
        return merged.map { ["role": .string($0.role), "content": .array($0.blocks)] }
    }

    static func textBlock(_ text: String) -> [JSONValue] {
        text.isEmpty ? [] : [["type": "text", "text": .string(text)]]
    }

    static func toolUseBlock(for call: ToolCall) -> JSONValue {
        var input: JSONValue = .object([:])
        if let parsed = try? call.parsedArguments(), case .object = parsed { input = parsed }
        return ["type": "tool_use", "id": .string(call.id), "name": .string(call.name), "input": input]
    }

    static func toolResultBlock(for result: ToolResultMessage) -> JSONValue {
        var block: JSONObject = ["type": "tool_result", "tool_use_id": .string(result.callID), "content": .string(result.content)]
        if result.isError { block["is_error"] = true }
        return .object(block)
    }

    static func tool(for spec: ToolSpec) -> JSONValue {
        ["name": .string(spec.name), "description": .string(spec.description), "input_schema": spec.parameters]
    }
}
