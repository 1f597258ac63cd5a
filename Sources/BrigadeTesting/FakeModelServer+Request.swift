import Brigade

/// A request the ``FakeModelServer`` received, kept for assertions and handed to a `respond` closure.
public struct FakeModelRequest: Sendable, Hashable {
    /// Which API the request spoke, by its path.
    public enum API: String, Sendable, Hashable {
        case openAIChat
        case anthropicMessages
    }

    public var api: API
    public var method: String
    public var path: String
    /// Header values by lowercased name.
    public var headers: [String: String]
    /// The body text as received.
    public var bodyText: String
    /// The body parsed as JSON; `nil` when it is not JSON.
    public var body: JSONValue?

    public init(api: API, method: String, path: String, headers: [String: String], bodyText: String) {
        self.api = api
        self.method = method
        self.path = path
        self.headers = headers
        self.bodyText = bodyText
        self.body = try? JSONValue(parsing: bodyText)
    }

    /// The `model` field.
    public var model: String? { body?["model"]?.stringValue }
    /// Whether the request asked for a stream (`stream: true`).
    public var isStreaming: Bool { body?["stream"]?.boolValue ?? false }
    /// The `messages` list.
    public var messages: [JSONValue] { body?["messages"]?.arrayValue ?? [] }
    /// The names of the tools sent, in order.
    public var toolNames: [String] {
        (body?["tools"]?.arrayValue ?? []).compactMap { $0["function"]?["name"]?.stringValue ?? $0["name"]?.stringValue }
    }
    /// The `tool_choice` field as sent.
    public var toolChoice: JSONValue? { body?["tool_choice"] }

    /// Whether this request lets the model call tools: tools are sent and `tool_choice` is not "none".
    public var offersTools: Bool {
        guard !toolNames.isEmpty else { return false }
        return toolChoice?.stringValue != "none" && toolChoice?["type"]?.stringValue != "none"
    }

    /// The text of the last user message (its text blocks joined, for Anthropic).
    public var lastUserText: String? {
        for message in messages.reversed() where message["role"]?.stringValue == "user" {
            if let text = message["content"]?.stringValue { return text }
            let parts = (message["content"]?.arrayValue ?? []).compactMap { block -> String? in
                block["type"]?.stringValue == "text" ? block["text"]?.stringValue : nil
            }
            if !parts.isEmpty { return parts.joined(separator: "\n") }
        }
        return nil
    }

    /// One tool result sent back to the model.
    public struct ToolResult: Sendable, Hashable {
        public var callID: String
        public var content: String
        /// Anthropic's `is_error`; always `false` for OpenAI, which has no such field.
        public var isError: Bool
    }

    /// The tool results at the end of the conversation, in the order sent: OpenAI's trailing
    /// `tool` messages, or the `tool_result` blocks of Anthropic's last user message.
    public var trailingToolResults: [ToolResult] {
        switch api {
        case .openAIChat:
            var results: [ToolResult] = []
            for message in messages.reversed() {
                guard message["role"]?.stringValue == "tool" else { break }
                results.insert(ToolResult(
                    callID: message["tool_call_id"]?.stringValue ?? "",
                    content: Self.text(of: message["content"]),
                    isError: false
                ), at: 0)
            }
            return results
        case .anthropicMessages:
            guard let last = messages.last, last["role"]?.stringValue == "user" else { return [] }
            return (last["content"]?.arrayValue ?? []).compactMap { block in
                guard block["type"]?.stringValue == "tool_result" else { return nil }
                return ToolResult(
                    callID: block["tool_use_id"]?.stringValue ?? "",
                    content: Self.text(of: block["content"]),
                    isError: block["is_error"]?.boolValue ?? false
                )
            }
        }
    }

    static func text(of content: JSONValue?) -> String {
        if let text = content?.stringValue { return text }
        return (content?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
    }
}
