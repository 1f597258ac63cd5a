import Brigade
@testable import BrigadeCore
import BrigadeTesting
import Synchronization
import Testing

/// The Swift API of durable runs: a run paused for approval, decided through the store, resumed by
/// another agent over the same store.
@Suite("Run store: pause and resume", .timeLimit(.minutes(1)))
struct RunResumeTests {
    final class Counter: Sendable {
        let runs = Mutex<[String: Int]>([:])
        func tool(_ name: String, confirm: Bool = false) -> Tool {
            Tool(name: name, description: "Counts.", parameters: ["type": "object"], policy: ToolPolicy(confirm: confirm)) { [self] _, _ in
                self.runs.withLock { $0[name, default: 0] += 1 }
                return ToolOutput(text: "\(name) done")
            }
        }
        subscript(name: String) -> Int { runs.withLock { $0[name] ?? 0 } }
    }

    func agent(_ model: ScriptedModelClient, store: RunStore, counter: Counter) throws -> Agent {
        let tools = [counter.tool("deploy", confirm: true), counter.tool("check")]
        var configuration = try makeAgent(model, tools: tools).configuration
        configuration.store = store
        configuration.dispatch.approval = PauseApprovalPolicy()
        return Agent(registry: try ToolRegistry(tools), configuration: configuration, logger: .quiet)
    }

    @Test func aPausedRunIsDecidedAndResumedByAnotherAgent() async throws {
        let folder = try TemporaryFolder()
        let store = try RunStore(configuration: RunStore.Configuration(path: folder.path + "/runs.sqlite"))
        let counter = Counter()
        let first = ScriptedModelClient([.toolCalls([call("deploy", id: "d"), call("check", id: "c")], usage: TokenUsage(inputTokens: 100, outputTokens: 10))])
        let paused = try await agent(first, store: store, counter: counter).run("ship it", options: RunOptions())
        #expect(paused.stopReason == .awaitingApproval && paused.outcome == .paused)
        #expect(counter["deploy"] == 0 && counter["check"] == 1)
        #expect(await store.flush() == nil)
        let runID = try #require(paused.runID)
        #expect(try store.runs(RunStore.RunQuery(states: [.awaitingApproval])).map(\.id) == [runID])

        // Resuming before the decision is refused; so is deciding a call that is not waiting.
        let second = ScriptedModelClient([.answer("Shipped.", usage: TokenUsage(inputTokens: 200, outputTokens: 20))])
        let resumer = try agent(second, store: store, counter: counter)
        await #expect(throws: RunStoreError.self) { try await resumer.resume(runID) }
        await #expect(throws: RunStoreError.self) { try await store.decide(runID, call: "c", .approve) }
        #expect(try await store.decide(runID, call: "d", .approve).isEmpty)
        let again = await #expect(throws: RunStoreError.self) { try await store.decide(runID, call: "d", .deny) }
        #expect(again?.message.contains("already decided (approved)") == true)

        let resumed = try await resumer.resume(runID)
        #expect(resumed.stopReason == .finished && resumed.answer == "Shipped.")
        #expect(resumed.runID == runID)
        #expect(counter["deploy"] == 1 && counter["check"] == 1)
        #expect(resumed.usage.inputTokens == 300)
        guard case .toolResults(let results)? = second.requests.first?.messages.last else {
            Issue.record("the resumed request should end with the calls' results")
            return
        }
        #expect(results.map(\.content) == ["deploy done", "check done"])
        #expect(await store.flush() == nil)
        let record = try store.record(of: runID)
        #expect(record.run.state == .finished && record.run.answer == "Shipped.")
        let finishedAgain = await #expect(throws: RunStoreError.self) { try await resumer.resume(runID) }
        #expect(finishedAgain?.code == .invalidState)
    }
}
