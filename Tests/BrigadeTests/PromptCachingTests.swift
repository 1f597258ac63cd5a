import Brigade
import BrigadeTesting
import CurlHTTP
import Logging
import Testing

/// Anthropic cache breakpoints on the wire, and cache reads and writes priced at their own rates.
@Suite("Prompt caching", .timeLimit(.minutes(1)))
struct PromptCachingTests {
    static let tools = [ToolSpec(name: "a", description: "A"), ToolSpec(name: "b", description: "B")]
    static let request = ModelRequest(
        messages: [
            .system("Be brief."), .user("go"), .assistant(text: "", toolCalls: [ToolCall(id: "t1", name: "a", rawArguments: "{}")]),
            .toolResults([ToolResultMessage(callID: "t1", toolName: "a", content: "result", isError: false)]),
        ],
        tools: tools
    )

    func body(_ caching: PromptCaching) -> JSONValue {
        var configuration = AnthropicClient.Configuration(apiKey: nil, model: "m")
        configuration.promptCaching = caching
        return AnthropicClient(configuration: configuration).requestBody(for: Self.request)
    }

    @Test func breakpointsOnTheSystemPromptTheToolsAndTheConversation() {
        let body = body(PromptCaching())
        #expect(body["system"] == [["type": "text", "text": "Be brief.", "cache_control": ["type": "ephemeral"]]])
        #expect(body["tools"]?.arrayValue?.dropFirst().first?["cache_control"] == ["type": "ephemeral"])
        #expect(body["tools"]?.arrayValue?.first?["cache_control"] == nil)
        let last = body["messages"]?.arrayValue?.last?["content"]?.arrayValue?.last
        #expect(last?["type"] == "tool_result")
        #expect(last?["cache_control"] == ["type": "ephemeral"])
        #expect(body.jsonString.components(separatedBy: "cache_control").count - 1 == 3)
        let off = self.body(.off)
        #expect(off["system"] == "Be brief.")
        #expect(!off.jsonString.contains("cache_control"))
        let systemOnly = self.body(PromptCaching(system: true, tools: false, conversation: false))
        #expect(systemOnly.jsonString.components(separatedBy: "cache_control").count - 1 == 1)
    }

    @Test func profilesCacheByDefaultAndCanOptOut() throws {
        let config = try BrigadeConfig.parse("""
            models:
              on: {provider: anthropic, model: claude-haiku-4-5}
              off: {provider: anthropic, model: claude-haiku-4-5, prompt_caching: false}
              some: {provider: anthropic, model: claude-haiku-4-5, prompt_caching: {tools: false}}
            """, file: "/p/c.yaml", environment: [:])
        #expect(config.models.map(\.settings.promptCaching) == [PromptCaching(), .off, PromptCaching(tools: false)])
        #expect(config.models[0].settings.price?.cacheWritePerMillion == 1.25)
        let (client, _) = Workspace.makeModel(config.models[0].settings, environment: ["ANTHROPIC_API_KEY": "k"], httpClient: ProviderTestHTTP.client)
        #expect((client as? AnthropicClient)?.configuration.promptCaching == PromptCaching())
    }

    static func agent(_ model: any ModelClient, pricing: ModelPricing) throws -> Agent {
        Agent(registry: try ToolRegistry([]), configuration: Agent.Configuration(model: model, pricing: pricing), logger: Logger(label: "test"))
    }

    @Test func openAICachedTokensCostTheCachedRate() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.text("hi", usage: TokenUsage(inputTokens: 10_000, outputTokens: 100, cachedInputTokens: 8_000)))
            let client = OpenAIChatClient(configuration: .init(baseURL: server.openAIBaseURL, apiKey: "k", model: "m"), httpClient: ProviderTestHTTP.client)
            let pricing = ModelPricing(inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5)
            let result = await (try Self.agent(client, pricing: pricing)).run("go")
            #expect(result.usage == TokenUsage(inputTokens: 10_000, outputTokens: 100, cachedInputTokens: 8_000))
            #expect(abs(result.costUSD - (2_000.0 * 2 + 8_000 * 0.5 + 100 * 8) / 1_000_000) < 1e-12)
            #expect(result.usage.json["cached_input_tokens"] == 8_000)
        }
    }

    @Test func anthropicCacheReadsAndWritesCostTheirRates() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.text("hi", usage: TokenUsage(inputTokens: 10_000, outputTokens: 100, cachedInputTokens: 6_000, cacheCreationInputTokens: 3_000)))
            var configuration = AnthropicClient.Configuration(baseURL: server.anthropicBaseURL, apiKey: "k", model: "m")
            configuration.promptCaching = PromptCaching()
            let pricing = ModelPricing(inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3, cacheWritePerMillion: 3.75)
            let agent = Agent(
                registry: try ToolRegistry([]),
                configuration: Agent.Configuration(model: AnthropicClient(configuration: configuration, httpClient: ProviderTestHTTP.client), pricing: pricing, systemPrompt: "Be brief."),
                logger: Logger(label: "test")
            )
            let result = await agent.run("go")
            #expect(result.usage == TokenUsage(inputTokens: 10_000, outputTokens: 100, cachedInputTokens: 6_000, cacheCreationInputTokens: 3_000))
            #expect(abs(result.costUSD - (1_000.0 * 3 + 6_000 * 0.3 + 3_000 * 3.75 + 100 * 15) / 1_000_000) < 1e-12)
            #expect(result.usage.json["cache_write_input_tokens"] == 3_000)
            let sent = try #require(server.requests.first?.body)
            #expect(sent["system"]?.arrayValue?.first?["cache_control"] == ["type": "ephemeral"])
        }
    }
}
