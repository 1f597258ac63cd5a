import BrigadeCore

/// Reads routes from `routes/*.yaml` (and `*.yml`) and checks them against the tool registry and the
/// prompts folder. The format is in docs/routes.md.
///
/// Everything that can be wrong with a route is found here, at load time, with file:line:col: an
/// unknown tool, argument templates that cannot satisfy the tool's schema, a placeholder no pattern
/// captures, a join template with a syntax error or naming a call the route does not make.
package enum RouteLoader {
    static let routeKeys = ["name", "description", "match", "priority", "calls", "requires", "join"]
    static let matchKeys = ["keywords", "patterns", "vocabulary", "negative", "threshold", "examples", "counterexamples"]
    static let thresholdKeys = ["hybrid", "static"]
    static let callKeys = ["label", "tool", "arguments", "variants", "join"]
    /// The mapping form of a route's `join:`: a template (or `model`) and join rules.
    static let joinKeys = ["template", "branches"] + ToolDecoder.joinKeys

    /// Loads every route in `directory`; a missing directory means no routes.
    /// - Parameters:
    ///   - directory: the routes folder (`paths.routes`).
    ///   - tools: the registry's tool specs, by name.
    ///   - promptsDirectory: where join templates are read from.
    ///   - mcpServers: the MCP servers whose tools a route may name (a name with a server's
    ///     `tool_prefix` that its `include`/`exclude` allow); their schemas are not known before the
    ///     server starts, so such a call's arguments are checked when it runs.
    public static func load(
        directory: String, tools: [String: ToolSpec], promptsDirectory: String, mcpServers: [MCPServerConfig] = []
    ) throws(ConfigError) -> RouteSet {
        let folder = ConfigPath.resolve(directory, against: ConfigFileSystem.currentDirectory())
        switch ConfigFileSystem.kind(of: folder) {
        case .directory: break
        case .missing: return RouteSet()
        case .file, .other: throw ConfigError("routes directory \(folder) is not a directory")
        }
        let names = try ConfigFileSystem.entries(of: folder)
            .filter { !$0.hasPrefix(".") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }
            .sorted()
        var routes: [Route] = []
        for name in names {
            let path = folder + "/" + name
            if ConfigFileSystem.kind(of: path) == .directory { continue }
            let root = try YAMLLoader.load(file: path)
            try routes.append(contentsOf: decode(root, file: path, tools: tools, promptsDirectory: promptsDirectory, mcpServers: mcpServers))
        }
        try checkUnique(routes)
        return RouteSet(routes)
    }

    /// Parses the routes of one file from YAML text (for tests and tools).
    public static func parse(
        _ text: String, file: String, tools: [String: ToolSpec], promptsDirectory: String, mcpServers: [MCPServerConfig] = []
    ) throws(ConfigError) -> RouteSet {
        let routes = try decode(YAMLLoader.parse(text, file: file), file: file, tools: tools, promptsDirectory: promptsDirectory, mcpServers: mcpServers)
        try checkUnique(routes)
        return RouteSet(routes)
    }

    static func decode(
        _ root: YAMLNode?, file: String, tools: [String: ToolSpec], promptsDirectory: String, mcpServers: [MCPServerConfig] = []
    ) throws(ConfigError) -> [Route] {
        guard let root else { return [] }
        let node = ConfigNode(root)
        guard root.pairs != nil else {
            throw node.error("a route file holds one route mapping, or `routes:` with a list of route mappings; found a \(root.typeName)")
        }
        var decoder = RouteDecoder(tools: tools, promptsDirectory: promptsDirectory, mcpServers: mcpServers)
        if root["routes"] != nil {
            let list = try node.mapping(allowedKeys: ["routes"]).required("routes")
            var routes: [Route] = []
            for item in try list.sequence() { routes.append(try decoder.route(item)) }
            return routes
        }
        return [try decoder.route(node)]
    }

    static func checkUnique(_ routes: [Route]) throws(ConfigError) {
        var seen: [String: SourceLocation?] = [:]
        for route in routes {
            if let first = seen[route.name] {
                throw ConfigError("duplicate route name `\(route.name)`" + (first.map { " (first declared at \($0))" } ?? ""), at: route.location)
            }
            seen[route.name] = route.location
        }
    }
}

struct RouteDecoder {
    var tools: [String: ToolSpec]
    var promptsDirectory: String
    var mcpServers: [MCPServerConfig] = []
    /// Join templates are shared between routes that name the same file.
    var templates: [String: JoinTemplate] = [:]

    mutating func route(_ node: ConfigNode) throws(ConfigError) -> Route {
        let map = try node.mapping(allowedKeys: RouteLoader.routeKeys)
        let nameNode = try map.required("name")
        let name = try nameNode.string()
        guard ToolDecoder.isValidName(name) else {
            throw nameNode.error("`\(name)` is not a valid route name (1 to 64 letters, digits, `_` or `-`)")
        }
        let description = try map.optional("description")?.string() ?? ""
        let matchNode = try map.required("match")
        let match = try matchNode.mapping(allowedKeys: RouteLoader.matchKeys)
        var keywords: [KeywordRule] = []
        for item in try match.optional("keywords")?.sequence() ?? [] {
            let rule = KeywordRule(try item.text())
            guard !rule.alternatives.isEmpty else { throw item.error("a keyword needs at least one word") }
            keywords.append(rule)
        }
        var patterns: [RoutePattern] = []
        for item in try match.optional("patterns")?.sequence() ?? [] {
            let source = try item.string()
            do {
                patterns.append(try RoutePattern(source, at: item.location))
            } catch {
                throw item.error(error.message)
            }
        }
        if keywords.isEmpty && patterns.isEmpty {
            throw matchNode.error("a route needs `keywords` or `patterns` to match anything")
        }
        let vocabulary = try strings(match.optional("vocabulary"))
        let negative = try strings(match.optional("negative"))
        var thresholds = RouteThresholds()
        if let thresholdNode = match.optional("threshold") {
            let map = try thresholdNode.mapping(allowedKeys: RouteLoader.thresholdKeys)
            if let node = map.optional("hybrid") { thresholds.hybrid = try Self.fraction(node) }
            if let node = map.optional("static") { thresholds.static = try Self.fraction(node) }
        }
        let examples = try strings(match.optional("examples"))
        let counterexamples = try strings(match.optional("counterexamples"))
        let priority = try map.optional("priority")?.int() ?? 0

        var calls: [RouteCall] = []
        var labels: [String: SourceLocation] = [:]
        let callsNode = try map.required("calls")
        for item in try callsNode.sequence() {
            let call = try self.call(item, patterns: patterns, keywordMatchPossible: !keywords.isEmpty)
            if let first = labels[call.label] {
                throw item.error("duplicate call label `\(call.label)` (first at \(first)); give one of them a `label:`")
            }
            labels[call.label] = item.location
            calls.append(call)
        }
        guard !calls.isEmpty else { throw callsNode.error("a route needs at least one call") }

        var requires: [String] = []
        for item in try map.optional("requires")?.sequence() ?? [] {
            let label = try item.string()
            guard labels[label] != nil else {
                throw item.error("`\(label)` is not a call of this route" + ConfigSuggestion.hint(for: label, among: Array(labels.keys).sorted()))
            }
            requires.append(label)
        }

        let joinNode = try map.required("join")
        var joinRules: RouteJoinRules?
        let join: RouteJoin
        if joinNode.node.pairs != nil {
            let joinMap = try joinNode.mapping(allowedKeys: RouteLoader.joinKeys)
            joinRules = try self.joinRules(joinMap, at: joinNode, calls: calls)
            if let templateNode = joinMap.optional("template") {
                join = try self.join(named: try templateNode.string(), at: templateNode, route: name, labels: labels)
            } else {
                join = .rules
            }
        } else {
            join = try self.join(named: try joinNode.string(), at: joinNode, route: name, labels: labels)
        }
        let route = Route(
            name: name, description: description, keywords: keywords, patterns: patterns,
            vocabulary: vocabulary, negative: negative, thresholds: thresholds, examples: examples,
            counterexamples: counterexamples, priority: priority, calls: calls, requires: requires, join: join,
            joinRules: joinRules, location: node.location
        )
        try checkExamples(route, match: match)
        return route
    }

    /// `join: FILE` or `join: model` (or the `template:` of a join mapping); a template may refer only
    /// to the route's calls.
    mutating func join(named joinName: String, at joinNode: ConfigNode, route name: String, labels: [String: SourceLocation]) throws(ConfigError) -> RouteJoin {
        if joinName == "model" { return .model }
        let template = try self.template(named: joinName, at: joinNode)
        for reference in template.referencedCalls() where labels[reference.label] == nil {
            throw ConfigError(
                "template refers to `calls.\(reference.label)`, which route `\(name)` does not make"
                    + ConfigSuggestion.hint(for: reference.label, among: Array(labels.keys).sorted()),
                at: reference.location
            )
        }
        return .template(template)
    }

    /// The join rules of a `join:` mapping: `branches` (call labels; default: every call), and the
    /// ``JoinPolicy`` keys, whose precedence may name only those branches.
    func joinRules(_ map: ConfigMapping, at node: ConfigNode, calls: [RouteCall]) throws(ConfigError) -> RouteJoinRules {
        let labels = calls.map(\.label)
        var branches: [String] = []
        if let branchesNode = map.optional("branches") {
            for item in try branchesNode.sequence() {
                let label = try item.string()
                guard labels.contains(label) else {
                    throw item.error("`\(label)` is not a call of this route" + ConfigSuggestion.hint(for: label, among: labels))
                }
                guard !branches.contains(label) else { throw item.error("`\(label)` is listed twice") }
                branches.append(label)
            }
        } else {
            branches = labels
        }
        guard branches.count > 1 else {
            throw node.error(
                "join rules reconcile two or more calls that report the same thing; this route has \(branches.count) (to judge the variants of one call, give the call `variants:` and a `join:`)")
        }
        return RouteJoinRules(branches: branches, policy: try policy(map, at: node, branches: branches))
    }

    /// A ``JoinPolicy`` whose precedence names only `branches`, its judge's text read from the prompts folder.
    func policy(_ map: ConfigMapping, at node: ConfigNode, branches: [String]) throws(ConfigError) -> JoinPolicy {
        var policy = try ToolDecoder.joinPolicy(map)
        if let precedence = map.optional("precedence") {
            for entry in try precedence.mapping().entries {
                for item in try entry.value.sequence() {
                    let label = try item.string()
                    guard branches.contains(label) else {
                        throw item.error("`\(label)` is not a branch of this join (\(branches.joined(separator: ", ")))" + ConfigSuggestion.hint(for: label, among: branches))
                    }
                }
            }
        }
        if let judge = policy.judge {
            let path = ConfigPath.resolve(judge.value, against: promptsDirectory)
            guard ConfigFileSystem.kind(of: path) == .file else {
                throw ConfigError("judge prompt \(path) does not exist (write a file name in the prompts folder)", at: judge.location)
            }
            policy.judgeText = String(decoding: try ConfigFileSystem.readFile(path, limit: 1 << 20), as: UTF8.self)
        }
        return policy
    }

    func call(_ node: ConfigNode, patterns: [RoutePattern], keywordMatchPossible: Bool) throws(ConfigError) -> RouteCall {
        let map = try node.mapping(allowedKeys: RouteLoader.callKeys)
        let toolNode = try map.required("tool")
        let toolName = try toolNode.string()
        // An MCP server's tool: its schema comes when the server lists its tools; checked when it runs.
        let mcpTool = tools[toolName] == nil && mcpServers.contains { server in
            toolName.hasPrefix(server.toolPrefix) && server.offers(String(toolName.dropFirst(server.toolPrefix.count)))
        }
        guard let spec = tools[toolName] ?? (mcpTool ? ToolSpec(name: toolName, description: "", parameters: ["type": "object"]) : nil) else {
            throw toolNode.error("unknown tool `\(toolName)`" + ConfigSuggestion.hint(for: toolName, among: Array(tools.keys).sorted()))
        }
        let label = try map.optional("label")?.string() ?? toolName
        var arguments: JSONValue = .object([:])
        if let argumentsNode = map.optional("arguments") {
            guard argumentsNode.node.pairs != nil else { throw argumentsNode.typeMismatch(expected: "mapping") }
            arguments = argumentsNode.json
            let captured = Set(patterns.flatMap(\.captureNames))
            for placeholder in Self.placeholders(in: arguments) where placeholder.defaultValue == nil && !captured.contains(placeholder.name) {
                throw argumentsNode.error(
                    "`{{\(placeholder.name)}}` is not a named group of any pattern of this route and has no default (write `{{\(placeholder.name)|VALUE}}`)"
                )
            }
            // What a match can produce: no captures (a keyword match), and each pattern's groups.
            var captureSets: [[String: String]] = []
            if keywordMatchPossible { captureSets.append([:]) }
            for pattern in patterns {
                captureSets.append(Dictionary(uniqueKeysWithValues: pattern.captureNames.map { ($0, "1") }))
            }
            for captures in captureSets {
                let rendered = RouteArguments.render(arguments, captures: captures, schema: spec.parameters)
                let violations = JSONSchemaValidator.validate(rendered, against: spec.parameters)
                    .filter { captures.isEmpty || !$0.message.contains("must be one of") }
                if let first = violations.first {
                    let when = captures.isEmpty ? "when matched by keywords (no captures)" : "with the captures of a pattern"
                    throw argumentsNode.error("arguments for `\(toolName)` do not satisfy its schema \(when): \(first)")
                }
            }
        } else {
            let violations = JSONSchemaValidator.validate(.object([:]), against: spec.parameters)
            if let first = violations.first {
                throw node.error("`\(toolName)` needs arguments: \(first)")
            }
        }
        var variants = 1
        if let variantsNode = map.optional("variants") {
            variants = try variantsNode.int()
            guard (1...16).contains(variants) else {
                throw variantsNode.error("a call runs as 1 to 16 variants at once; got \(variants)")
            }
        }
        var join: JoinPolicy?
        if let joinNode = map.optional("join") {
            guard variants > 1 else {
                throw joinNode.error("a call's `join:` joins its variants; give the call `variants:` of 2 or more (or put join rules in the route's `join:`)")
            }
            join = try policy(joinNode.mapping(allowedKeys: ToolDecoder.joinKeys), at: joinNode, branches: (1...variants).map { "variant_\($0)" })
        }
        return RouteCall(label: label, tool: toolName, arguments: arguments, variants: variants, join: join, location: node.location)
    }

    static func placeholders(in value: JSONValue) -> [Placeholder] {
        switch value {
        case .object(let object): object.flatMap { placeholders(in: $0.value) }
        case .array(let items): items.flatMap { placeholders(in: $0) }
        case .string(let text): Placeholder.all(in: text)
        default: []
        }
    }

    mutating func template(named name: String, at node: ConfigNode) throws(ConfigError) -> JoinTemplate {
        let path = ConfigPath.resolve(name, against: promptsDirectory)
        if let cached = templates[path] { return cached }
        guard ConfigFileSystem.kind(of: path) == .file else {
            throw node.error("join template \(path) does not exist (write a file name in the prompts folder, or `model`)")
        }
        let bytes = try ConfigFileSystem.readFile(path, limit: 1 << 20)
        let template = try JoinTemplate(text: String(decoding: bytes, as: UTF8.self), file: path)
        templates[path] = template
        return template
    }

    /// A threshold: a number from 0 to 1.
    static func fraction(_ node: ConfigNode) throws(ConfigError) -> Double {
        let value = try node.double()
        guard (0...1).contains(value) else { throw node.error("a threshold is a share of the request's words, from 0 to 1; got \(value)") }
        return value
    }

    func strings(_ node: ConfigNode?) throws(ConfigError) -> [String] {
        var result: [String] = []
        for item in try node?.sequence() ?? [] { result.append(try item.string()) }
        return result
    }

    /// Each example must match the route on its own even where matching is precise (hybrid); each
    /// counterexample must not match it there.
    func checkExamples(_ route: Route, match: ConfigMapping) throws(ConfigError) {
        let alone = RouteSet([route])
        for (index, example) in route.examples.enumerated() where alone.match(example, mode: .hybrid) == nil {
            let why = alone.evaluate(example, mode: .hybrid).first?.reasons.joined(separator: "; ") ?? ""
            let location = (try? match.required("examples").sequence()[index].location) ?? route.location
            throw ConfigError("example \"\(example)\" does not match route `\(route.name)`: \(why)", at: location)
        }
        for (index, example) in route.counterexamples.enumerated() where alone.match(example, mode: .hybrid) != nil {
            let location = (try? match.required("counterexamples").sequence()[index].location) ?? route.location
            throw ConfigError("counterexample \"\(example)\" matches route `\(route.name)`", at: location)
        }
    }
}
