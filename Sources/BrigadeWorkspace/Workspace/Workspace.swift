import BrigadeCore
import BrigadeProviders
import BrigadeTelemetry
import CurlHTTP
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Everything Brigade reads from files — config.yaml, the tools/ registry, the routes/ and the
/// prompts/ — plus the model client the configuration names, ready to make an ``Agent``.
///
/// ```swift
/// let workspace = try Workspace.load()            // ./config.yaml, $BRIGADE_CONFIG, …
/// let agent = workspace.makeAgent(logger: logger)
/// let result = await agent.run("brief me on this repository")
/// ```
public struct Workspace: Sendable {
    /// The settings of config.yaml (the defaults when there is no file).
    public var config: BrigadeConfig
    /// The tools of the `tools/` folder, plus those added with ``register(_:)``.
    public var registry: ToolRegistry
    /// The static routes of the `routes/` folder.
    public var routes: RouteSet
    /// The system prompt: `prompts/system.md`, or a built-in default when there is none.
    public var systemPrompt: String
    /// The model client, or `nil` when none is configured or its API key is missing.
    public var model: (any ModelClient)?
    /// Why ``model`` is `nil`, in a few words ("no API key in $OPENAI_API_KEY").
    public var modelUnavailableReason: String?
    /// The client shared by the model and the http tools.
    public let httpClient: HTTPClient
    /// Tools and routes a later configuration layer took over from an earlier one.
    public var overrides: [LayerOverride] = []
    /// Secret values of the configuration — the models' API keys, the `${ENV}` values of http tools'
    /// headers and of MCP servers' `url`, `headers`, `env` and `args` — which the run store redacts
    /// (``openStore(environment:)``).
    public var secrets: [String] = []

    /// The routing the configuration asks for, lowered to `static` when there is no model.
    public var defaultRouting: RoutingMode {
        model == nil ? .static : RoutingMode(config.routing)
    }

    /// A line for the user when the routing was lowered to `static` (nil otherwise).
    public var routingNotice: String? {
        guard model == nil, let reason = modelUnavailableReason else { return nil }
        return "brigade: \(reason) — answering with the offline router (routing: static)"
    }

    /// Loads the configuration layers and everything they point to (docs/configuration.md).
    /// - Parameters:
    ///   - configPath: `--config`, the last layer; the others are the user's
    ///     (`$XDG_CONFIG_HOME/brigade/`), the project's (`.brigade/` walking up from
    ///     `currentDirectory`, or `./config.yaml`) and `$BRIGADE_CONFIG`. With none, the defaults (no model).
    ///   - environment: for `${ENV}` interpolation, the lookup and the API key.
    ///   - currentDirectory: where the project is looked for.
    ///   - modelProfile: `-m NAME`, a profile (or alias) of `models:` to use instead of the default.
    ///   - httpClient: the HTTP client for the model and the `http` tools; by default `HTTPClient.shared`.
    /// - Throws: `ConfigError` with file:line:col for anything wrong in any of the files.
    public static func load(
        configPath: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath,
        modelProfile: String? = nil,
        httpClient: HTTPClient? = nil
    ) throws(ConfigError) -> Workspace {
        let config = try BrigadeConfig.resolve(
            explicit: configPath, environment: environment, currentDirectory: currentDirectory, modelProfile: modelProfile)
        let httpClient = httpClient ?? .shared
        var (registry, routes, systemPrompt, overrides, toolSecrets) = try loadLayers(config, environment: environment, httpClient: httpClient)
        for server in config.mcpServers {
            registry.add(MCPServer(server, defaultMaxOutputBytes: config.limits.maxToolOutputBytes, logger: Logger(label: "brigade.mcp")))
        }

        var workspace = Workspace(
            config: config, registry: registry, routes: routes, systemPrompt: systemPrompt,
            model: nil, modelUnavailableReason: nil, httpClient: httpClient
        )
        (workspace.model, workspace.modelUnavailableReason) = Self.makeModel(config.model, environment: environment, httpClient: httpClient)
        if let settings = config.model, !settings.fallback.isEmpty {
            workspace.model = try Self.makeModelChain(config.modelChain(for: settings), config: config, environment: environment, httpClient: httpClient)
            workspace.modelUnavailableReason = nil
        }
        workspace.overrides = overrides
        let models = [config.model].compactMap { $0 } + config.models.map(\.settings)
        workspace.secrets = models.compactMap { $0.apiKeyEnvironmentVariable.flatMap { environment[$0] } }.filter { !$0.isEmpty }
            + toolSecrets + config.mcpServers.flatMap(\.secrets)
        return workspace
    }

    init(
        config: BrigadeConfig, registry: ToolRegistry, routes: RouteSet, systemPrompt: String,
        model: (any ModelClient)?, modelUnavailableReason: String?, httpClient: HTTPClient
    ) {
        self.config = config
        self.registry = registry
        self.routes = routes
        self.systemPrompt = systemPrompt
        self.model = model
        self.modelUnavailableReason = modelUnavailableReason
        self.httpClient = httpClient
    }

    /// The model client for `settings`, or why there is none.
    ///
    /// - Parameters:
    ///   - settings: the `model:` section of config.yaml; `nil` gives no model.
    ///   - environment: where the API key variable is read.
    ///   - httpClient: the client requests go through.
    ///   - modelName: overrides `settings.model` (e.g. a `/model` switch in the REPL).
    /// - Returns: the client, or `nil` and a short reason ("no API key in $OPENAI_API_KEY").
    public static func makeModel(
        _ settings: BrigadeConfig.ModelSettings?,
        environment: [String: String],
        httpClient: HTTPClient,
        modelName: String? = nil
    ) -> ((any ModelClient)?, String?) {
        guard let settings else { return (nil, "no model is configured") }
        var apiKey: String?
        if let variable = settings.apiKeyEnvironmentVariable {
            guard let value = environment[variable], !value.isEmpty else {
                return (nil, "no API key in $\(variable)")
            }
            apiKey = value
        }
        let retry = RetryPolicy(maxRetries: settings.maxRetries)
        let model = modelName ?? settings.model
        switch settings.provider {
        case .openai:
            var configuration = OpenAIChatClient.Configuration(
                baseURL: settings.baseURL, apiKey: apiKey, model: model, retryPolicy: retry, idleTimeout: settings.requestTimeout)
            configuration.rateLimits = settings.rateLimits
            configuration.toolChoice = settings.toolChoice
            return (OpenAIChatClient(configuration: configuration, httpClient: httpClient), nil)
        case .anthropic:
            var configuration = AnthropicClient.Configuration(
                baseURL: settings.baseURL, apiKey: apiKey, model: model, retryPolicy: retry, idleTimeout: settings.requestTimeout)
            configuration.rateLimits = settings.rateLimits
            configuration.toolChoice = settings.toolChoice
            configuration.promptCaching = settings.promptCaching
            return (AnthropicClient(configuration: configuration, httpClient: httpClient), nil)
        }
    }

    /// The ``ModelChain`` of `chain` (the chosen model and its fallbacks), each model priced at its own price.
    /// - Throws: `ConfigError` naming a profile of the chain whose API key variable is not set.
    static func makeModelChain(
        _ chain: [BrigadeConfig.ModelSettings], config: BrigadeConfig, environment: [String: String], httpClient: HTTPClient
    ) throws(ConfigError) -> ModelChain {
        var entries: [ModelChain.Entry] = []
        for settings in chain {
            let (client, reason) = makeModel(settings, environment: environment, httpClient: httpClient)
            guard let client else {
                let variable = settings.apiKeyEnvironmentVariable.map { "$\($0)" } ?? "its API key variable"
                throw ConfigError(
                    "the model `\(settings.profile ?? settings.model)` of the fallback chain cannot be used: \(reason ?? "no client"); "
                        + "set \(variable), or remove it from the chain",
                    at: config.locations[settings.keyPath + ".api_key_env"] ?? config.locations[settings.keyPath]
                )
            }
            entries.append(ModelChain.Entry(name: settings.profile ?? settings.model, client: client, pricing: settings.price))
        }
        do {
            return try ModelChain(entries)
        } catch {
            throw ConfigError(error.message)
        }
    }

    /// Adds an in-process tool beside the tools of the `tools/` folder, e.g. a ``Tool`` built with a
    /// Swift closure. Agents made afterwards offer it to the model; routes were checked against the
    /// folder's tools when the workspace loaded, so they cannot name it.
    ///
    /// ```swift
    /// var workspace = try Workspace.load()
    /// try workspace.register(Tool(name: "ticket", description: "Opens a ticket.", parameters: schema) { arguments, _ in … })
    /// ```
    ///
    /// - Throws: `ConfigError` when a tool of the same name is already registered (the message names
    ///   where the first one was declared).
    public mutating func register(_ tool: Tool) throws(ConfigError) {
        try registry.register(tool)
    }

    /// The MCP servers of `mcp_servers:` (sources of the registry).
    public var mcpServers: [MCPServer] { registry.sources.compactMap { $0 as? MCPServer } }

    /// Starts the MCP servers marked `eager: true` and waits until they have listed their tools.
    public func startEagerSources() async {
        await withTaskGroup(of: Void.self) { group in
            for server in mcpServers where server.config.eager { group.addTask { await server.prepare() } }
        }
    }

    /// Ends every process the workspace started (its MCP servers) and waits until they are gone.
    /// Call it before the process exits; an agent made from this workspace cannot reach them afterwards.
    public func shutdown() async {
        await registry.shutdownSources()
    }

    /// The agent's configuration from config.yaml, with the given routing and approval policy.
    ///
    /// Adjust it before making an agent, e.g. to use another model client or tighter limits:
    ///
    /// ```swift
    /// var configuration = workspace.agentConfiguration(routing: .model)
    /// configuration.model = myClient
    /// configuration.limits.usd = 0.01
    /// let agent = Agent(registry: workspace.registry, configuration: configuration, logger: logger)
    /// ```
    public func agentConfiguration(
        routing: RoutingMode? = nil, approval: any ApprovalPolicy = DenyAllApprovalPolicy(), store: RunStore? = nil,
        traceExporter: OTLPTraceExporter? = nil
    ) -> Agent.Configuration {
        let limits = config.limits
        let budget = config.budget
        return Agent.Configuration(
            model: model,
            pricing: config.model?.price ?? ModelPricing(),
            limits: Budget.Limits(
                usd: budget.usd,
                inputTokens: budget.inputTokens,
                outputTokens: budget.outputTokens,
                wallTime: budget.wallClock,
                maxTurns: limits.maxTurns,
                maxCallsPerRun: limits.maxCallsPerRun,
                maxCallsPerTurn: limits.maxCallsPerTurn,
                synthesisReserve: budget.synthesisReserve
            ),
            systemPrompt: systemPrompt,
            maxOutputTokens: config.model?.maxOutputTokens ?? 4096,
            temperature: config.model?.temperature,
            dispatch: Dispatcher.Configuration(
                maxParallelCalls: limits.maxParallelCalls,
                defaultTimeout: limits.toolTimeout,
                defaultMaxOutputBytes: limits.maxToolOutputBytes,
                approval: approval
            ),
            routes: routes,
            routing: routing ?? defaultRouting,
            store: store,
            traceExporter: traceExporter
        )
    }

    /// An agent over this workspace: the runtime every run of the process should share (runs take
    /// their own limits, routing, approval and session through ``RunOptions``).
    /// - Parameters:
    ///   - routing: overrides the configured mode (`--mode`); `nil` takes ``defaultRouting``.
    ///   - approval: decides `confirm: true` tools; denies them all by default.
    ///   - store: where every run is recorded (``openStore(environment:)``); `nil` records nothing.
    ///   - traceExporter: where the spans of every finished run are exported (OpenTelemetry); `nil` exports nothing.
    ///   - logger: the caller's logger.
    public func makeAgent(
        routing: RoutingMode? = nil, approval: any ApprovalPolicy = DenyAllApprovalPolicy(), store: RunStore? = nil,
        traceExporter: OTLPTraceExporter? = nil, logger: Logger
    ) -> Agent {
        let configuration = agentConfiguration(routing: routing, approval: approval, store: store, traceExporter: traceExporter)
        return Agent(registry: registry, configuration: configuration, logger: logger)
    }

    /// A new ledger over the session caps of config.yaml (`budget.session_usd`, `session_input_tokens`,
    /// `session_output_tokens`), for ``RunOptions/parentBudget`` of every run of one session; `nil` when
    /// none is set. Only those caps apply to the session as a whole; turns, calls and time stay per run.
    public func makeSessionBudget() -> BudgetLedger? {
        let budget = config.budget
        guard budget.sessionUSD != nil || budget.sessionInputTokens != nil || budget.sessionOutputTokens != nil else { return nil }
        let limits = Budget.Limits(
            usd: budget.sessionUSD, inputTokens: budget.sessionInputTokens, outputTokens: budget.sessionOutputTokens,
            maxTurns: nil, maxCallsPerRun: nil, maxCallsPerTurn: nil, synthesisReserve: 0)
        return BudgetLedger(limits: limits, pricing: config.model?.price ?? ModelPricing())
    }

    /// A new session (chat, or a protocol `session`) whose conversation is bounded by
    /// `limits.session_history_tokens`.
    public func makeSession(messages: [ChatMessage] = [], id: String? = nil) -> AgentSession {
        AgentSession(messages: messages, maxHistoryTokens: config.limits.sessionHistoryTokens, id: id)
    }

    static let defaultSystemPrompt = """
        You are Brigade, an assistant that answers by calling tools. When several pieces of information are \
        independent, request all of the tool calls in the same turn: they run in parallel. Be concise. If a tool \
        fails or information is missing, say what is missing instead of guessing.
        """
}

extension RoutingMode {
    init(_ routing: BrigadeConfig.Routing) {
        switch routing {
        case .hybrid: self = .hybrid
        case .model: self = .model
        case .static: self = .static
        }
    }
}

extension Workspace {
    /// Opens the run store of `store:` (docs/store.md), redacting ``secrets``.
    /// - Parameter environment: where `$XDG_STATE_HOME` and `$HOME` are read for the default path.
    /// - Returns: `nil` when `store: off`.
    /// - Throws: ``RunStoreError`` when the file cannot be used (the caller runs without recording).
    public func openStore(environment: [String: String] = ProcessInfo.processInfo.environment) throws(RunStoreError) -> RunStore? {
        let settings = config.store
        guard settings.enabled else { return nil }
        let configuration = RunStore.Configuration(
            path: settings.path ?? RunStore.defaultPath(environment: environment),
            secrets: secrets,
            maxResultBytes: settings.maxResultBytes,
            keepDays: settings.keepDays,
            keepRuns: settings.keepRuns
        )
        return try RunStore(configuration: configuration)
    }
}
