import BrigadeCore

/// Where an ``AnthropicClient`` puts prompt-cache breakpoints (`cache_control: {"type": "ephemeral"}`):
/// the end of the tool definitions, the system prompt, and the conversation so far (the last block of
/// the last message, so the next turn reads the whole prefix from the cache). At most 3 of the API's 4.
///
/// Cache writes cost more than input (1.25 × for the 5-minute cache) and reads far less (0.1 ×);
/// prompts shorter than the model's minimum (1,024–4,096 tokens) are not cached and cost nothing
/// extra. OpenAI caches long prompts by itself; its `cached_tokens` are priced the same way.
public struct PromptCaching: Sendable, Hashable {
    public var system: Bool
    public var tools: Bool
    public var conversation: Bool

    public init(system: Bool = true, tools: Bool = true, conversation: Bool = true) {
        self.system = system
        self.tools = tools
        self.conversation = conversation
    }

    /// No breakpoints.
    public static let off = PromptCaching(system: false, tools: false, conversation: false)

    /// `{"type": "ephemeral"}`.
    static let breakpoint: JSONValue = ["type": "ephemeral"]
}
