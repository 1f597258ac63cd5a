import Testing

import Brigade
@testable import BrigadeCore
@testable import BrigadeWorkspace

private let file = "/etc/brigade/config.yaml"

private func config(_ text: String, environment: [String: String] = [:]) throws -> BrigadeConfig {
    try BrigadeConfig.parse(text, file: file, environment: environment)
}

private func at(_ line: Int, _ column: Int) -> Brigade.SourceLocation {
    Brigade.SourceLocation(file: file, line: line, column: column)
}

@Suite("Config file", .timeLimit(.minutes(1)))
struct ConfigTests {
    @Test func defaultsHaveNoModel() {
        let defaults = BrigadeConfig.defaults(baseDirectory: "/work/project")
        #expect(defaults.model == nil)
        #expect(defaults.file == nil)
        #expect(defaults.routing == .hybrid)
        #expect(defaults.limits == BrigadeConfig.Limits())
        #expect(defaults.limits.maxTurns == 8)
        #expect(defaults.limits.maxParallelCalls == 16)
        #expect(defaults.limits.maxCallsPerTurn == 32)
        #expect(defaults.limits.maxCallsPerRun == 128)
        #expect(defaults.limits.toolTimeout == .seconds(30))
        #expect(defaults.limits.maxToolOutputBytes == 65536)
        #expect(defaults.budget == BrigadeConfig.BudgetLimits(synthesisReserve: 0.15))
        #expect(defaults.budget.usd == nil)
        #expect(defaults.paths.tools == Located("/work/project/tools"))
        #expect(defaults.paths.prompts.value == "/work/project/prompts")
        #expect(defaults.paths.routes.value == "/work/project/routes")
    }

    @Test func emptyFileGivesDefaultsRootedAtItsFolder() throws {
        let empty = try config("# nothing yet\n")
        #expect(empty.model == nil)
        #expect(empty.file == file)
        #expect(empty.baseDirectory == "/etc/brigade")
        #expect(empty.paths.tools.value == "/etc/brigade/tools")
    }

    @Test func everyKey() throws {
        let loaded = try config("""
            model:
              provider: anthropic
              base_url: https://proxy.internal/anthropic/
              model: claude-sonnet-4-5
              api_key_env: MY_KEY
              price: {input_per_million: 3, output_per_million: 15.5}
              max_output_tokens: 2048
              temperature: 0.2
              request_timeout: 90s
              max_retries: 2
            limits:
              max_turns: 4
              max_parallel_calls: 8
              max_calls_per_turn: 10
              max_calls_per_run: 40
              tool_timeout: 1500ms
              max_tool_output_bytes: 4096
            budget:
              usd: 0.5
              input_tokens: 200000
              output_tokens: 50000
              wall_seconds: 300
              synthesis_reserve: 0.2
            routing: static
            paths: {tools: my-tools, prompts: /opt/prompts, routes: ../shared/routes}
            """)
        let model = try #require(loaded.model)
        #expect(model.provider == .anthropic)
        #expect(model.baseURL == "https://proxy.internal/anthropic")
        #expect(model.model == "claude-sonnet-4-5")
        #expect(model.apiKeyEnvironmentVariable == "MY_KEY")
        #expect(model.price == ModelPricing(inputPerMillion: 3, outputPerMillion: 15.5))
        #expect(model.maxOutputTokens == 2048)
        #expect(model.temperature == 0.2)
        #expect(model.requestTimeout == .seconds(90))
        #expect(model.maxRetries == 2)
        #expect(loaded.limits == BrigadeConfig.Limits(
            maxTurns: 4, maxParallelCalls: 8, maxCallsPerTurn: 10, maxCallsPerRun: 40,
            toolTimeout: .milliseconds(1500), maxToolOutputBytes: 4096))
        #expect(loaded.budget == BrigadeConfig.BudgetLimits(
            usd: 0.5, inputTokens: 200_000, outputTokens: 50_000, wallClock: .seconds(300), synthesisReserve: 0.2))
        #expect(loaded.routing == .static)
        #expect(loaded.paths.tools == Located("/etc/brigade/my-tools", at: at(25, 16)))
        #expect(loaded.paths.prompts.value == "/opt/prompts")
        #expect(loaded.paths.routes.value == "/etc/shared/routes")
    }

    @Test func modelDefaultsFollowTheProvider() throws {
        let openai = try #require(try config("model: {model: gpt-4o-mini}").model)
        #expect(openai.provider == .openai)
        #expect(openai.baseURL == "https://api.openai.com/v1")
        #expect(openai.apiKeyEnvironmentVariable == "OPENAI_API_KEY")
        // Not configured, so taken from the dated price table.
        #expect(openai.price == ModelPricing(inputPerMillion: 0.15, outputPerMillion: 0.60, cachedInputPerMillion: 0.075))
        #expect(openai.priceSource == .table(date: PriceTable.date))
        #expect(openai.maxOutputTokens == 4096)
        #expect(openai.temperature == nil)
        #expect(openai.requestTimeout == .seconds(120))
        #expect(openai.maxRetries == 4)
        let anthropic = try #require(try config("model: {provider: anthropic, model: claude-haiku-4-5}").model)
        #expect(anthropic.baseURL == "https://api.anthropic.com")
        #expect(anthropic.apiKeyEnvironmentVariable == "ANTHROPIC_API_KEY")
        let local = try #require(try config("model: {model: llama, base_url: 'http://127.0.0.1:8080/v1', api_key_env: null}").model)
        #expect(local.apiKeyEnvironmentVariable == nil)
        #expect(try config("model:\n  model: m\n  temperature: ~\n").model?.temperature == nil)
    }

    @Test func unknownKeysSuggest() {
        let top = configError { _ = try config("limits: {}\nmodle: {model: x}\n") }
        #expect(top?.message == "unknown key `modle` at the top level; did you mean `model`?")
        #expect(top?.location == at(2, 1))
        let nested = configError { _ = try config("budget:\n  wall_secs: 10\n") }
        #expect(nested?.message == "unknown key `wall_secs` in `budget`; did you mean `wall_seconds`?")
        #expect(nested?.location == at(2, 3))
        let price = configError { _ = try config("model:\n  model: x\n  price: {input_per_milion: 1, output_per_million: 2}\n") }
        #expect(price?.message.contains("in `model.price`; did you mean `input_per_million`?") == true)
    }

    @Test func wrongTypesArePlaced() {
        let turns = configError { _ = try config("limits:\n  max_turns: \"8\"\n") }
        #expect(turns?.message == "`limits.max_turns`: expected integer, got string `8`")
        #expect(turns?.location == at(2, 14))
        #expect(configError { _ = try config("limits: [1]") }?.message == "`limits`: expected mapping, got sequence")
        #expect(configError { _ = try config("budget: {usd: cheap}") }?.location == at(1, 15))
        #expect(configError { _ = try config("model: {model: 4}") }?.message == "`model.model`: expected string, got integer `4`")
        #expect(configError { _ = try config("- a\n- b\n") }?.message == "expected mapping, got sequence")
    }

    @Test func enumsAndRangesAreValidated() {
        #expect(configError { _ = try config("routing: modle") }?.message == "`routing`: unknown value `modle`; did you mean `model`?")
        #expect(configError { _ = try config("model: {provider: openia, model: x}") }?.message.contains("did you mean `openai`?") == true)
        #expect(configError { _ = try config("model: {provider: google, model: x}") }?.message.contains("expected one of `openai`, `anthropic`") == true)
        #expect(configError { _ = try config("limits: {max_turns: 0}") }?.message == "`limits.max_turns`: must be at least 1, got 0")
        #expect(configError { _ = try config("limits: {max_parallel_calls: -3}") } != nil)
        #expect(configError { _ = try config("limits: {tool_timeout: 0}") }?.message == "`limits.tool_timeout`: must be greater than zero")
        #expect(configError { _ = try config("budget: {synthesis_reserve: 1}") }?.message.contains("less than 1.0") == true)
        #expect(configError { _ = try config("budget: {synthesis_reserve: -0.1}") } != nil)
        #expect(configError { _ = try config("budget: {usd: -1}") }?.message == "`budget.usd`: must be at least 0.0, got -1.0")
        #expect(configError { _ = try config("budget: {input_tokens: 1.5}") } != nil)
        #expect(configError { _ = try config("model: {model: x, temperature: 3}") }?.message.contains("between 0 and 2") == true)
        #expect(configError { _ = try config("model: {model: x, max_output_tokens: 0}") } != nil)
        #expect(configError { _ = try config("model: {model: x, base_url: api.openai.com}") }?.message.contains("http:// or https://") == true)
        #expect(configError { _ = try config("model: {model: x, api_key_env: sk-123}") }?.message.contains("not an environment variable name") == true)
        #expect(configError { _ = try config("model: {provider: openai}") }?.message == "missing required key `model.model`")
        #expect(configError { _ = try config("model: {model: ''}") }?.message == "`model.model`: must not be empty")
        #expect(configError { _ = try config("paths: {tools: ''}") }?.message == "`paths.tools`: must not be empty")
    }

    @Test func environmentInterpolation() throws {
        let env = ["LLM_URL": "http://127.0.0.1:9000/v1", "BRIGADE_HOME": "/srv/brigade", "HOME": "/home/me"]
        let loaded = try config("""
            model:
              model: ${MODEL_NAME:-gpt-4o-mini}
              base_url: ${LLM_URL}
            paths:
              tools: ${BRIGADE_HOME}/tools
              prompts: ~/prompts
            """, environment: env)
        #expect(loaded.model?.model == "gpt-4o-mini")
        #expect(loaded.model?.baseURL == "http://127.0.0.1:9000/v1")
        #expect(loaded.paths.tools.value == "/srv/brigade/tools")
        #expect(loaded.paths.prompts.value == "/home/me/prompts")
        let unset = configError { _ = try config("model:\n  model: m\n  base_url: ${LLM_URL}\n") }
        #expect(unset?.location == at(3, 13))
        #expect(unset?.message.contains("`LLM_URL` is not set") == true)
    }

    @Test func loadsFromAFile() throws {
        let directory = try ConfigTempDirectory()
        let path = try directory.write("conf/config.yaml", "routing: model\nmodel: {model: m}\n")
        let loaded = try BrigadeConfig.load(path: path, environment: [:])
        #expect(loaded.file == path)
        #expect(loaded.routing == .model)
        #expect(loaded.paths.tools.value == directory.path + "/conf/tools")
        let broken = try directory.write("broken.yaml", "limits:\n  max_turns: [\n")
        let error = configError { _ = try BrigadeConfig.load(path: broken, environment: [:]) }
        #expect(error?.location?.file == broken)
        #expect(error?.message.contains("YAML syntax error") == true)
        let missing = configError { _ = try BrigadeConfig.load(path: directory.path + "/nope.yaml", environment: [:]) }
        #expect(missing?.message.contains("no such file or directory") == true)
    }
}

@Suite("Config lookup", .timeLimit(.minutes(1)))
struct ConfigLocateTests {
    @Test func explicitPathWinsEvenWhenMissing() throws {
        let directory = try ConfigTempDirectory()
        try directory.write("config.yaml", "")
        let env = ["BRIGADE_CONFIG": directory.path + "/env.yaml"]
        #expect(BrigadeConfig.locate(explicit: "custom.yaml", environment: env, currentDirectory: directory.path)
            == directory.path + "/custom.yaml")
        #expect(BrigadeConfig.locate(explicit: "/abs/c.yaml", environment: env, currentDirectory: directory.path) == "/abs/c.yaml")
    }

    @Test func environmentVariableComesNext() throws {
        let directory = try ConfigTempDirectory()
        try directory.write("config.yaml", "")
        let env = ["BRIGADE_CONFIG": "sub/env.yaml", "HOME": "/nonexistent"]
        #expect(BrigadeConfig.locate(explicit: nil, environment: env, currentDirectory: directory.path)
            == directory.path + "/sub/env.yaml")
        #expect(BrigadeConfig.locate(explicit: "", environment: env, currentDirectory: directory.path)
            == directory.path + "/sub/env.yaml")
    }

    @Test func workingDirectoryThenXDGThenHome() throws {
        let directory = try ConfigTempDirectory()
        let work = try directory.makeDirectory("work")
        try directory.write("xdg/brigade/config.yaml", "")
        try directory.write("home/.config/brigade/config.yaml", "")
        let env = ["XDG_CONFIG_HOME": directory.path + "/xdg", "HOME": directory.path + "/home", "BRIGADE_CONFIG": ""]
        #expect(BrigadeConfig.locate(explicit: nil, environment: env, currentDirectory: work)
            == directory.path + "/xdg/brigade/config.yaml")
        try directory.write("work/config.yaml", "")
        #expect(BrigadeConfig.locate(explicit: nil, environment: env, currentDirectory: work) == work + "/config.yaml")
        let other = try directory.makeDirectory("other")
        #expect(BrigadeConfig.locate(explicit: nil, environment: ["HOME": directory.path + "/home"], currentDirectory: other)
            == directory.path + "/home/.config/brigade/config.yaml")
        // A relative XDG_CONFIG_HOME is ignored, per the XDG spec.
        #expect(BrigadeConfig.locate(explicit: nil, environment: ["XDG_CONFIG_HOME": "xdg", "HOME": directory.path + "/home"], currentDirectory: directory.path)
            == directory.path + "/home/.config/brigade/config.yaml")
    }

    @Test func nothingFoundGivesNilAndDefaults() throws {
        let directory = try ConfigTempDirectory()
        let env = ["XDG_CONFIG_HOME": directory.path + "/xdg", "HOME": directory.path]
        #expect(BrigadeConfig.locate(explicit: nil, environment: env, currentDirectory: directory.path) == nil)
        let resolved = try BrigadeConfig.resolve(explicit: nil, environment: env, currentDirectory: directory.path)
        #expect(resolved == BrigadeConfig.defaults(baseDirectory: directory.path))
        try directory.write("config.yaml", "limits: {max_turns: 2}\n")
        let found = try BrigadeConfig.resolve(explicit: nil, environment: env, currentDirectory: directory.path)
        #expect(found.limits.maxTurns == 2)
        #expect(found.file == directory.path + "/config.yaml")
    }

    @Test func aFolderNamedConfigYamlIsNotAFile() throws {
        let directory = try ConfigTempDirectory()
        _ = try directory.makeDirectory("config.yaml")
        #expect(BrigadeConfig.locate(explicit: nil, environment: [:], currentDirectory: directory.path) == nil)
    }
}
