import BenchSupport
import Benchmark
import Brigade
import BrigadeTesting
import CurlHTTP
import Logging

/// The tool every agent benchmark calls: `wait`, which takes 200 ms.
enum WaitTool: String, CaseIterable, Sendable {
    /// In-process: a closure that sleeps 200 ms.
    case closure
    /// A real child process: `sleep 0.2`, through the command executor (argv, no shell).
    case command

    static let duration = Duration.milliseconds(200)

    func make() throws -> Tool {
        switch self {
        case .closure:
            return Tool(name: "wait", description: "Waits 200 ms.") { _, _ in
                try await Task.sleep(for: Self.duration)
                return ToolOutput(text: "waited 200 ms")
            }
        case .command:
            let declaration = ToolDeclaration(
                spec: ToolSpec(name: "wait", description: "Runs `sleep 0.2`."),
                kind: .command(CommandToolConfig(argv: [Located("sleep"), Located("0.2")])),
                baseDirectory: "/"
            )
            return try ToolFactory.makeTool(declaration, httpClient: nil)
        }
    }
}

/// Where the model's turns come from.
enum ModelKind: String, CaseIterable, Sendable {
    /// `ScriptedModelClient`, in process: no HTTP, no JSON.
    case scripted = "scripted model"
    /// `OpenAIChatClient` streaming over real HTTP from the model server child process.
    case http = "HTTP model"
}

/// Builds agents for one ``BenchScenario`` and checks what their runs did.
enum AgentRig {
    static let logger = Logger(label: "brigade-bench", factory: { _ in SwiftLogNoOpLogHandler() })
    /// Shared by every HTTP-model run so connections stay warm between iterations.
    static let httpClient = HTTPClient(configuration: .init(maxConnectionsPerHost: 64, maxCachedConnections: 64))

    /// An agent whose model plays `scenario`, with room for all of its calls in one wave.
    static func agent(model: ModelKind, tool: WaitTool, scenario: BenchScenario) async throws -> Agent {
        let client: any ModelClient
        switch model {
        case .scripted:
            let calls = (0..<scenario.calls).map { ToolCall(id: "call_\($0)", name: scenario.tool, rawArguments: "{}") }
            let turns = Array(repeating: ScriptedTurn.toolCalls(calls), count: scenario.rounds) + [.answer("done")]
            client = ScriptedModelClient(turns)
        case .http:
            let baseURL = try await ModelServerProcess.shared.start()
            client = OpenAIChatClient(
                configuration: .init(baseURL: baseURL, apiKey: "bench", model: "bench", retryPolicy: .none),
                httpClient: httpClient
            )
        }
        var registry = ToolRegistry()
        try registry.register(tool.make())
        let configuration = Agent.Configuration(
            model: client,
            limits: Budget.Limits(
                maxTurns: scenario.rounds + 2,
                // One more than the run makes: a run whose call cap is used up answers through a
                // synthesis turn (tools disabled) instead of the model's own last turn.
                maxCallsPerRun: scenario.calls * scenario.rounds + 1,
                maxCallsPerTurn: scenario.calls
            ),
            systemPrompt: "You are a benchmark.",
            dispatch: Dispatcher.Configuration(maxParallelCalls: max(1, scenario.calls)),
            routing: .model
        )
        return Agent(registry: registry, configuration: configuration, logger: logger)
    }

    /// Why `result` is not the run `scenario` asks for, or `nil` when it is.
    static func problem(with result: RunResult, scenario: BenchScenario) -> String? {
        guard result.stopReason == .finished else { return "the run stopped with \(result.stopReason)" }
        let expected = scenario.calls * scenario.rounds
        guard result.toolCalls == expected, result.calls.count == expected else {
            return "the run made \(result.toolCalls) calls, expected \(expected)"
        }
        if let failed = result.calls.first(where: { $0.status != .ok }) {
            return "call \(failed.callID) ended \(failed.status.rawValue)"
        }
        return nil
    }
}

extension BenchmarkMetric {
    /// The run's wall time minus the 200 ms one wave of calls must take.
    static let overhead = BenchmarkMetric.custom("overhead us", polarity: .prefersSmaller, useScalingFactor: false)
    /// The tool turn's fan-out wall time (first call queued to last call finished).
    static let fanOut = BenchmarkMetric.custom("fan-out us", polarity: .prefersSmaller, useScalingFactor: false)
    /// The model calls' time, summed over the run's turns.
    static let modelTime = BenchmarkMetric.custom("model us", polarity: .prefersSmaller, useScalingFactor: false)
    /// User + system CPU of this process during the run, from getrusage.
    static let cpu = BenchmarkMetric.custom("cpu us", polarity: .prefersSmaller, useScalingFactor: false)
    /// User + system CPU of the tool processes reaped during the run.
    static let childrenCPU = BenchmarkMetric.custom("children cpu us", polarity: .prefersSmaller, useScalingFactor: false)
}
