import Brigade
import Logging

/// What the REPL needs from the workspace — config, tools, routes, model — and the one file that calls
/// the workspace glue, so wiring it is quick.
///
/// STOPGAP until `Workspace` lands on main: tools are loaded from the config's tools folder and the agent
/// has no model (every prompt is answered by the fallback); routes and `/model` report that they are not
/// wired. With the glue: `Workspace.load(configPath:environment:currentDirectory:)` here and
/// `workspace.makeAgent(mode:approval:logger:)` in ``switching(mode:)`` / ``switching(model:)``.
struct ChatBackend: Sendable {
    var agent: Agent
    var mode: BrigadeConfig.Routing
    /// The model's display name, e.g. `openai:gpt-4o-mini`; `nil` without a model.
    var modelName: String?
    /// `/routes`: one line per route.
    var routeLines: [String]
    private var config: BrigadeConfig
    private var approval: any ApprovalPolicy
    private var logger: Logger

    var limits: Budget.Limits { agent.configuration.limits }

    /// Loads the configuration, the tools and the model.
    ///
    /// - Throws: `ConfigError` (with file:line:column) for a bad config or tool file.
    static func load(
        configPath: String?,
        environment: [String: String],
        currentDirectory: String,
        mode: BrigadeConfig.Routing?,
        approval: any ApprovalPolicy,
        logger: Logger
    ) throws -> ChatBackend {
        let config = try BrigadeConfig.resolve(explicit: configPath, environment: environment, currentDirectory: currentDirectory)
        let toolsFolder = config.paths.tools
        let declarations = FileIO.isDirectory(toolsFolder.value) || toolsFolder.location != nil
            ? try RegistryLoader.load(directory: toolsFolder.value, environment: environment) : []
        let registry = try ToolFactory.makeRegistry(declarations, httpClient: nil)
        let systemPrompt = FileIO.readText(config.paths.prompts.value + "/system.md") ?? ""
        let limits = Budget.Limits(
            usd: config.budget.usd,
            inputTokens: config.budget.inputTokens,
            outputTokens: config.budget.outputTokens,
            wallTime: config.budget.wallClock,
            maxTurns: config.limits.maxTurns,
            maxCallsPerRun: config.limits.maxCallsPerRun,
            maxCallsPerTurn: config.limits.maxCallsPerTurn,
            synthesisReserve: config.budget.synthesisReserve
        )
        let agent = Agent(
            registry: registry,
            configuration: Agent.Configuration(
                model: nil,
                limits: limits,
                systemPrompt: systemPrompt,
                dispatch: Dispatcher.Configuration(
                    maxParallelCalls: config.limits.maxParallelCalls,
                    defaultTimeout: config.limits.toolTimeout,
                    defaultMaxOutputBytes: config.limits.maxToolOutputBytes,
                    approval: approval
                )
            ),
            logger: logger
        )
        return ChatBackend(
            agent: agent, mode: mode ?? config.routing, modelName: nil,
            routeLines: ["Routes are not wired into the REPL yet."],
            config: config, approval: approval, logger: logger
        )
    }

    /// The same workspace with another routing mode.
    func switching(mode: BrigadeConfig.Routing) throws -> ChatBackend {
        var copy = self
        copy.mode = mode
        return copy
    }

    /// The same workspace with another model of the configured provider.
    func switching(model name: String) throws -> ChatBackend {
        throw ChatBackendError("switching models is not wired into the REPL yet")
    }
}

struct ChatBackendError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
