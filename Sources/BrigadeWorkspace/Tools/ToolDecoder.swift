import BrigadeCore

/// Decodes one tool mapping into a `ToolDeclaration` (see `RegistryLoader`).
struct ToolDecoder {
    var environment: [String: String]
    var baseDirectory: String

    static let toolKeys = ["name", "description", "kind", "parameters", "command", "http", "builtin", "agent", "policy"]
    static let kinds = ["command", "http", "builtin", "agent"]
    static let policyKeys = ["timeout", "max_concurrency", "retries", "idempotent", "confirm", "cost_usd", "max_output_bytes"]

    func declaration(_ node: ConfigNode) throws(ConfigError) -> ToolDeclaration {
        let map = try node.mapping(allowedKeys: Self.toolKeys)
        let nameNode = try map.required("name")
        let name = try nameNode.string()
        guard Self.isValidName(name) else {
            throw nameNode.error("`\(name)` is not a valid tool name (1 to 64 letters, digits, `_` or `-`)")
        }
        let descriptionNode = try map.required("description")
        let description = try descriptionNode.string()
        // A printable ASCII first byte answers without walking the text's characters.
        let startsPrintable = description.utf8.first.map { $0 > 0x20 && $0 < 0x80 } ?? false
        guard startsPrintable || !description.allSatisfy(\.isWhitespace) else { throw descriptionNode.error("must not be empty") }
        let kindNode = try map.required("kind")
        let kindName = try kindNode.choice(Self.kinds)
        for other in Self.kinds where other != kindName {
            if let location = map.keyLocation(other) {
                throw ConfigError(
                    "tool `\(name)`: a `\(other):` section does not belong to a `kind: \(kindName)` tool",
                    at: location
                )
            }
        }
        guard let section = map.optional(kindName) else {
            throw ConfigError("tool `\(name)`: `kind: \(kindName)` needs a `\(kindName):` section", at: map.location)
        }
        let kind: ToolKind
        switch kindName {
        case "command": kind = .command(try command(section))
        case "http": kind = .http(try http(section))
        case "agent": kind = .agent(try agent(section))
        default: kind = .builtin(try builtin(section))
        }
        var parameters: JSONValue = ["type": "object", "properties": [:]]
        if let schema = map.optional("parameters") {
            try ToolSchemaCheck.checkParameters(schema)
            parameters = schema.json
        }
        let policy = try map.optional("policy").map { (node) throws(ConfigError) in try self.policy(node) } ?? ToolPolicy()
        let spec = ToolSpec(name: name, description: description, parameters: parameters, policy: policy, location: node.location)
        return ToolDeclaration(spec: spec, kind: kind, baseDirectory: baseDirectory)
    }

    /// `^[A-Za-z0-9_-]{1,64}$` — the names both OpenAI and Anthropic accept.
    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    func policy(_ node: ConfigNode) throws(ConfigError) -> ToolPolicy {
        let map = try node.mapping(allowedKeys: Self.policyKeys)
        var policy = ToolPolicy()
        policy.timeout = try map.optional("timeout")?.positiveDuration()
        policy.maxConcurrency = try map.optional("max_concurrency")?.int(in: 1...Int.max)
        policy.idempotent = try map.optional("idempotent")?.bool() ?? false
        policy.confirm = try map.optional("confirm")?.bool() ?? false
        policy.costUSD = try map.optional("cost_usd")?.double(atLeast: 0) ?? 0
        policy.maxOutputBytes = try map.optional("max_output_bytes")?.int(in: 1...Int.max)
        if let retries = map.optional("retries") {
            policy.retries = try retries.int(in: 0...10)
            if policy.retries > 0 && !policy.idempotent {
                throw retries.error("retries need `idempotent: true` (a retried call may run twice)")
            }
        }
        return policy
    }
}
