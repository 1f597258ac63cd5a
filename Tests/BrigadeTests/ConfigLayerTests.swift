import Brigade
import Foundation
import Testing

/// Layered configuration: user → project → $BRIGADE_CONFIG → --config, merged key by key with the
/// file:line of every value kept.
@Suite("Config layers", .timeLimit(.minutes(1)))
struct ConfigLayerTests {
    /// A home with a user layer, and a project two folders above the working directory.
    struct Fixture {
        let directory: ConfigTempDirectory
        var environment: [String: String] { ["XDG_CONFIG_HOME": directory.path + "/xdg", "HOME": directory.path + "/home"] }
        var user: String { directory.path + "/xdg/brigade" }
        var project: String { directory.path + "/repo/.brigade" }
        var work: String { directory.path + "/repo/src/deep" }

        init() throws {
            directory = try ConfigTempDirectory()
            try directory.write("xdg/brigade/config.yaml", """
                limits:
                  max_turns: 3
                  tool_timeout: 9s
                budget:
                  wall_seconds: 60
                routing: static
                """)
            try directory.write("repo/.brigade/config.yaml", """
                limits:
                  max_turns: 5
                """)
            _ = try directory.makeDirectory("repo/src/deep")
        }
    }

    @Test func laterLayersWinKeyByKeyAndEveryValueKeepsItsPlace() throws {
        let fixture = try Fixture()
        let config = try BrigadeConfig.resolve(explicit: nil, environment: fixture.environment, currentDirectory: fixture.work)
        #expect(config.layers.map(\.kind) == [.user, .project])
        #expect(config.limits.maxTurns == 5)
        #expect(config.limits.toolTimeout == .seconds(9))
        #expect(config.budget.wallClock == .seconds(60))
        #expect(config.routing == .static)
        #expect(config.locations["limits.max_turns"] == SourceLocation(file: fixture.project + "/config.yaml", line: 2, column: 14))
        #expect(config.locations["limits.tool_timeout"]?.file == fixture.user + "/config.yaml")
        #expect(config.locations["limits.max_calls_per_run"] == nil)  // a built-in default
        #expect(config.file == fixture.project + "/config.yaml")

        // $BRIGADE_CONFIG over the project, --config over everything.
        try fixture.directory.write("env.yaml", "limits: {max_turns: 6}\nrouting: hybrid\n")
        try fixture.directory.write("cli.yaml", "limits: {max_turns: 7}\n")
        var environment = fixture.environment
        environment["BRIGADE_CONFIG"] = fixture.directory.path + "/env.yaml"
        let overridden = try BrigadeConfig.resolve(explicit: fixture.directory.path + "/cli.yaml", environment: environment, currentDirectory: fixture.work)
        #expect(overridden.layers.map(\.kind) == [.user, .project, .environment, .explicit])
        #expect(overridden.limits.maxTurns == 7)
        #expect(overridden.routing == .hybrid)
        #expect(overridden.locations["routing"]?.file == fixture.directory.path + "/env.yaml")
        #expect(overridden.limits.toolTimeout == .seconds(9))
    }

    @Test func theProjectIsTheNearestBrigadeFolderWalkingUp() throws {
        let fixture = try Fixture()
        try fixture.directory.write("repo/src/.brigade/config.yaml", "limits: {max_turns: 4}\n")
        let config = try BrigadeConfig.resolve(explicit: nil, environment: fixture.environment, currentDirectory: fixture.work)
        #expect(config.limits.maxTurns == 4)
        #expect(config.layers.last?.directory == fixture.directory.path + "/repo/src/.brigade")
    }

    @Test func aModelSectionIsReplacedWholeNotMixedAcrossLayers() throws {
        let fixture = try Fixture()
        try fixture.directory.write("xdg/brigade/config.yaml", "model: {provider: openai, model: gpt-4o, base_url: 'http://example.test/v1'}\n")
        try fixture.directory.write("repo/.brigade/config.yaml", "model: {provider: anthropic, model: claude-haiku-4-5}\n")
        let model = try #require(try BrigadeConfig.resolve(explicit: nil, environment: fixture.environment, currentDirectory: fixture.work).model)
        #expect(model.provider == .anthropic)
        #expect(model.baseURL == "https://api.anthropic.com")
    }

    @Test func toolsOfEveryLayerLoadAndALaterLayerReplacesASameNamedTool() throws {
        let fixture = try Fixture()
        let tool = { (name: String, word: String) in "name: \(name)\ndescription: Says \(word).\nkind: command\ncommand:\n  argv: [echo, \(word)]\n" }
        try fixture.directory.write("xdg/brigade/tools/hello.yaml", tool("hello", "hello"))
        try fixture.directory.write("xdg/brigade/tools/bye.yaml", tool("bye", "bye"))
        try fixture.directory.write("repo/.brigade/tools/hello.yaml", tool("hello", "howdy"))
        let workspace = try Workspace.load(environment: fixture.environment, currentDirectory: fixture.work)
        #expect(workspace.registry.names.sorted() == ["bye", "hello"])
        #expect(workspace.registry.specs.first { $0.name == "hello" }?.description == "Says howdy.")
        #expect(workspace.overrides.map(\.description) == [
            "tool `hello`: \(fixture.project)/tools/hello.yaml:1 replaces \(fixture.user)/tools/hello.yaml:1"
        ])
    }
}

@Suite("Model profiles and prices", .timeLimit(.minutes(1)))
struct ModelProfileTests {
    static let profiles = """
        model: smart
        models:
          fast:
            model: gpt-4o-mini
            aliases: [mini, f]
          smart:
            provider: anthropic
            model: claude-sonnet-4-5-20250929
          local:
            base_url: http://127.0.0.1:1/v1
            model: llama
            api_key_env: null
        budget:
          usd: 0.10
        """

    @Test func theDefaultIsNamedAndDashMChoosesByNameOrAlias() throws {
        let config = try BrigadeConfig.parse(Self.profiles, file: "/p/config.yaml", environment: [:])
        #expect(config.models.map(\.name) == ["fast", "smart", "local"])
        #expect(config.model?.profile == "smart")
        #expect(config.model?.provider == .anthropic)
        // A dated snapshot gets the table's price for its family.
        #expect(config.model?.price == ModelPricing(inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.30, cacheWritePerMillion: 3.75))
        let fast = try config.selectingModel("mini")
        #expect(fast.model?.model == "gpt-4o-mini")
        #expect(fast.model?.keyPath == "models.fast")
    }

    @Test func anUnknownProfileNamesTheKnownOnes() throws {
        let config = try BrigadeConfig.parse(Self.profiles, file: "/p/config.yaml", environment: [:])
        let error = configError { _ = try config.selectingModel("fats") }
        #expect(error?.message == "unknown model profile `fats` (did you mean `fast`?); the profiles are: fast (mini, f), smart, local")
        let inFile = configError { _ = try BrigadeConfig.parse("model: nope\nmodels:\n  a: {model: gpt-4o}\n", file: "/p/config.yaml", environment: [:]) }
        #expect(inFile?.location == SourceLocation(file: "/p/config.yaml", line: 1, column: 8))
    }

    @Test func aUSDBudgetWithAnUnpricedModelIsALoadTimeErrorSayingHowToFixIt() throws {
        let config = try BrigadeConfig.parse(Self.profiles, file: "/p/config.yaml", environment: [:])
        let error = configError { _ = try config.selectingModel("local") }
        #expect(error?.location == SourceLocation(file: "/p/config.yaml", line: 14, column: 8))
        #expect(error?.message.contains("`budget.usd` is set, but the model `llama` (openai) has no price") == true)
        #expect(error?.message.contains("add `price: {input_per_million: …, output_per_million: …}` to the profile `models.local`") == true)
        // Without a budget, an unpriced model is fine; with a price of 0 (a free local server) too.
        _ = try BrigadeConfig.parse("model: {model: llama}\n", file: "/p/config.yaml", environment: [:])
        _ = try BrigadeConfig.parse("model: {model: llama, price: {input_per_million: 0, output_per_million: 0}}\nbudget: {usd: 1}\n", file: "/p/config.yaml", environment: [:])
    }

    @Test func aConfiguredPriceOverridesTheTable() throws {
        let config = try BrigadeConfig.parse(
            "model:\n  model: gpt-4o\n  price: {input_per_million: 1, cached_input_per_million: 0.5, output_per_million: 2}\n",
            file: "/p/config.yaml", environment: [:])
        #expect(config.model?.price == ModelPricing(inputPerMillion: 1, outputPerMillion: 2, cachedInputPerMillion: 0.5))
        #expect(config.model?.priceSource == .configured(SourceLocation(file: "/p/config.yaml", line: 3, column: 10)))
    }

    @Test func thePriceTableMatchesExactNamesAndSnapshotsOnly() {
        #expect(PriceTable.price(provider: .openai, model: "gpt-4o")?.inputPerMillion == 2.50)
        #expect(PriceTable.price(provider: .openai, model: "gpt-4o-mini-2024-07-18")?.inputPerMillion == 0.15)
        #expect(PriceTable.price(provider: .anthropic, model: "claude-3-5-haiku-latest")?.outputPerMillion == 4)
        #expect(PriceTable.price(provider: .openai, model: "gpt-4o-audio-preview") == nil)
        #expect(PriceTable.price(provider: .anthropic, model: "gpt-4o") == nil)
    }

    @Test func cachedInputTokensCostTheCachedRate() {
        let price = ModelPricing(inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5)
        let usage = TokenUsage(inputTokens: 1_000_000, outputTokens: 1_000_000, cachedInputTokens: 400_000)
        #expect(abs(price.cost(of: usage) - (0.6 * 2 + 0.4 * 0.5 + 8)) < 1e-9)
    }
}
