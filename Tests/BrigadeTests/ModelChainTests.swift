import Brigade
import BrigadeTesting
import CurlHTTP
import Logging
import Testing

/// The fallback chain: failover down the models of a run, each charged at its own price, and back to
/// the first model for the next run.
@Suite("Model fallback chain", .timeLimit(.minutes(1)))
struct ModelChainTests {
    static let cheap = ModelPricing(inputPerMillion: 1, outputPerMillion: 2)
    static let dear = ModelPricing(inputPerMillion: 10, outputPerMillion: 20)

    static func client(_ baseURL: String, retries: Int = 0) -> OpenAIChatClient {
        OpenAIChatClient(
            configuration: .init(baseURL: baseURL, apiKey: "k", model: "m", retryPolicy: RetryPolicy(maxRetries: retries, initialBackoff: .milliseconds(1))),
            httpClient: ProviderTestHTTP.client
        )
    }

    static func echo() -> Tool {
        Tool(name: "echo", description: "Echoes.", parameters: ["type": "object", "properties": ["text": ["type": "string"]]]) { arguments, _ in
            ToolOutput(text: "echo " + (arguments["text"]?.stringValue ?? ""))
        }
    }

    static func agent(_ chain: ModelChain) throws -> Agent {
        Agent(registry: try ToolRegistry([echo()]), configuration: Agent.Configuration(model: chain, pricing: cheap), logger: Logger(label: "test"))
    }

    @Test func aServerErrorSwitchesForTheRestOfTheRunAndTheNextRunStartsAtTheFirstModel() async throws {
        try await withFakeModelServer { first in
            try await withFakeModelServer { second in
                let chain = try ModelChain([
                    .init(name: "fast", client: Self.client(first.openAIBaseURL, retries: 1), pricing: Self.cheap),
                    .init(name: "big", client: Self.client(second.openAIBaseURL), pricing: Self.dear),
                ])
                first.enqueue(.fault(.serverError), .fault(.serverError))
                second.enqueue(
                    .toolCalls([FakeToolCall(name: "echo", json: ["text": "a"])], usage: TokenUsage(inputTokens: 1000, outputTokens: 100)),
                    .text("done", usage: TokenUsage(inputTokens: 2000, outputTokens: 50))
                )
                let agent = try Self.agent(chain)
                let recorder = EventRecorder()
                let result = await agent.run("go") { recorder.record($0) }
                #expect(result.stopReason == .finished)
                #expect(result.answer == "done")
                // Two attempts at the first (one retry), then the second model for both turns.
                #expect(first.requestCount == 2)
                #expect(second.requestCount == 2)
                #expect(result.modelSwitches.map { "\($0.from)→\($0.to) \($0.reason.code)" } == ["fast→big server_error"])
                let switches = recorder.events.compactMap { event -> JSONValue? in
                    if case .modelSwitched = event { event.json } else { nil }
                }
                #expect(switches.count == 1)
                #expect(switches.first?["line"]?.stringValue?.hasPrefix("model fast unavailable (") == true)
                #expect(switches.first?["line"]?.stringValue?.hasSuffix("switching to big") == true)
                // Every token was the second model's, charged at its price, not the agent's.
                let expected = (3000.0 * 10 + 150.0 * 20) / 1_000_000
                #expect(abs(result.costUSD - expected) < 1e-12)
                #expect(result.json["model_switches"]?.arrayValue?.first?["to"] == "big")

                first.enqueue(.text("first again", usage: TokenUsage(inputTokens: 100, outputTokens: 10)))
                let next = await agent.run("again")
                #expect(next.answer == "first again")
                #expect(next.modelSwitches.isEmpty)
                #expect(abs(next.costUSD - (100.0 * 1 + 10.0 * 2) / 1_000_000) < 1e-12)
                #expect(second.requestCount == 2)
            }
        }
    }

    @Test func unreachableAndRateLimitedModelsAreSkippedAndAContextLengthErrorSwitchesToo() async throws {
        let refused = try RefusedPort()
        try await withFakeModelServer { limited in
            try await withFakeModelServer { small in
                try await withFakeModelServer { large in
                    limited.enqueue(.fault(.rateLimited(retryAfterMilliseconds: 1)))
                    small.enqueue(.fault(.status(400, message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.")))
                    large.enqueue(.text("fits"))
                    let chain = try ModelChain([
                        .init(name: "down", client: Self.client("http://127.0.0.1:\(refused.port)/v1")),
                        .init(name: "limited", client: Self.client(limited.openAIBaseURL)),
                        .init(name: "small", client: Self.client(small.openAIBaseURL)),
                        .init(name: "large", client: Self.client(large.openAIBaseURL)),
                    ])
                    let result = await (try Self.agent(chain)).run("go")
                    #expect(result.answer == "fits")
                    #expect(result.modelSwitches.map(\.to) == ["limited", "small", "large"])
                    #expect(result.modelSwitches.map(\.reason.code) == [.unreachable, .rateLimited, .rejected])
                }
            }
        }
    }

    @Test func aRejectedRequestDoesNotSwitchAndTheRouterOrFallbackStaysLast() async throws {
        try await withFakeModelServer { first in
            try await withFakeModelServer { second in
                first.enqueue(.fault(.status(401, message: "Incorrect API key provided")))
                let chain = try ModelChain([.init(name: "a", client: Self.client(first.openAIBaseURL)), .init(name: "b", client: Self.client(second.openAIBaseURL))])
                let result = await (try Self.agent(chain)).run("go")
                #expect(result.stopReason.code == .modelUnavailable)
                #expect(result.modelSwitches.isEmpty)
                #expect(second.requestCount == 0)
            }
        }
    }

    @Test func aModelThatStreamedTextIsNotReplacedMidAnswer() async throws {
        try await withFakeModelServer { first in
            try await withFakeModelServer { second in
                first.enqueue(FakeTurn(text: "Partial answer here", fault: .cutStream(afterEvents: 3)))
                let chain = try ModelChain([.init(name: "a", client: Self.client(first.openAIBaseURL)), .init(name: "b", client: Self.client(second.openAIBaseURL))])
                let result = await (try Self.agent(chain)).run("go")
                #expect(result.stopReason.code == .modelUnavailable)
                #expect(second.requestCount == 0)
            }
        }
    }

    @Test func aRunOptionsChainOverridesTheAgentsModel() async throws {
        try await withFakeModelServer { first in
            try await withFakeModelServer { second in
                first.enqueue(.fault(.serverError))
                second.enqueue(.text("from b"))
                let agent = Agent(registry: try ToolRegistry([]), configuration: Agent.Configuration(model: nil), logger: Logger(label: "test"))
                var options = RunOptions()
                options.model = try ModelChain([.init(name: "a", client: Self.client(first.openAIBaseURL)), .init(name: "b", client: Self.client(second.openAIBaseURL))])
                let result = try await agent.run("go", options: options)
                #expect(result.answer == "from b")
                #expect(result.modelSwitches.map(\.to) == ["b"])
            }
        }
    }

    @Test func theBudgetAdmitsCallsAtTheDearestModelsPrice() async throws {
        let cheap = ScriptedModelClient([.answer("cheap")])
        let chain = try ModelChain([.init(name: "cheap", client: cheap, pricing: Self.cheap), .init(name: "dear", client: ScriptedModelClient([]), pricing: Self.dear)])
        #expect(chain.highestPricing(default: ModelPricing()) == ModelPricing(inputPerMillion: 10, outputPerMillion: 20))
        let agent = Agent(registry: try ToolRegistry([]), configuration: Agent.Configuration(model: chain, pricing: Self.cheap), logger: Logger(label: "test"))
        // 1 cent: 5,000 tokens of output at the cheap price, 500 at the dear one.
        let result = try await agent.run("go", options: RunOptions(limits: Budget.Limits(usd: 0.01)))
        #expect(result.answer == "cheap")
        let granted = try #require(cheap.requests.first?.maxOutputTokens)
        #expect(granted < 500, "granted \(granted) output tokens")
    }

    @Test func anEmptyOrDuplicatedChainIsRefused() {
        #expect(throws: InvalidRunOptions.self) { try ModelChain([]) }
        let client = Self.client("http://127.0.0.1:1/v1")
        #expect(throws: InvalidRunOptions.self) { try ModelChain([.init(name: "a", client: client), .init(name: "a", client: client)]) }
    }
}

@Suite("Model fallback chain in config.yaml", .timeLimit(.minutes(1)))
struct ModelChainConfigTests {
    static let profiles = """
        model: fast
        models:
          fast:
            model: gpt-4o-mini
            fallback: [big, claude]
          big:
            model: gpt-4o
            fallback: claude
          claude:
            provider: anthropic
            model: claude-haiku-4-5
          local:
            base_url: http://127.0.0.1:1/v1
            model: llama
            api_key_env: null
        """

    @Test func aChainExpandsInOrderOnceEach() throws {
        let config = try BrigadeConfig.parse(Self.profiles, file: "/p/config.yaml", environment: [:])
        let model = try #require(config.model)
        #expect(try config.modelChain(for: model).map(\.profile) == ["fast", "big", "claude"])
        let chosen = try config.selectingModel("local,claude")
        #expect(try config.modelChain(for: #require(chosen.model)).map(\.profile) == ["local", "claude"])
    }

    @Test func aCycleAnEmptyChainAndAnUnknownProfileAreLoadErrors() {
        let cyclic = configError {
            _ = try BrigadeConfig.parse("models:\n  a: {model: x, fallback: b}\n  b: {model: y, fallback: [a]}\n", file: "/p/config.yaml", environment: [:])
        }
        #expect(cyclic?.message.contains("the fallback chain is cyclic: `a` → `b` → `a`") == true, "\(String(describing: cyclic))")
        #expect(cyclic?.location?.line == 3)
        let empty = configError { _ = try BrigadeConfig.parse("models:\n  a: {model: x, fallback: []}\n", file: "/p/config.yaml", environment: [:]) }
        #expect(empty?.message.contains("an empty fallback chain") == true, "\(String(describing: empty))")
        let unknown = configError { _ = try BrigadeConfig.parse("models:\n  a: {model: x, fallback: bg}\n  big: {model: y}\n", file: "/p/config.yaml", environment: [:]) }
        #expect(unknown?.message.contains("unknown model profile `bg` (did you mean `big`?)") == true, "\(String(describing: unknown))")
        let selfCycle = configError {
            _ = try BrigadeConfig.parse(Self.profiles, file: "/p/config.yaml", environment: [:]).selectingModel("big,big")
        }
        #expect(selfCycle?.message.contains("cyclic") == true, "\(String(describing: selfCycle))")
    }

    @Test func aProfileOfTheChainWithoutItsKeyIsALoadErrorNamingTheVariable() throws {
        let directory = try ConfigTempDirectory()
        let file = try directory.write("config.yaml", Self.profiles)
        let environment = ["OPENAI_API_KEY": "sk-x", "HOME": directory.path, "XDG_CONFIG_HOME": directory.path + "/xdg"]
        let error = configError { _ = try Workspace.load(configPath: file, environment: environment, currentDirectory: directory.path) }
        #expect(error?.message.contains("the model `claude` of the fallback chain cannot be used: no API key in $ANTHROPIC_API_KEY") == true, "\(String(describing: error))")
        var complete = environment
        complete["ANTHROPIC_API_KEY"] = "sk-ant-x"
        let workspace = try Workspace.load(configPath: file, environment: complete, currentDirectory: directory.path)
        #expect(workspace.model?.displayName == "fast → big → claude")
    }
}
