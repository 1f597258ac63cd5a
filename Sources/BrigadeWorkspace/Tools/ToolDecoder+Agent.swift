import BrigadeCore

extension ToolDecoder {
    static let agentKeys = ["prompt", "tools", "model", "limits", "input", "max_depth", "variants", "join"]
    static let joinKeys = ["precedence", "dedup", "compare", "judge"]
    static let agentLimitKeys = ["max_turns", "max_calls", "usd", "input_tokens", "output_tokens", "wall_seconds"]

    /// The `agent:` section of a `kind: agent` tool (the prompt's text is read later, by the workspace).
    func agent(_ node: ConfigNode) throws(ConfigError) -> AgentToolConfig {
        let map = try node.mapping(allowedKeys: Self.agentKeys)
        let promptNode = try map.required("prompt")
        let prompt = try promptNode.string()
        guard !prompt.isEmpty, !prompt.hasPrefix("/"), !prompt.split(separator: "/").contains("..") else {
            throw promptNode.error("must name a file in the prompts folder (e.g. `researcher.md`), got `\(prompt.quotedForError())`")
        }
        var config = AgentToolConfig(prompt: Located(prompt, at: promptNode.location))
        if let tools = map.optional("tools") {
            config.tools = try tools.sequence().map { (item) throws(ConfigError) in try item.string() }
        }
        if let model = map.optional("model") { config.model = Located(try model.string(), at: model.location) }
        if let input = map.optional("input") {
            let text = try input.string()
            do {
                _ = try PlaceholderTemplate(parsing: text)
            } catch {
                throw input.error(error.message)
            }
            config.input = Located(text, at: input.location)
        }
        if let depth = map.optional("max_depth") { config.maxDepth = try depth.int(in: 1...16) }
        if let limits = map.optional("limits") { config.limits = try agentLimits(limits) }
        if let variants = map.optional("variants") { config.variants = try variants.int(in: 1...16) }
        if let join = map.optional("join") { config.join = try Self.joinPolicy(join.mapping(allowedKeys: Self.joinKeys)) }
        return config
    }

    /// A `join:` section (of an agent tool, a route or a route's call): `precedence` (field → branch
    /// labels), `dedup` and `compare` (field names), `judge` (a prompt file).
    static func joinPolicy(_ map: ConfigMapping) throws(ConfigError) -> JoinPolicy {
        var policy = JoinPolicy()
        func names(_ node: ConfigNode) throws(ConfigError) -> [String] {
            try node.sequence().map { (item) throws(ConfigError) in try item.string() }
        }
        if let precedence = map.optional("precedence") {
            for entry in try precedence.mapping().entries { policy.precedence[entry.key] = try names(entry.value) }
        }
        if let dedup = map.optional("dedup") { policy.dedupKeys = try names(dedup) }
        if let compare = map.optional("compare") { policy.compare = try names(compare) }
        if let judge = map.optional("judge") {
            let file = try judge.string()
            guard !file.isEmpty, !file.hasPrefix("/"), !file.split(separator: "/").contains("..") else {
                throw judge.error("must name a file in the prompts folder (e.g. `judge.md`), got `\(file.quotedForError())`")
            }
            policy.judge = Located(file, at: judge.location)
        }
        return policy
    }

    private func agentLimits(_ node: ConfigNode) throws(ConfigError) -> Budget.Limits {
        let map = try node.mapping(allowedKeys: Self.agentLimitKeys)
        var limits = AgentToolConfig.defaultLimits
        if let turns = map.optional("max_turns") { limits.maxTurns = try turns.int(in: 1...1000) }
        if let calls = map.optional("max_calls") { limits.maxCallsPerRun = try calls.int(in: 0...100_000) }
        if let usd = map.optional("usd") { limits.usd = try usd.double(atLeast: 0) }
        if let tokens = map.optional("input_tokens") { limits.inputTokens = try tokens.int(in: 0...Int.max) }
        if let tokens = map.optional("output_tokens") { limits.outputTokens = try tokens.int(in: 0...Int.max) }
        if let wall = map.optional("wall_seconds") { limits.wallTime = .seconds(try wall.double(atLeast: 0.001)) }
        return limits
    }
}
