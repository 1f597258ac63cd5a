extension BrigadeConfig {
    static let topLevelKeys = ["model", "limits", "budget", "routing", "paths"]
    static let modelKeys = [
        "provider", "base_url", "model", "api_key_env", "price", "max_output_tokens", "temperature",
        "request_timeout", "max_retries",
    ]
    static let limitKeys = [
        "max_turns", "max_parallel_calls", "max_calls_per_turn", "max_calls_per_run", "tool_timeout",
        "max_tool_output_bytes",
    ]
    static let budgetKeys = ["usd", "input_tokens", "output_tokens", "wall_seconds", "synthesis_reserve"]
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
        return try decode(root, file: file, environment: environment ?? ConfigFileSystem.processEnvironment())
    }

    /// Parses configuration from YAML text, as `load(path:environment:)` does from a file.
    /// - Parameters:
    ///   - text: the YAML source.
    ///   - file: the absolute path it stands for: messages name it and relative `paths` resolve
    ///     against its folder.
    ///   - environment: variables for `${NAME}` interpolation.
    public static func parse(_ text: String, file: String, environment: [String: String]) throws(ConfigError) -> BrigadeConfig {
        try decode(YAMLLoader.parse(text, file: file), file: file, environment: environment)
    }

    static func decode(_ root: YAMLNode?, file: String, environment: [String: String]) throws(ConfigError) -> BrigadeConfig {
        let base = ConfigPath.directory(of: file)
        var config = BrigadeConfig.defaults(baseDirectory: base)
        config.file = file
        guard let root else { return config }
        let top = try ConfigNode(root).mapping(allowedKeys: topLevelKeys)
        if let model = top.optional("model") {
            config.model = try decodeModel(model, environment: environment)
        }
        if let limits = top.optional("limits") { config.limits = try decodeLimits(limits) }
        if let budget = top.optional("budget") { config.budget = try decodeBudget(budget) }
        if let routing = top.optional("routing") { config.routing = try routing.choice(Routing.self) }
        if let paths = top.optional("paths") {
            config.paths = try decodePaths(paths, base: base, environment: environment)
        }
        return config
    }

    private static func decodeModel(_ node: ConfigNode, environment: [String: String]) throws(ConfigError) -> ModelSettings {
        let map = try node.mapping(allowedKeys: modelKeys)
        let provider = try map.optional("provider")?.choice(Provider.self) ?? .openai
        let modelNode = try map.required("model")
        let name = try modelNode.string(environment: environment)
        guard !name.isEmpty else { throw modelNode.error("must not be empty") }
        var settings = ModelSettings(provider: provider, model: name)
        if let url = map.optional("base_url") {
            let value = try url.string(environment: environment)
            guard value.hasPrefix("http://") || value.hasPrefix("https://") else {
                throw url.error("must start with http:// or https://, got `\(value)`")
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
            let prices = try price.mapping(allowedKeys: ["input_per_million", "output_per_million"])
            settings.price = ModelPricing(
                inputPerMillion: try prices.required("input_per_million").double(atLeast: 0),
                outputPerMillion: try prices.required("output_per_million").double(atLeast: 0)
            )
        }
        if let value = map.optional("max_output_tokens") { settings.maxOutputTokens = try value.int(in: 1...10_000_000) }
        if let value = map.optional("temperature") {
            let temperature = try value.double()
            guard (0...2).contains(temperature) else { throw value.error("must be between 0 and 2, got \(temperature)") }
            settings.temperature = temperature
        }
        if let value = map.optional("request_timeout") { settings.requestTimeout = try value.positiveDuration() }
        if let value = map.optional("max_retries") { settings.maxRetries = try value.int(in: 0...100) }
        return settings
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
