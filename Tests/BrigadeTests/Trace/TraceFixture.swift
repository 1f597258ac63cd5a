import BrigadeTesting
import CurlHTTP
import Foundation
import Logging
import Synchronization
import Testing
import Brigade
@testable import BrigadeCore
@testable import BrigadeProviders

/// A real run over the fake model server, recorded in a store: one retried model call, three
/// parallel calls (`quick`, the `researcher` sub-agent, `slow` planted to finish last), an answer.
enum TraceFixture {
    static let tools = """
        tools:
          - name: researcher
            description: Looks a fact up.
            kind: agent
            agent: {prompt: researcher.md, limits: {max_turns: 3}}
        """

    /// Runs it and returns its trace as the store has it.
    static func run(store: RunStore) async throws -> (RunTrace, RunID) {
        try await withFakeModelServer { server in
            let usage = TokenUsage(inputTokens: 100, outputTokens: 10)
            let failures = Mutex(1)
            server.respond { request in
                if request.systemText == "You research." { return .text("Paris has 2.1 million people.", usage: usage) }
                guard request.trailingToolResults.isEmpty else { return .text("Done: quick, slow and Paris.", usage: usage) }
                if failures.withLock({ count in defer { count -= 1 }; return count > 0 }) { return .fault(.status(503, message: "busy")) }
                return .toolCalls([
                    FakeToolCall(name: "wait", json: ["text": "quick"], id: "call_quick"),
                    FakeToolCall(name: "researcher", json: ["task": "population of Paris"], id: "call_r"),
                    FakeToolCall(name: "wait", json: ["text": "slow"], id: "call_slow"),
                ], text: "Looking.", usage: usage)
            }
            let http = HTTPClient()
            let othersDone = Latch()
            let finished = Mutex<Set<String>>([])
            let wait = Tool(name: "wait", description: "Waits.", parameters: ["type": "object", "properties": ["text": ["type": "string"]]]) { arguments, _ in
                let text = arguments["text"]?.stringValue ?? ""
                if text == "slow" { try await othersDone.wait() }
                return ToolOutput(text: text + " done")
            }
            let registry = try WorkerTestSupport.registry(tools, prompts: ["researcher.md": "You research."], extra: [wait])
            let client = OpenAIChatClient(
                configuration: .init(baseURL: server.openAIBaseURL, apiKey: "k", model: "m", streaming: true,
                                     retryPolicy: RetryPolicy(maxRetries: 2, initialBackoff: .milliseconds(5))),
                httpClient: http)
            var configuration = Agent.Configuration(model: client, systemPrompt: "You plan.", dispatch: Dispatcher.Configuration(maxParallelCalls: 8))
            configuration.store = store
            let agent = Agent(registry: registry, configuration: configuration, logger: Logger(label: "test"))
            let result = try await agent.run("quick, slow and Paris", options: RunOptions()) { event in
                guard case .toolCallFinished(let outcome) = event else { return }
                let done = finished.withLock { $0.insert(outcome.call.id); return $0.isSuperset(of: ["call_quick", "call_r"]) }
                if done { othersDone.open() }
            }
            #expect(result.stopReason == .finished)
            await http.shutdown()
            #expect(await store.flush() == nil)
            let runID = try #require(result.runID)
            return (try store.trace(of: runID), runID)
        }
    }
}
