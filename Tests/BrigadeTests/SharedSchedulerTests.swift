import BrigadeSync
import Brigade
import BrigadeTesting
import Foundation
import Testing

/// One agent hosts many runs: a tool's `max_concurrency` and the global parallel-call cap hold across
/// all of them — proven from the tools' own timestamps, not from Brigade's events.
@Suite("Shared scheduler across runs", .timeLimit(.minutes(2)))
struct SharedSchedulerTests {
    @Test func aBatchOf50ItemsAtConcurrency16NeverRunsMoreThanTheToolsCap() async throws {
        let folder = try TemporaryFolder()
        let log = folder.path + "/stamps.log"
        let stamp = try StampTool.script(in: folder)
        let limited = try StampTool.make("limited", script: stamp, log: log, maxConcurrency: 2)
        let free = try StampTool.make("free", script: stamp, log: log, maxConcurrency: nil)
        let agent = try makeAgent(FanOutModel(calls: ["limited", "limited", "free"]), tools: [limited, free], dispatch: Dispatcher.Configuration(maxParallelCalls: 3))

        let directory = BatchTempDirectory()
        let input = try BatchInput(parsing: Array(batchInputText(50).utf8))
        let summary = try await BatchEngine(runner: AgentBatchRunner(agent: agent), configuration: BatchConfiguration(concurrency: 16))
            .run(input, resultsPath: directory.file("results.jsonl"))

        #expect(summary.ok == 50 && summary.failed == 0)
        let stamps = try StampLog.read(log)
        #expect(stamps.filter { $0.tool == "limited" }.count == 100)
        #expect(stamps.filter { $0.tool == "free" }.count == 50)
        #expect(StampLog.maxOverlap(stamps.filter { $0.tool == "limited" }) <= 2)
        #expect(StampLog.maxOverlap(stamps) <= 3)
    }

    @Test func concurrentRunsOfOneAgentShareTheCapsAndTheAlwaysApprovedMemory() async throws {
        let folder = try TemporaryFolder()
        let log = folder.path + "/stamps.log"
        let stamp = try StampTool.script(in: folder)
        let limited = try StampTool.make("limited", script: stamp, log: log, maxConcurrency: 1, confirm: true)
        let agent = try makeAgent(FanOutModel(calls: ["limited", "limited"]), tools: [limited])
        let asked = LockedState(0)
        let always = ClosureApprovalPolicy { _ in
            asked.withLock { $0 += 1 }
            return .approveAlways
        }

        let results = try await withThrowingTaskGroup(of: RunResult.self) { group in
            for index in 0..<8 {
                group.addTask {
                    try await agent.run("item \(index)", options: RunOptions(approval: always))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }

        #expect(results.allSatisfy { $0.stopReason == .finished && $0.calls.allSatisfy { $0.status == .ok } })
        #expect(asked.value == 1, "\"always\" holds for every run of the agent")
        let stamps = try StampLog.read(log)
        #expect(stamps.count == 16)
        #expect(StampLog.maxOverlap(stamps) <= 1)
    }
}

/// A model that asks for the same calls on the first turn of every run and answers once it has results.
struct FanOutModel: ModelClient {
    let calls: [String]
    var displayName: String { "fan-out" }

    func complete(_ request: ModelRequest, deadline: ContinuousClock.Instant?, onTextDelta: @escaping @Sendable (String) -> Void) async throws(ModelError) -> ModelResponse {
        let hasResults = request.messages.contains { if case .toolResults = $0 { true } else { false } }
        if hasResults { return ModelResponse(text: "done", toolCalls: [], finishReason: .stop, usage: TokenUsage(inputTokens: 10, outputTokens: 1)) }
        let toolCalls = calls.enumerated().map { ToolCall(id: "c\($0.offset)", name: $0.element, rawArguments: "{}") }
        return ModelResponse(text: "", toolCalls: toolCalls, finishReason: .toolCalls, usage: TokenUsage(inputTokens: 10, outputTokens: 1))
    }
}

/// A command tool running ``StampLog/script``.
enum StampTool {
    static func script(in folder: TemporaryFolder) throws -> String {
        try folder.write("stamp.sh", StampLog.script, executable: true)
    }

    static func make(_ name: String, script: String, log: String, maxConcurrency: Int?, confirm: Bool = false) throws -> Tool {
        let spec = ToolSpec(name: name, description: "Stamps its start and end.", policy: ToolPolicy(maxConcurrency: maxConcurrency, confirm: confirm))
        let executor = try CommandToolExecutor(CommandToolConfig(argv: located([script, name, log])), spec: spec, baseDirectory: "/")
        return Tool(spec: spec, executor: executor)
    }
}
