import BrigadeCore
import CurlHTTP

/// Builds runnable tools from declarations, checking everything that can be checked before a call.
public enum ToolFactory {
    /// Names the model APIs accept (OpenAI and Anthropic both allow `^[a-zA-Z0-9_-]{1,64}$`).
    static func isValidToolName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.unicodeScalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }

    /// The tool for one declaration: its executor (wrapped in a `RetryingExecutor` when the policy
    /// allows retries) and its spec (for builtins, with the builtin's own parameters).
    ///
    /// - Parameters:
    ///   - declaration: What the registry file declared.
    ///   - httpClient: The client `kind: http` tools send through; required only when there are any.
    /// - Throws: `ConfigError` at the offending value: a bad tool name, an unusable parameter schema,
    ///   `retries` without `idempotent`, and whatever the kind's executor rejects (unknown placeholder,
    ///   missing or non-executable program, unknown builtin, bad URL template, …).
    ///   - subAgentModels: the clients of the model profiles `kind: agent` tools name, by profile name.
    public static func makeTool(_ declaration: ToolDeclaration, httpClient: HTTPClient?, subAgentModels: [String: SubAgentModel] = [:]) throws(ConfigError) -> Tool {
        try makeTool(declaration, httpClient: httpClient, programs: ProgramLookup(), subAgentModels: subAgentModels)
    }

    static func makeTool(
        _ declaration: ToolDeclaration, httpClient: HTTPClient?, programs: ProgramLookup, subAgentModels: [String: SubAgentModel] = [:]
    ) throws(ConfigError) -> Tool {
        var spec = declaration.spec
        guard isValidToolName(spec.name) else {
            throw ConfigError("tool name '\(spec.name)' must be 1 to 64 letters, digits, '_' or '-'", at: spec.location)
        }
        if spec.policy.retries < 0 {
            throw ConfigError("`retries` of tool '\(spec.name)' must not be negative", at: spec.location)
        }
        if spec.policy.retries > 0, !spec.policy.idempotent {
            throw ConfigError("tool '\(spec.name)' has `retries` but is not marked `idempotent: true`", at: spec.location)
        }
        if let cap = spec.policy.maxOutputBytes, cap < 1 {
            throw ConfigError("`max_output_bytes` of tool '\(spec.name)' must be at least 1", at: spec.location)
        }
        let executor: any ToolExecutor
        switch declaration.kind {
        case .command(let config):
            try checkParameters(spec)
            executor = try CommandToolExecutor(config, spec: spec, baseDirectory: declaration.baseDirectory, programs: programs)
        case .http(let config):
            try checkParameters(spec)
            guard let httpClient else {
                throw ConfigError("tool '\(spec.name)' is an http tool, but no HTTP client was given", at: spec.location)
            }
            executor = try HTTPToolExecutor(config, spec: spec, client: httpClient)
        case .builtin(let config):
            let function = try builtinFunction(config, spec: spec)
            let cap = spec.policy.maxOutputBytes ?? CommandToolExecutor.defaultMaxOutputBytes
            let fixed = function.parameters(maxOutputBytes: cap)
            let declared = spec.parameters["properties"]?.objectValue ?? JSONObject()
            guard declared.isEmpty || spec.parameters.isJSONEqual(to: fixed) else {
                throw ConfigError(
                    "builtin '\(function.rawValue)' defines its own parameters; remove `parameters` from tool '\(spec.name)'",
                    at: spec.location
                )
            }
            spec.parameters = fixed
            if spec.description.isEmpty { spec.description = function.defaultDescription }
            let roots = function == .currentTime ? nil : try FileRoots(config.roots, location: config.builtin.location ?? spec.location)
            executor = try function.makeExecutor(roots: roots, maxOutputBytes: cap)
            if function == .map {
                // Like a sub-agent: its workers are child runs, so it holds no global slot, and it takes longer than one command.
                spec.policy.holdsParallelSlot = false
                if spec.policy.timeout == nil { spec.policy.timeout = .seconds(600) }
            }
        case .agent(let config):
            executor = try makeSubAgent(config, spec: &spec, models: subAgentModels)
        }
        if spec.policy.retries > 0 {
            return Tool(spec: spec, executor: RetryingExecutor(executor, retries: spec.policy.retries))
        }
        return Tool(spec: spec, executor: executor)
    }

    /// A registry of the tools for `declarations`, in order.
    ///
    /// - Throws: The first `ConfigError` of `makeTool(_:httpClient:)`, or a duplicate tool name (naming both places).
    public static func makeRegistry(
        _ declarations: [ToolDeclaration], httpClient: HTTPClient?, subAgentModels: [String: SubAgentModel] = [:]
    ) throws(ConfigError) -> ToolRegistry {
        var registry = ToolRegistry()
        let programs = ProgramLookup()
        for declaration in declarations {
            try registry.register(makeTool(declaration, httpClient: httpClient, programs: programs, subAgentModels: subAgentModels))
        }
        return registry
    }

    /// A sub-agent: the default `{task}` parameters when none are declared, no global slot held, and
    /// a default timeout of five minutes (a child run takes longer than one command).
    private static func makeSubAgent(_ config: AgentToolConfig, spec: inout ToolSpec, models: [String: SubAgentModel]) throws(ConfigError) -> any ToolExecutor {
        let declared = spec.parameters["properties"]?.objectValue ?? JSONObject()
        if declared.isEmpty { spec.parameters = AgentToolConfig.defaultParameters }
        try checkParameters(spec)
        spec.policy.holdsParallelSlot = false
        if spec.policy.timeout == nil { spec.policy.timeout = .seconds(300) }
        var model: SubAgentModel?
        if let profile = config.model {
            guard let found = models[profile.value] else {
                throw ConfigError("tool '\(spec.name)': no client for model profile `\(profile.value)`", at: profile.location ?? spec.location)
            }
            model = found
        }
        return SubAgentExecutor(name: spec.name, config: config, model: model, usesTaskArgument: declared.isEmpty)
    }

    private static func checkParameters(_ spec: ToolSpec) throws(ConfigError) {
        if spec.parameters["type"]?.stringValue != "object" {
            throw ConfigError("`parameters` of tool '\(spec.name)' must be a JSON Schema with `type: object`", at: spec.location)
        }
        if let problem = JSONSchemaValidator.validateSchema(spec.parameters).first {
            throw ConfigError("`parameters` of tool '\(spec.name)': \(problem)", at: spec.location)
        }
    }

    private static func builtinFunction(_ config: BuiltinToolConfig, spec: ToolSpec) throws(ConfigError) -> BuiltinFunction {
        guard let function = BuiltinFunction(rawValue: config.builtin.value) else {
            let known = BuiltinFunction.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigError("unknown builtin function '\(config.builtin.value)' (known: \(known))", at: config.builtin.location ?? spec.location)
        }
        return function
    }
}
