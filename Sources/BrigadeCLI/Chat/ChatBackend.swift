import Brigade
import Logging

/// What the REPL needs from the workspace — config, tools, routes, model — and the one file that calls
/// the workspace glue (`Workspace.load`, `makeAgent`, `Workspace.makeModel`).
///
/// One agent serves every prompt of the session: `/mode` changes the routing of later runs (a run
/// option), `/model` swaps the model client of the same runtime, so the tool scheduler and "always"
/// approvals carry over. The conversation lives in the REPL's `AgentSession`.
struct ChatBackend: Sendable {
    private(set) var workspace: Workspace
    private(set) var agent: Agent
    private(set) var mode: RoutingMode
    private let environment: [String: String]
    /// Why runs are not recorded, when the store could not be opened.
    private(set) var storeNotice: String?
    /// Where runs and conversations are recorded; `nil` when off or unusable.
    var store: RunStore? { agent.configuration.store }

    var limits: Budget.Limits { agent.configuration.limits }
    /// The model's display name, e.g. `openai:gpt-4o-mini`; `nil` without a model.
    var modelName: String? { workspace.model?.displayName }
    /// A line for the user when the configured routing was lowered to `static` (no model).
    var notice: String? { workspace.routingNotice }

    /// Loads the configuration, the tools, the routes and the model.
    ///
    /// - Parameter mode: `--mode`; `nil` takes the configuration's routing (`static` without a model).
    /// - Throws: `ConfigError` (with file:line:column) for a bad file; ``ChatBackendError`` when `mode`
    ///   needs a model and there is none.
    static func load(
        configPath: String?,
        modelProfile: String? = nil,
        environment: [String: String],
        currentDirectory: String,
        mode: RoutingMode?,
        approval: any ApprovalPolicy,
        recordRuns: Bool = true,
        logger: Logger
    ) throws -> ChatBackend {
        let workspace = try Workspace.load(
            configPath: configPath, environment: environment, currentDirectory: currentDirectory, modelProfile: modelProfile)
        let mode = mode ?? workspace.defaultRouting
        try requireModel(for: mode, in: workspace)
        var storeNotice: String?
        var store: RunStore?
        if recordRuns {
            do {
                store = try workspace.openStore(environment: environment)
            } catch {
                if workspace.config.store.required {
                    throw ChatBackendError("the run store is required (`store.required`) and cannot be used: \(error.message)")
                }
                storeNotice = "brigade: runs are not recorded: \(error.message)"
            }
        }
        var backend = ChatBackend(
            workspace: workspace,
            agent: workspace.makeAgent(routing: mode, approval: approval, store: store, traceExporter: TraceExport.exporter(for: workspace), logger: logger),
            mode: mode, environment: environment
        )
        backend.storeNotice = storeNotice
        return backend
    }

    /// The same workspace with another routing mode.
    /// - Throws: ``ChatBackendError`` when `mode` needs a model and there is none.
    func switching(mode: RoutingMode) throws -> ChatBackend {
        try Self.requireModel(for: mode, in: workspace)
        var copy = self
        copy.mode = mode
        return copy
    }

    /// The same workspace with another model of the configured provider.
    /// - Throws: ``ChatBackendError`` without a `model:` section or an API key.
    func switching(model name: String) throws -> ChatBackend {
        guard let settings = workspace.config.model else { throw ChatBackendError("no model is configured in config.yaml") }
        let (client, reason) = Workspace.makeModel(settings, environment: environment, httpClient: workspace.httpClient, modelName: name)
        guard let client else { throw ChatBackendError(reason ?? "the model cannot be used") }
        var copy = self
        copy.workspace.model = client
        copy.agent = agent.replacingModel(client)
        return copy
    }

    /// `/routes`: one entry per route — name, description, the calls of its fan-out, an example.
    var routeLines: [String] {
        let routes = workspace.routes.routes
        guard !routes.isEmpty else { return ["No routes (add them in \(workspace.config.paths.routes.value))."] }
        return routes.flatMap { route -> [String] in
            var lines = ["\(route.name): \(route.description)"]
            lines.append("  calls: " + route.calls.map { $0.label == $0.tool ? $0.tool : "\($0.label)=\($0.tool)" }.joined(separator: ", "))
            if let example = route.examples.first { lines.append("  e.g. \"\(example)\"") }
            return lines
        }
    }

    private static func requireModel(for mode: RoutingMode, in workspace: Workspace) throws {
        if mode != .static, workspace.model == nil {
            throw ChatBackendError("mode \(mode.rawValue) needs a model: \(workspace.modelUnavailableReason ?? "none is available")")
        }
    }
}

struct ChatBackendError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
