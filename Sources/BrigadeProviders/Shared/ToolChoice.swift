import BrigadeCore

/// Whether the model must call tools: a model profile's `tool_choice`.
///
/// It applies to the first model turn after each user message (while the conversation holds no tool
/// results for it); later turns of the run are `auto`, so that the model can answer from the results.
/// A request with tools disabled is always `none`. Small local models often call tools reliably only
/// when required.
///
/// | choice | OpenAI `tool_choice` | Anthropic `tool_choice` |
/// |---|---|---|
/// | `auto` | `"auto"` | left out (the API's default, `{"type": "auto"}`) |
/// | `required` | `"required"` | `{"type": "any"}` |
/// | `none` | `"none"` | `{"type": "none"}` |
/// | `tool(name)` | `{"type": "function", "function": {"name": name}}` | `{"type": "tool", "name": name}` |
public enum ToolChoice: Sendable, Hashable {
    case auto
    case required
    case none
    /// This one tool must be called.
    case tool(String)

    /// `auto`, `required`, `none`, or a tool's name.
    public init(parsing text: String) {
        switch text {
        case "auto": self = .auto
        case "required": self = .required
        case "none": self = .none
        default: self = .tool(text)
        }
    }

    /// The choice for `request`: this one on the first turn after the user's message, `auto` after
    /// tool results, `none` with tools disabled; a named tool the request does not offer (a run's
    /// tool subset left it out) falls back to `auto`, which the APIs would otherwise reject.
    func applied(to request: ModelRequest) -> ToolChoice {
        guard request.toolsEnabled else { return .none }
        if case .tool(let name) = self, !request.tools.contains(where: { $0.name == name }) { return .auto }
        for message in request.messages.reversed() {
            switch message {
            case .toolResults: return .auto
            case .user: return self
            default: continue
            }
        }
        return self
    }

    /// The OpenAI Chat Completions value.
    var openAIValue: JSONValue {
        switch self {
        case .auto: "auto"
        case .required: "required"
        case .none: "none"
        case .tool(let name): ["type": "function", "function": ["name": .string(name)]]
        }
    }

    /// The Anthropic Messages value; `nil` for `auto` (left out).
    var anthropicValue: JSONValue? {
        switch self {
        case .auto: nil
        case .required: ["type": "any"]
        case .none: ["type": "none"]
        case .tool(let name): ["type": "tool", "name": .string(name)]
        }
    }
}
