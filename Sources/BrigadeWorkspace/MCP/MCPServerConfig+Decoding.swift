import BrigadeCore

extension MCPServerConfig {
    static let keys = [
        "command", "url", "headers", "args", "env_allowlist", "env", "cwd", "tool_prefix", "include", "exclude", "timeout",
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

    /// Keys only a stdio server (one with a `command`) takes.
    static let stdioKeys = ["args", "env_allowlist", "env", "cwd"]

    static func decode(_ node: ConfigNode, name: String, environment: [String: String]) throws(ConfigError) -> MCPServerConfig {
        let map = try node.mapping(allowedKeys: keys)
        if let urlNode = map.optional("url") {
            return try decodeHTTP(map, urlNode: urlNode, name: name, node: node, environment: environment)
        }
        if let headers = map.optional("headers") {
            throw headers.error("`headers` is for servers with a `url`; a `command` server takes `env`")
        }
        guard let commandNode = map.optional("command") else {
            throw node.error("`mcp_servers.\(name)` needs `command` (a stdio server) or `url` (a Streamable HTTP server)")
        }
        let command = try commandNode.string(environment: environment)
        guard !command.isEmpty else { throw commandNode.error("must not be empty") }
        var config = MCPServerConfig(name: name, command: command, location: node.location)
        if let args = map.optional("args") {
            config.args = try args.sequence().map { (item) throws(ConfigError) in try item.text(environment: environment) }
        }
        (config.envAllowlist, config.env) = try ToolDecoder(environment: environment, baseDirectory: "").childEnvironment(map)
        config.secrets = try referencedSecrets(map, environment: environment)
        if let cwd = map.optional("cwd") {
            let value = try cwd.string(environment: environment)
            guard !value.isEmpty else { throw cwd.error("must not be empty") }
            config.cwd = ConfigPath.resolve(value, against: ConfigPath.directory(of: cwd.location.file), home: environment["HOME"])
        }
        try decodePolicy(map, into: &config)
        return config
    }

    /// The values of the variables a stdio server's `env` and `args` name with `${ENV}` (its tokens):
    /// removed from its results and errors, and from everything the run store keeps.
    private static func referencedSecrets(_ map: ConfigMapping, environment: [String: String]) throws(ConfigError) -> [String] {
        var secrets: [String] = []
        if let env = map.optional("env") {
            for entry in try env.mapping().entries {
                secrets += ConfigInterpolation.referencedValues(try entry.value.text(), environment: environment)
            }
        }
        if let args = map.optional("args") {
            for item in try args.sequence() {
                secrets += ConfigInterpolation.referencedValues(try item.text(), environment: environment)
            }
        }
        return secrets
    }

    /// A Streamable HTTP server: `url`, `headers` (with `${ENV}` secrets), and the common settings.
    private static func decodeHTTP(
        _ map: ConfigMapping, urlNode: ConfigNode, name: String, node: ConfigNode, environment: [String: String]
    ) throws(ConfigError) -> MCPServerConfig {
        if let command = map.optional("command") {
            throw command.error("set either `command` (a stdio server) or `url` (a Streamable HTTP server), not both")
        }
        for key in stdioKeys {
            if let extra = map.optional(key) { throw extra.error("`\(key)` is for `command` servers; a `url` server takes `headers`") }
        }
        let url = try urlNode.string(environment: environment)
        let lowered = url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"), let parts = HTTPAddressPolicy.authority(of: url), !parts.host.isEmpty else {
            throw urlNode.error("must be an http:// or https:// URL with a host, got `\(url.quotedForError())`")
        }
        guard !parts.hasUserInfo else { throw urlNode.error("must not carry a user name or password; send credentials in `headers`") }
        var config = MCPServerConfig.http(name: name, url: url)
        config.location = node.location
        config.secrets = ConfigInterpolation.referencedValues(try urlNode.text(), environment: environment)
        if let headers = map.optional("headers") {
            let decoded = try ToolDecoder.headers(headers, environment: environment)
            config.headers = decoded.fields
            config.secrets += decoded.secrets
        }
        try decodePolicy(map, into: &config)
        return config
    }

    /// The settings every server takes, whatever its transport.
    private static func decodePolicy(_ map: ConfigMapping, into config: inout MCPServerConfig) throws(ConfigError) {
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
    }
}
