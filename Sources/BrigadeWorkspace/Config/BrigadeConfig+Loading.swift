import BrigadeCore
import BrigadeProviders

extension BrigadeConfig {
    static let topLevelKeys = ["model", "models", "limits", "budget", "routing", "paths", "mcp_servers", "store"]
    static let modelKeys = [
        "provider", "base_url", "model", "api_key_env", "price", "max_output_tokens", "temperature",
        "request_timeout", "max_retries", "fallback", "requests_per_minute", "input_tokens_per_minute",
        "output_tokens_per_minute", "max_concurrent_requests", "tool_choice", "prompt_caching",
    ]
    static let limitKeys = [
        "max_turns", "max_parallel_calls", "max_calls_per_turn", "max_calls_per_run", "tool_timeout",
        "max_tool_output_bytes", "session_history_tokens",
    ]
    static let budgetKeys = [
        "usd", "input_tokens", "output_tokens", "wall_seconds", "synthesis_reserve", "session_usd", "session_input_tokens", "session_output_tokens",
    ]
    static let pathKeys = ["tools", "prompts", "routes"]

    /// Reads and validates a configuration file.
    /// - Parameters:
    ///   - path: the file (relative paths resolve against the working directory).
    ///   - environment: variables for `${NAME}` interpolation; `nil` means the process environment.
    /// - Returns: the configuration; an empty file gives the defaults (with paths under the file's folder).
    /// - Throws: `ConfigError` at file:line:col for unreadable files, invalid YAML, unknown keys,
    ///   wrong types, values out of range and unset variables.
    public static func load(path: String, environment: [String: String]? = nil) throws(ConfigError) -> BrigadeConfig {
        let file = ConfigPath.resolve(path, against: ConfigFileSystem.currentDirectory())
        let root = try YAMLLoader.load(file: file)
        let config = try decode(root, file: file, environment: environment ?? ConfigFileSystem.processEnvironment())
        try config.checkUSDBudgetIsPriced()
        return config
    }

    /// Parses configuration from YAML text, as `load(path:environment:)` does from a file.
    /// - Parameters:
    ///   - text: the YAML source.
    ///   - file: the absolute path it stands for: messages name it and relative `paths` resolve
    ///     against its folder.
    ///   - environment: variables for `${NAME}` interpolation.
    public static func parse(_ text: String, file: String, environment: [String: String]) throws(ConfigError) -> BrigadeConfig {
        let config = try decode(YAMLLoader.parse(text, file: file), file: file, environment: environment)
        try config.checkUSDBudgetIsPriced()
        return config
    }

    static func decode(_ root: YAMLNode?, file: String, environment: [String: String]) throws(ConfigError) -> BrigadeConfig {
        let layer = ConfigLayer(kind: .explicit, directory: ConfigPath.directory(of: file), file: file)
        var config = try decode(layers: [(layer, root)], environment: environment)
        config.layers = []
        return config
    }

    /// Merges the layers' trees (later wins, see `ConfigMerge`) and decodes the result; each layer's
    /// `paths:` is decoded on its own, against its folder. Does not check the USD budget's price
    /// (a `-m` profile may still be chosen).
    static func decode(layers: [(ConfigLayer, YAMLNode?)], environment: [String: String]) throws(ConfigError) -> BrigadeConfig {
        var resolvedLayers: [ConfigLayer] = []
        for (layer, root) in layers {
            var layer = layer
            if let root {
                let top = try ConfigNode(root).mapping(allowedKeys: topLevelKeys)
                if let paths = top.optional("paths") {
                    layer.paths = try decodePaths(paths, base: layer.directory, environment: environment)
                }
            }
            resolvedLayers.append(layer)
        }
        let base = resolvedLayers.last?.directory ?? ConfigFileSystem.currentDirectory()
        var config = BrigadeConfig.defaults(baseDirectory: base)
        config.file = resolvedLayers.last?.file
        config.layers = resolvedLayers
        if let last = resolvedLayers.last { config.paths = last.paths }
        guard let root = ConfigMerge.merge(layers.map(\.1)) else { return config }
        config.locations = ConfigMerge.locations(of: root)
        let top = try ConfigNode(root).mapping(allowedKeys: topLevelKeys)
        if let models = top.optional("models") { config.models = try decodeProfiles(models, environment: environment) }
        if let model = top.optional("model") {
            if model.node.pairs != nil || model.node.scalarValue?.stringValue == nil {
                config.model = try decodeModel(model, environment: environment)
            } else {
                config.model = try profile(named: model.string(), in: config.models, at: model).settings
            }
        } else {
            config.model = config.models.first?.settings
        }
        try config.checkFallbackChains()
        if let limits = top.optional("limits") { config.limits = try decodeLimits(limits) }
        if let budget = top.optional("budget") { config.budget = try decodeBudget(budget) }
        if let routing = top.optional("routing") { config.routing = try routing.choice(Routing.self) }
        if let servers = top.optional("mcp_servers") { config.mcpServers = try MCPServerConfig.decodeSection(servers, environment: environment) }
        if let store = top.optional("store") { config.store = try StoreSettings.decode(store, base: base, environment: environment) }
        return config
    }

    static func decodeModel(_ node: ConfigNode, environment: [String: String], extraKeys: [String] = []) throws(ConfigError) -> ModelSettings {
        let map = try node.mapping(allowedKeys: modelKeys + extraKeys)
        let provider = try map.optional("provider")?.choice(Provider.self) ?? .openai
        let modelNode = try map.required("model")
        let name = try modelNode.string(environment: environment)
        guard !name.isEmpty else { throw modelNode.error("must not be empty") }
        var settings = ModelSettings(provider: provider, model: name)
        settings.keyPath = node.path
        if let url = map.optional("base_url") {
            let value = try url.string(environment: environment)
            guard value.hasPrefix("http://") || value.hasPrefix("https://") else {
                throw url.error("must start with http:// or https://, got `\(value.quotedForError())`")
            }
            settings.baseURL = value.hasSuffix("/") ? String(value.dropLast()) : value
        }
        if let key = map["api_key_env"] {
            if key.isNull {
                settings.apiKeyEnvironmentVariable = nil
            } else {
                let value = try key.string()
                guard ConfigInterpolation.isVariableName(value) else {
                    throw key.error("`\(value)` is not an environment variable name (the variable's name goes here, not the key itself)")
                }
                settings.apiKeyEnvironmentVariable = value
            }
        }
        if let price = map.optional("price") {
            let prices = try price.mapping(allowedKeys: ["input_per_million", "cached_input_per_million", "cache_write_per_million", "output_per_million"])
            settings.price = ModelPricing(
                inputPerMillion: try prices.required("input_per_million").double(atLeast: 0),
                outputPerMillion: try prices.required("output_per_million").double(atLeast: 0),
                cachedInputPerMillion: try prices.optional("cached_input_per_million")?.double(atLeast: 0),
                cacheWritePerMillion: try prices.optional("cache_write_per_million")?.double(atLeast: 0)
            )
            settings.priceSource = .configured(price.location)
        } else if let listed = PriceTable.price(provider: provider, model: name) {
            settings.price = listed
            settings.priceSource = .table(date: PriceTable.date)
        }
        if let value = map.optional("max_output_tokens") { settings.maxOutputTokens = try value.int(in: 1...10_000_000) }
        if let value = map.optional("temperature") {
            let temperature = try value.double()
            guard (0...2).contains(temperature) else { throw value.error("must be between 0 and 2, got \(temperature)") }
            settings.temperature = temperature
        }
        if let value = map.optional("request_timeout") { settings.requestTimeout = try value.positiveDuration() }
        if let value = map.optional("max_retries") { settings.maxRetries = try value.int(in: 0...100) }
        if let value = map.optional("requests_per_minute") { settings.rateLimits.requestsPerMinute = try positiveLimit(value) }
        if let value = map.optional("input_tokens_per_minute") { settings.rateLimits.inputTokensPerMinute = try positiveLimit(value) }
        if let value = map.optional("output_tokens_per_minute") { settings.rateLimits.outputTokensPerMinute = try positiveLimit(value) }
        if let value = map.optional("max_concurrent_requests") { settings.rateLimits.maxConcurrentRequests = try positiveLimit(value) }
        if let value = map.optional("tool_choice") {
            let text = try value.string()
            guard !text.isEmpty else { throw value.error("must be auto, required, none or a tool's name") }
            settings.toolChoice = ToolChoice(parsing: text)
        }
        if let value = map.optional("prompt_caching") { settings.promptCaching = try decodePromptCaching(value) }
        if let value = map.optional("fallback") {
            settings.fallback = try decodeFallback(value)
            settings.fallbackLocation = value.location
        }
        return settings
    }

    /// `true`, `false`, or `{system, tools, conversation}` (each defaulting to `true`).
    private static func decodePromptCaching(_ node: ConfigNode) throws(ConfigError) -> PromptCaching {
        if node.node.pairs == nil { return try node.bool() ? PromptCaching() : .off }
        let map = try node.mapping(allowedKeys: ["system", "tools", "conversation"])
        return PromptCaching(
            system: try map.optional("system")?.bool() ?? true,
            tools: try map.optional("tools")?.bool() ?? true,
            conversation: try map.optional("conversation")?.bool() ?? true
        )
    }

    /// A rate limit: a whole number of at least 1 (0 or less could never let a request through).
    private static func positiveLimit(_ node: ConfigNode) throws(ConfigError) -> Int {
        guard case .integer(let value)? = node.node.scalarValue, value >= 1 else {
            throw node.error("must be a whole number of at least 1 (leave the key out for no limit), got `\(node.node.scalarText ?? "?")`")
        }
        return value
    }

    private static func decodeLimits(_ node: ConfigNode) throws(ConfigError) -> Limits {
        let map = try node.mapping(allowedKeys: limitKeys)
        var limits = Limits()
        if let value = map.optional("max_turns") { limits.maxTurns = try value.int(in: 1...Int.max) }
        if let value = map.optional("max_parallel_calls") { limits.maxParallelCalls = try value.int(in: 1...Int.max) }
        if let value = map.optional("max_calls_per_turn") { limits.maxCallsPerTurn = try value.int(in: 1...Int.max) }
        if let value = map.optional("max_calls_per_run") { limits.maxCallsPerRun = try value.int(in: 1...Int.max) }
        if let value = map.optional("tool_timeout") { limits.toolTimeout = try value.positiveDuration() }
        if let value = map.optional("max_tool_output_bytes") { limits.maxToolOutputBytes = try value.int(in: 1...Int.max) }
        if let value = map.optional("session_history_tokens") { limits.sessionHistoryTokens = try value.int(in: 1...Int.max) }
        return limits
    }

    private static func decodeBudget(_ node: ConfigNode) throws(ConfigError) -> BudgetLimits {
        let map = try node.mapping(allowedKeys: budgetKeys)
        var budget = BudgetLimits()
        budget.usd = try map.optional("usd")?.double(atLeast: 0)
        budget.inputTokens = try map.optional("input_tokens")?.int(in: 0...Int.max)
        budget.outputTokens = try map.optional("output_tokens")?.int(in: 0...Int.max)
        budget.wallClock = try map.optional("wall_seconds")?.positiveDuration()
        if let value = map.optional("synthesis_reserve") { budget.synthesisReserve = try value.double(atLeast: 0, below: 1) }
        budget.sessionUSD = try map.optional("session_usd")?.double(atLeast: 0)
        budget.sessionInputTokens = try map.optional("session_input_tokens")?.int(in: 0...Int.max)
        budget.sessionOutputTokens = try map.optional("session_output_tokens")?.int(in: 0...Int.max)
        return budget
    }

    private static func decodePaths(_ node: ConfigNode, base: String, environment: [String: String]) throws(ConfigError) -> Paths {
        let map = try node.mapping(allowedKeys: pathKeys)
        var paths = Paths(baseDirectory: base)
        func resolve(_ key: String) throws(ConfigError) -> Located<String>? {
            guard let value = map.optional(key) else { return nil }
            let text = try value.string(environment: environment)
            guard !text.isEmpty else { throw value.error("must not be empty") }
            return Located(ConfigPath.resolve(text, against: base, home: environment["HOME"]), at: value.location)
        }
        if let tools = try resolve("tools") { paths.tools = tools }
        if let prompts = try resolve("prompts") { paths.prompts = prompts }
        if let routes = try resolve("routes") { paths.routes = routes }
        return paths
    }
}
