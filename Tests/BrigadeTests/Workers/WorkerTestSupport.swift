import BrigadeTesting
import CurlHTTP
import Logging
import Brigade
@testable import BrigadeCore
@testable import BrigadeProviders
@testable import BrigadeWorkspace

/// Agents whose tools include `kind: agent` sub-agents, over the fake model server.
enum WorkerTestSupport {
    /// The tools declared in `yaml` (a tools file), with each sub-agent's prompt text taken from
    /// `prompts` by file name, plus `extra` closure tools.
    static func registry(_ yaml: String, prompts: [String: String], extra: [Tool] = [], models: [String: SubAgentModel] = [:]) throws -> ToolRegistry {
        var declarations = try RegistryLoader.parse(yaml, file: "/tmp/tools/agents.yaml", environment: [:])
        for index in declarations.indices {
            if case .agent(var config) = declarations[index].kind {
                config.promptText = prompts[config.prompt.value] ?? ""
                if let judge = config.join?.judge { config.join?.judgeText = prompts[judge.value] ?? "" }
                declarations[index].kind = .agent(config)
            }
        }
        var registry = try ToolFactory.makeRegistry(declarations, httpClient: nil, subAgentModels: models)
        for tool in extra { try registry.register(tool) }
        return registry
    }

    static func client(_ server: FakeModelServer, _ http: HTTPClient) -> any ModelClient {
        OpenAIChatClient(configuration: .init(baseURL: server.openAIBaseURL, apiKey: "k", model: "m", streaming: false), httpClient: http)
    }

    static func agent(_ registry: ToolRegistry, _ client: any ModelClient, limits: Budget.Limits = Budget.Limits(), maxParallelCalls: Int = 16) -> Agent {
        Agent(
            registry: registry,
            configuration: Agent.Configuration(
                model: client, limits: limits, systemPrompt: "You plan.",
                dispatch: Dispatcher.Configuration(maxParallelCalls: maxParallelCalls)),
            logger: Logger(label: "test"))
    }
}

extension FakeModelRequest {
    /// The text of the system message (OpenAI: the first message with role `system`).
    var systemText: String {
        guard let content = messages.first(where: { $0["role"]?.stringValue == "system" })?["content"] else { return "" }
        return content.stringValue ?? (content.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
    }

    /// The `max_tokens` the client granted.
    var maxTokens: Int? { body?["max_tokens"]?.intValue ?? body?["max_completion_tokens"]?.intValue }
}

extension AgentEvent {
    var childRunEvent: ChildRunEvent? {
        if case .childRun(let child) = self { child } else { nil }
    }
}
