import BrigadeCore

extension ToolDecoder {
    static let commandKeys = ["argv", "stdin", "cwd", "env_allowlist", "env", "success_exit_codes", "include_stderr", "allow_leading_dash"]
    static let httpKeys = ["method", "url", "headers", "body", "max_response_bytes", "accept_status", "allow_hosts", "allow_private_networks"]
    static let httpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
    static let builtinKeys = ["function", "roots"]
    static let builtinFunctions = BuiltinFunction.allCases.map(\.rawValue)

    func command(_ node: ConfigNode) throws(ConfigError) -> CommandToolConfig {
        let map = try node.mapping(allowedKeys: Self.commandKeys)
        let argvNode = try map.required("argv")
        var argv: [Located<String>] = []
        for element in try argvNode.sequence() {
            argv.append(Located(try element.text(), at: element.location))
        }
        guard let program = argv.first else { throw argvNode.error("must name at least the program") }
        guard !program.value.isEmpty else { throw ConfigError("`\(argvNode.path)[0]`: the program must not be empty", at: program.location) }
        if program.value.containsBytePair(UInt8(ascii: "{"), UInt8(ascii: "{")) {
            throw ConfigError("`\(argvNode.path)[0]`: the program cannot come from an argument", at: program.location)
        }
        var config = CommandToolConfig(argv: argv)
        if let stdin = map.optional("stdin") { config.stdinArguments = try stdin.choice(["none", "arguments"]) == "arguments" }
        if let cwd = map.optional("cwd") {
            let value = try cwd.string(environment: environment)
            guard !value.isEmpty else { throw cwd.error("must not be empty") }
            config.cwd = Located(value, at: cwd.location)
        }
        (config.envAllowlist, config.env) = try childEnvironment(map)
        if let env = map.optional("env") {
            for entry in try env.mapping().entries {
                config.secrets += ConfigInterpolation.referencedValues(try entry.value.text(), environment: environment)
            }
        }
        if let codes = map.optional("success_exit_codes") {
            let list = try codes.sequence()
            guard !list.isEmpty else { throw codes.error("must list at least one exit code") }
            config.successExitCodes = try list.map { (item) throws(ConfigError) in Int32(try item.int(in: 0...255)) }
        }
        if let stderr = map.optional("include_stderr") { config.includeStderr = try stderr.bool() }
        if let allowed = map.optional("allow_leading_dash") {
            config.allowLeadingDash = try allowed.sequence().map { (item) throws(ConfigError) in try item.string() }
        }
        return config
    }

    /// `env_allowlist:` (variable names) and `env:` (fixed entries, `${ENV}` interpolated) of a
    /// section that starts a program (a command tool, an MCP server).
    func childEnvironment(_ map: ConfigMapping) throws(ConfigError) -> (allowlist: [String], env: [String: String]) {
        var allowlist: [String] = []
        var fixed: [String: String] = [:]
        if let node = map.optional("env_allowlist") {
            allowlist = try node.sequence().map { (item) throws(ConfigError) in try Self.variableName(item) }
        }
        if let env = map.optional("env") {
            for entry in try env.mapping().entries {
                guard ConfigInterpolation.isVariableName(entry.key) else {
                    throw ConfigError("`\(env.path)`: `\(entry.key)` is not a valid environment variable name", at: entry.keyLocation)
                }
                fixed[entry.key] = try entry.value.text(environment: environment)
            }
        }
        return (allowlist, fixed)
    }

    static func variableName(_ node: ConfigNode) throws(ConfigError) -> String {
        let name = try node.string()
        guard ConfigInterpolation.isVariableName(name) else {
            throw node.error("`\(name)` is not a valid environment variable name")
        }
        return name
    }

    func http(_ node: ConfigNode) throws(ConfigError) -> HTTPToolConfig {
        let map = try node.mapping(allowedKeys: Self.httpKeys)
        let urlNode = try map.required("url")
        let url = try urlNode.string(environment: environment)
        let lowered = url.lowercased()
        // A URL that is exactly one `{{name}}` comes whole from an argument (checked as http(s) per call).
        let wholeURLArgument = (try? PlaceholderTemplate(parsing: url))?.solePlaceholderName != nil
        guard wholeURLArgument || lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw urlNode.error(
                "must start with http:// or https:// (the scheme and host cannot come from part of an argument), or be exactly one `{{name}}`, got `\(url.quotedForError())`"
            )
        }
        var config = HTTPToolConfig(url: Located(url, at: urlNode.location))
        if let method = map.optional("method") {
            let value = try method.string().uppercased()
            guard Self.httpMethods.contains(value) else {
                throw method.error("unknown HTTP method `\(value.quotedForError())`" + ConfigSuggestion.hint(for: value, among: Self.httpMethods))
            }
            config.method = value
        }
        var secretHeader: ConfigNode?
        if let headers = map.optional("headers") {
            let decoded = try Self.headers(headers, environment: environment)
            (config.headers, config.secrets, secretHeader) = (decoded.fields, decoded.secrets, decoded.secretNode)
        }
        var secretBodyValue: ConfigNode?
        if let body = map.optional("body") {
            config.body = try interpolatedJSON(body)
            for leaf in try secretLeaves(body) {
                secretBodyValue = secretBodyValue ?? leaf
                config.secrets += ConfigInterpolation.referencedValues(try leaf.string(), environment: environment)
            }
        }
        if let limit = map.optional("max_response_bytes") { config.maxResponseBytes = try limit.int(in: 1...Int.max) }
        if let statuses = map.optional("accept_status") {
            config.acceptStatus = try statuses.sequence().map { (item) throws(ConfigError) in try item.int(in: 100...599) }
        }
        if let hosts = map.optional("allow_hosts") {
            config.allowHosts = try hosts.sequence().map { (item) throws(ConfigError) in
                let host = try item.string()
                guard !host.isEmpty, !host.contains("/"), !host.contains(":") || host.hasPrefix("[") else {
                    throw item.error("must be a host name (`api.example.com`, `*.example.com`), got `\(host.quotedForError())`")
                }
                return host
            }
        }
        if let allow = map.optional("allow_private_networks") { config.allowPrivateNetworks = try allow.bool() }
        // A model-chosen host with a `${SECRET}` header would send the secret wherever the model says.
        if wholeURLArgument, config.allowHosts == nil, let secretHeader {
            throw secretHeader.error(
                "a header with a `${…}` value on a tool whose whole URL is a placeholder would send it to any host the model names; pin the hosts with `allow_hosts`"
            )
        }
        if wholeURLArgument, config.allowHosts == nil, let secretBodyValue {
            throw secretBodyValue.error(
                "a body value with `${…}` on a tool whose whole URL is a placeholder would send it to any host the model names; pin the hosts with `allow_hosts`"
            )
        }
        return config
    }

    /// A `headers:` mapping (an http tool's, an MCP server's): valid names, values without line breaks,
    /// `${ENV}` interpolated. `secrets` are the values of the variables the headers name, for
    /// ``SecretRedactor``; `secretNode` is the last header that names one.
    static func headers(_ node: ConfigNode, environment: [String: String]) throws(ConfigError)
        -> (fields: [String: String], secrets: [String], secretNode: ConfigNode?)
    {
        var fields: [String: String] = [:]
        var secrets: [String] = []
        var secretNode: ConfigNode?
        for entry in try node.mapping().entries {
            let raw = try entry.value.text()
            if raw.containsBytePair(UInt8(ascii: "$"), UInt8(ascii: "{")) {
                secretNode = entry.value
                secrets += ConfigInterpolation.referencedValues(raw, environment: environment)
            }
            guard isHeaderName(entry.key) else {
                throw ConfigError("`\(node.path)`: `\(entry.key)` is not a valid header name", at: entry.keyLocation)
            }
            let value = try entry.value.text(environment: environment)
            guard !value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                throw entry.value.error("a header value must not contain line breaks")
            }
            fields[entry.key] = value
        }
        return (fields, secrets, secretNode)
    }

    /// RFC 9110 token characters.
    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// A body template as JSON, with `${…}` interpolated in string leaves.
    func interpolatedJSON(_ node: ConfigNode) throws(ConfigError) -> JSONValue {
        switch node.node.content {
        case .scalar(.string, _): return .string(try node.string(environment: environment))
        case .scalar(let value, _): return value
        case .sequence:
            return .array(try node.sequence().map { (item) throws(ConfigError) in try interpolatedJSON(item) })
        case .mapping:
            var object = JSONObject()
            for entry in try node.mapping().entries { object[entry.key] = try interpolatedJSON(entry.value) }
            return .object(object)
        }
    }

    /// The string leaves of a body template that refer to `${…}` values (secrets, as in headers).
    func secretLeaves(_ node: ConfigNode) throws(ConfigError) -> [ConfigNode] {
        switch node.node.content {
        case .scalar(.string, _): return try node.string().containsBytePair(UInt8(ascii: "$"), UInt8(ascii: "{")) ? [node] : []
        case .scalar: return []
        case .sequence:
            var leaves: [ConfigNode] = []
            for item in try node.sequence() { leaves += try secretLeaves(item) }
            return leaves
        case .mapping:
            var leaves: [ConfigNode] = []
            for entry in try node.mapping().entries { leaves += try secretLeaves(entry.value) }
            return leaves
        }
    }

    func builtin(_ node: ConfigNode) throws(ConfigError) -> BuiltinToolConfig {
        let map = try node.mapping(allowedKeys: Self.builtinKeys)
        let functionNode = try map.required("function")
        let function = try functionNode.choice(Self.builtinFunctions)
        var config = BuiltinToolConfig(builtin: Located(function, at: functionNode.location))
        if let roots = map.optional("roots") {
            guard function != "current_time" else { throw roots.error("`roots` applies only to `read_file`, `list_dir` and `map`") }
            config.roots = try roots.sequence().map { (item) throws(ConfigError) in
                let root = try item.string(environment: environment)
                guard !root.isEmpty else { throw item.error("must not be empty") }
                return root
            }
        }
        return config
    }
}
