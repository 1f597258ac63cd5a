import BrigadeCore

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
        let caching = configuration.promptCaching
        if !system.isEmpty {
            let text = JSONValue.string(system.joined(separator: "\n\n"))
            body["system"] = caching.system ? [["type": "text", "text": text, "cache_control": PromptCaching.breakpoint]] : text
        }
        var tools = request.tools.map(tool(for:))
        if let schema = request.outputSchema { tools.append(answerTool(for: schema)) }
        var conversation = messages(for: request.messages, toolBlocks: !tools.isEmpty)
        if caching.conversation { markLastBlock(of: &conversation) }
        body["messages"] = .array(conversation)
        if !tools.isEmpty {
            if caching.tools, case .object(var last) = tools[tools.count - 1] {
                last["cache_control"] = PromptCaching.breakpoint
                tools[tools.count - 1] = .object(last)
            }
            body["tools"] = .array(tools)
            if let choice = toolChoice(for: request, configuration: configuration) { body["tool_choice"] = choice }
        }
        if let temperature = request.temperature { body["temperature"] = .number(temperature) }
        body["stream"] = .bool(configuration.streaming)
        return .object(body)
    }

    /// The configured choice; with an output schema the model must call a tool (the answer tool
    /// counts), and with tools disabled it must call the answer tool.
    static func toolChoice(for request: ModelRequest, configuration: AnthropicClient.Configuration) -> JSONValue? {
        guard request.outputSchema != nil else { return configuration.toolChoice.applied(to: request).anthropicValue }
        guard request.toolsEnabled, !request.tools.isEmpty else { return ["type": "tool", "name": .string(OutputSchema.toolName)] }
        return configuration.toolChoice.applied(to: request).anthropicValue.flatMap { $0["type"] == "tool" ? $0 : nil } ?? ["type": "any"]
    }

    /// The tool whose input is the answer; a schema that is not an object goes inside `answer`.
    static func answerTool(for schema: OutputSchema) -> JSONValue {
        [
            "name": .string(OutputSchema.toolName),
            "description": "Give the final answer. Call this alone, once you have everything you need; its input is the answer.",
            "input_schema": isObjectSchema(schema.schema)
                ? schema.schema : ["type": "object", "properties": ["answer": schema.schema], "required": ["answer"]],
        ]
    }

    static func isObjectSchema(_ schema: JSONValue) -> Bool { schema["type"]?.stringValue == "object" }

    /// The response with a lone answer-tool call turned into the answer text (its input as JSON);
    /// an answer call beside other calls is dropped (the model answers after their results).
    static func answer(in response: ModelResponse, schema: OutputSchema) -> ModelResponse {
        guard let call = response.toolCalls.first(where: { $0.name == OutputSchema.toolName }) else { return response }
        var answer = response
        answer.toolCalls.removeAll { $0.name == OutputSchema.toolName }
        guard answer.toolCalls.isEmpty else { return answer }
        var value = (try? call.parsedArguments()) ?? .string(call.rawArguments)
        if !isObjectSchema(schema.schema), let inner = value["answer"] { value = inner }
        answer.text = value.jsonString
        answer.finishReason = .stop
        return answer
    }

    /// Adds a cache breakpoint to the last content block of the last message.
    static func markLastBlock(of conversation: inout [JSONValue]) {
        guard case .object(var message)? = conversation.last, case .array(var blocks)? = message["content"],
            case .object(var block)? = blocks.last else { return }
        block["cache_control"] = PromptCaching.breakpoint
        blocks[blocks.count - 1] = .object(block)
        message["content"] = .array(blocks)
        conversation[conversation.count - 1] = .object(message)
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
