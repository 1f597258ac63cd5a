/// A message as JSON — the shape of chat's `/save`, `sessions export --format json` and the run
/// store's conversations:
/// `{"role": "user", "content": "…"}`,
/// `{"role": "assistant", "content": "…", "tool_calls": [{"id", "name", "arguments"}]}`,
/// `{"role": "tool", "results": [{"tool_call_id", "name", "content", "is_error"}]}`.
extension ChatMessage {
    public var json: JSONValue {
        switch self {
        case .system(let text):
            ["role": "system", "content": .string(text)]
        case .user(let text):
            ["role": "user", "content": .string(text)]
        case .assistant(let text, let calls):
            [
                "role": "assistant",
                "content": .string(text),
                "tool_calls": .array(calls.map { ["id": .string($0.id), "name": .string($0.name), "arguments": .string($0.rawArguments)] }),
            ]
        case .toolResults(let results):
            [
                "role": "tool",
                "results": .array(results.map {
                    ["tool_call_id": .string($0.callID), "name": .string($0.toolName), "content": .string($0.content), "is_error": .bool($0.isError)]
                }),
            ]
        }
    }

    /// Reads a message written by ``json``; `nil` when `json` is not one.
    public init?(json: JSONValue) {
        switch json["role"]?.stringValue {
        case "system":
            guard let text = json["content"]?.stringValue else { return nil }
            self = .system(text)
        case "user":
            guard let text = json["content"]?.stringValue else { return nil }
            self = .user(text)
        case "assistant":
            var calls: [ToolCall] = []
            for call in json["tool_calls"]?.arrayValue ?? [] {
                guard let id = call["id"]?.stringValue, let name = call["name"]?.stringValue else { return nil }
                calls.append(ToolCall(id: id, name: name, rawArguments: call["arguments"]?.stringValue ?? ""))
            }
            self = .assistant(text: json["content"]?.stringValue ?? "", toolCalls: calls)
        case "tool":
            var results: [ToolResultMessage] = []
            for result in json["results"]?.arrayValue ?? [] {
                guard let id = result["tool_call_id"]?.stringValue, let name = result["name"]?.stringValue else { return nil }
                results.append(ToolResultMessage(
                    callID: id, toolName: name, content: result["content"]?.stringValue ?? "", isError: result["is_error"]?.boolValue ?? false))
            }
            self = .toolResults(results)
        default:
            return nil
        }
    }

    /// Messages read from a JSON array written from ``json``; `nil` when any is not a message.
    public static func messages(fromJSON text: String) -> [ChatMessage]? {
        guard let array = (try? JSONValue(parsing: text))?.arrayValue else { return nil }
        var messages: [ChatMessage] = []
        for item in array {
            guard let message = ChatMessage(json: item) else { return nil }
            messages.append(message)
        }
        return messages
    }
}
