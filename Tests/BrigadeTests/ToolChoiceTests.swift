import Brigade
import Testing

/// A profile's `tool_choice`, on both wires: on the first turn after the user's message only.
@Suite("Tool choice")
struct ToolChoiceTests {
    static let tools = [ToolSpec(name: "weather", description: "Weather")]
    static let firstTurn = ModelRequest(messages: [.system("s"), .user("go")], tools: tools)
    static let afterResults = ModelRequest(
        messages: [
            .user("go"), .assistant(text: "", toolCalls: [ToolCall(id: "c1", name: "weather", rawArguments: "{}")]),
            .toolResults([ToolResultMessage(callID: "c1", toolName: "weather", content: "sunny", isError: false)]),
        ],
        tools: tools
    )

    func openAI(_ choice: ToolChoice, _ request: ModelRequest) -> JSONValue? {
        var configuration = OpenAIChatClient.Configuration(apiKey: nil, model: "m")
        configuration.toolChoice = choice
        return OpenAIChatClient(configuration: configuration).requestBody(for: request)["tool_choice"]
    }

    func anthropic(_ choice: ToolChoice, _ request: ModelRequest) -> JSONValue? {
        var configuration = AnthropicClient.Configuration(apiKey: nil, model: "m")
        configuration.toolChoice = choice
        return AnthropicClient(configuration: configuration).requestBody(for: request)["tool_choice"]
    }

    @Test func eachChoiceMapsToBothAPIs() {
        #expect(openAI(.auto, Self.firstTurn) == "auto")
        #expect(openAI(.required, Self.firstTurn) == "required")
        #expect(openAI(.none, Self.firstTurn) == "none")
        #expect(openAI(.tool("weather"), Self.firstTurn) == ["type": "function", "function": ["name": "weather"]])
        #expect(anthropic(.auto, Self.firstTurn) == nil)
        #expect(anthropic(.required, Self.firstTurn) == ["type": "any"])
        #expect(anthropic(.none, Self.firstTurn) == ["type": "none"])
        #expect(anthropic(.tool("weather"), Self.firstTurn) == ["type": "tool", "name": "weather"])
        #expect(ToolChoice(parsing: "required") == .required)
        #expect(ToolChoice(parsing: "weather") == .tool("weather"))
    }

    @Test func aNamedToolTheRequestDoesNotOfferFallsBackToAuto() {
        #expect(openAI(.tool("search"), Self.firstTurn) == "auto")
        #expect(anthropic(.tool("search"), Self.firstTurn) == nil)
    }

    @Test func afterToolResultsTheModelMayAnswerAndDisabledToolsStayNone() {
        #expect(openAI(.required, Self.afterResults) == "auto")
        #expect(anthropic(.required, Self.afterResults) == nil)
        var synthesis = Self.afterResults
        synthesis.toolsEnabled = false
        #expect(anthropic(.required, synthesis) == ["type": "none"])
        var configuration = OpenAIChatClient.Configuration(apiKey: nil, model: "m", disabledTools: .toolChoiceNone)
        configuration.toolChoice = .required
        #expect(OpenAIChatClient(configuration: configuration).requestBody(for: synthesis)["tool_choice"] == "none")
    }
}
