extension MCPServerConfig {
    static let keys = [
        "command", "args", "env_allowlist", "env", "cwd", "tool_prefix", "include", "exclude", "timeout",
        "startup_timeout", "max_concurrency", "confirm", "cost_usd", "max_output_bytes", "eager",
    ]

    /// Decodes the `mcp_servers:` section: a mapping from server name to its settings.
    /// - Throws: `ConfigError` at file:line:col for unknown keys, wrong types and bad values.
    static func decodeSection(_ node: ConfigNode, environment: [String: String]) throws(ConfigError) -> [MCPServerConfig] {
        var servers: [MCPServerConfig] = []
        for entry in try node.mapping().entries {
            guard ToolDecoder.isValidName(entry.key) else {
                throw ConfigError("`mcp_servers`: `\(entry.key)` is not a valid server name (letters, digits, `_` or `-`)", at: entry.keyLocation)
            }
            servers.append(try decode(entry.value, name: entry.key, environment: environment))
        }
        return servers
    }

    static func decode(_ node: ConfigNode, name: String, environment: [String: String]) throws(ConfigError) -> MCPServerConfig {
        let map = try node.mapping(allowedKeys: keys)
        let commandNode = try map.required("command")
        let command = try commandNode.string(environment: environment)
        guard !command.isEmpty else { throw commandNode.error("must not be empty") }
        var config = MCPServerConfig(name: name, command: command, location: node.location)
        if let args = map.optional("args") {
            config.args = try args.sequence().map { (item) throws(ConfigError) in try item.text(environment: environment) }
        }
        (config.envAllowlist, config.env) = try ToolDecoder(environment: environment, baseDirectory: "").childEnvironment(map)
        if let cwd = map.optional("cwd") {
            let value = try cwd.string(environment: environment)
            guard !value.isEmpty else { throw cwd.error("must not be empty") }
            config.cwd = ConfigPath.resolve(value, against: ConfigPath.directory(of: cwd.location.file), home: environment["HOME"])
        }
        if let prefix = map.optional("tool_prefix") {
            config.toolPrefix = try prefix.string()
            guard config.toolPrefix.isEmpty || ToolDecoder.isValidName(config.toolPrefix) else {
                throw prefix.error("`\(config.toolPrefix)` may hold only letters, digits, `_` or `-`")
            }
        }
        if let include = map.optional("include") {
            config.include = try include.sequence().map { (item) throws(ConfigError) in try item.string() }
        }
        if let exclude = map.optional("exclude") {
            config.exclude = try exclude.sequence().map { (item) throws(ConfigError) in try item.string() }
        }
        config.timeout = try map.optional("timeout")?.positiveDuration()
        if let startup = map.optional("startup_timeout") { config.startupTimeout = try startup.positiveDuration() }
        config.maxConcurrency = try map.optional("max_concurrency")?.int(in: 1...Int.max)
        config.confirm = try map.optional("confirm")?.bool() ?? false
        config.costUSD = try map.optional("cost_usd")?.double(atLeast: 0) ?? 0
        config.maxOutputBytes = try map.optional("max_output_bytes")?.int(in: 1...Int.max)
        config.eager = try map.optional("eager")?.bool() ?? false
        return config
    }
}
