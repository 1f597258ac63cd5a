import BrigadeTesting
import CurlHTTP
import Foundation
import Logging
import Synchronization
import Testing
import Brigade
@testable import BrigadeCore

/// The spans of real runs over the fake model server, read back from the run store.
@Suite("Trace spans", .timeLimit(.minutes(2)))
struct TraceBuilderTests {
    /// A run whose first model call fails once (retried), then asks for three calls at once: `quick`,
    /// the `researcher` sub-agent, and `slow` — planted to finish last (it waits until both others
    /// have been reported finished), so it is the one the join waited for.
    @Test func parallelCallsARetryAndASubAgentNestWithTheirTimesAndTheSlowCallIsCritical() async throws {
        let folder = try TemporaryFolder()
        let store = try RunStore(configuration: RunStore.Configuration(path: folder.path + "/runs.sqlite"))
        let (trace, runID) = try await TraceFixture.run(store: store)
        let spans = Dictionary(uniqueKeysWithValues: trace.spans.map { ($0.id, $0) })
        let root = try #require(trace.spans.first)
        let id = runID.rawValue
        #expect(root.id == id && root.kind == .run && root.parentID == nil && root.status == .ok)
        #expect(!trace.isLive)

        // run → turn 1 → model call (one failed attempt) and the three calls; turn 2 → model call.
        let turn1 = try #require(spans["\(id)/turn/1"])
        let model1 = try #require(spans["\(id)/model/1"])
        #expect(turn1.parentID == id && model1.parentID == turn1.id)
        #expect(model1.attributes["retries"]?.intValue == 1 && model1.status == .ok)
        let retry = try #require(spans["\(id)/model/1/retry/1"])
        #expect(retry.kind == .retry && retry.parentID == model1.id && retry.status == .error)
        let quick = try #require(spans["\(id)/call/1/call_quick"])
        let slow = try #require(spans["\(id)/call/1/call_slow"])
        let researcher = try #require(spans["\(id)/call/1/call_r"])
        #expect([quick, slow, researcher].allSatisfy { $0.parentID == turn1.id && $0.kind == .toolCall && $0.status == .ok })
        #expect(slow.attributes["output"]?.stringValue == "slow done" && slow.attributes["result_bytes"]?.intValue == 9)
        #expect(slow.attributes["arguments"]?.stringValue == #"{"text":"slow"}"#)
        let model2 = try #require(spans["\(id)/model/2"])
        #expect(model2.parentID == "\(id)/turn/2")

        // The sub-agent's run nests under its call, its own turn and model call under it.
        let child = try #require(trace.spans.first { $0.kind == .run && $0.parentID == researcher.id })
        #expect(child.runID != runID && child.attributes["parent_call_id"]?.stringValue == "call_r" && child.status == .ok)
        let childModel = try #require(trace.spans.first { $0.kind == .modelCall && $0.runID == child.runID })
        #expect(childModel.parentID == "\(child.runID.rawValue)/turn/1" && childModel.depth == child.depth + 2)

        // Times: every span lies within its parent; the model call ends before the calls are queued;
        // the calls overlap (each started before any finished); the slow call ended last.
        for span in trace.spans {
            guard let parent = span.parentID.flatMap({ spans[$0] }) else { continue }
            let (end, parentEnd) = (try #require(span.end), try #require(parent.end))
            #expect(span.start >= parent.start && end <= parentEnd, "\(span.id) outside \(parent.id)")
        }
        let calls = [quick, slow, researcher]
        #expect(calls.allSatisfy { $0.start >= model1.end! })
        #expect(calls.map(\.start).max()! < calls.map { $0.end! }.min()!)
        #expect(slow.end! >= quick.end! && slow.end! >= researcher.end!)
        #expect(retry.end! <= model1.end! && retry.start == model1.start)
        // Time to first token of the attempt that answered: it began after the failed one and its wait.
        let ttft = try #require(model1.attributes["ttft_s"]?.doubleValue)
        let answered = retry.end!.addingTimeInterval(try #require(retry.attributes["delay_s"]?.doubleValue))
        #expect(ttft >= 0 && ttft <= model1.end!.timeIntervalSince(answered) + 0.000_001)
        #expect(model1.attributes["input_tokens"]?.intValue == 100)

        // The critical path: the model calls, the slow call — not the two the join did not wait for.
        #expect(root.isCritical && turn1.isCritical && model1.isCritical && slow.isCritical && model2.isCritical)
        #expect(!quick.isCritical && !researcher.isCritical && !child.isCritical)
        // Parents come before their children in the list.
        let position = Dictionary(uniqueKeysWithValues: trace.spans.enumerated().map { ($1.id, $0) })
        #expect(trace.spans.allSatisfy { span in span.parentID.map { position[$0]! < position[span.id]! } ?? true })
        #expect(trace.sequentialSeconds > 0 && trace.wallSeconds > 0)
        let json = trace.json
        #expect(json["spans"]?.arrayValue?.count == trace.spans.count)
        #expect(json["spans"]?.arrayValue?.first?["kind"]?.stringValue == "run")
    }

    @Test func aRunStoppedByItsBudgetHasASynthesisCallAndABudgetMark() async throws {
        let folder = try TemporaryFolder()
        let store = try RunStore(configuration: RunStore.Configuration(path: folder.path + "/runs.sqlite"))
        let model = ScriptedModelClient([
            .toolCalls([ToolCall(id: "a", name: "echo", rawArguments: #"{"text":"x"}"#)]),
            .answer("what I have"),
        ])
        var configuration = try makeAgent(model, tools: [TestTools.echo()]).configuration
        configuration.store = store
        configuration.limits = Budget.Limits(maxTurns: 2)
        let agent = Agent(registry: try ToolRegistry([TestTools.echo()]), configuration: configuration, logger: .quiet)
        let result = try await agent.run("go", options: RunOptions())
        #expect(result.stopReason.code == .maxTurns)
        #expect(await store.flush() == nil)
        let trace = try store.trace(of: nil)
        #expect(trace.runID == result.runID)
        let synthesis = try #require(trace.spans.last { $0.kind == .modelCall })
        #expect(synthesis.name == "synthesis" && synthesis.attributes["synthesis"]?.boolValue == true)
        let budget = try #require(trace.spans.first { $0.kind == .budget })
        #expect(budget.name == "budget: max_turns" && budget.start == budget.end && budget.start == synthesis.start)
        #expect(!budget.isCritical)
    }

    /// Schema 3 adds the events' times; a run recorded before has none and is drawn at its start.
    @Test func aVersion2StoreIsMigratedAndItsRunsCanBeTraced() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/runs.sqlite"
        do {
            let old = try SQLiteConnection(path: path)
            try StoreSchema.migrate(old, to: 2)
            try old.run("INSERT INTO runs (id, surface, state, prompt, started_at, stop_reason) VALUES ('run_old', 'ask', 'finished', 'old', 100, 'finished')")
            try old.run(#"INSERT INTO events (run_id, seq, type, json) VALUES ('run_old', 1, 'turn_started', '{"type":"turn_started","run_id":"run_old","turn":1}')"#)
        }
        let store = try RunStore(configuration: RunStore.Configuration(path: path))
        let version = try store.read { connection throws(SQLiteError) in try connection.integer("PRAGMA user_version") }
        #expect(version == StoreSchema.currentVersion && StoreSchema.currentVersion >= 3)
        let columns = try store.read { connection throws(SQLiteError) in
            try connection.query("SELECT name FROM pragma_table_info('events')") { $0.text(0) ?? "" }
        }
        #expect(columns.contains("at") && columns.contains("first_token_at"))
        let trace = try store.trace(of: RunID(rawValue: "run_old"))
        #expect(trace.spans.map(\.kind) == [.run, .turn, .modelCall])
        #expect(trace.spans.allSatisfy { $0.start == Date(timeIntervalSince1970: 100) })
    }

    @Test func anUnknownRunIsAClearError() throws {
        let folder = try TemporaryFolder()
        let store = try RunStore(configuration: RunStore.Configuration(path: folder.path + "/runs.sqlite"))
        let none = #expect(throws: RunStoreError.self) { try store.trace(of: nil) }
        #expect(none?.code == .unknownRun)
        let unknown = #expect(throws: RunStoreError.self) { try store.trace(of: RunID()) }
        #expect(unknown?.code == .unknownRun && unknown?.message.contains("no run") == true)
    }

    /// A run still going on, read from the store by another reader: traced as far as it got, live,
    /// its running call open.
    @Test func aRunInProgressInTheStoreIsTracedLive() async throws {
        let folder = try TemporaryFolder()
        let store = try RunStore(configuration: RunStore.Configuration(path: folder.path + "/runs.sqlite"))
        let (started, release) = (Latch(), Latch())
        let hold = Tool(name: "hold", description: "Waits.", parameters: ["type": "object"]) { _, _ in
            started.open()
            try await release.wait()
            return ToolOutput(text: "released")
        }
        let model = ScriptedModelClient([.toolCalls([ToolCall(id: "h", name: "hold", rawArguments: "{}")]), .answer("done")])
        var configuration = try makeAgent(model, tools: [hold]).configuration
        configuration.store = store
        let agent = Agent(registry: try ToolRegistry([hold]), configuration: configuration, logger: .quiet)
        let runID = RunID()
        async let result = agent.run("hold on", options: RunOptions(runID: runID))
        try await started.wait()
        #expect(await store.flush() == nil)
        let live = try store.trace(of: runID)
        #expect(live.isLive && live.spans[0].end == nil && live.spans[0].status == .running)
        let call = try #require(live.spans.first { $0.kind == .toolCall })
        #expect(call.name == "hold" && call.end == nil && call.status == .running)
        #expect(live.spans.first { $0.kind == .modelCall }?.end != nil)
        release.open()
        #expect(try await result.stopReason == .finished)
        #expect(await store.flush() == nil)
        let done = try store.trace(of: runID)
        #expect(!done.isLive && done.spans.allSatisfy { $0.end != nil && $0.status == .ok })
    }

    /// A live stream gives the same spans: open spans stay open and the trace says it is live.
    @Test func aRunStillGoingOnIsLiveWithOpenSpans() {
        let runID = RunID()
        let start = Date(timeIntervalSince1970: 1_000)
        let info = TraceRunInfo(id: runID, prompt: "p", model: "m", startedAt: start, state: .running)
        let call = ToolCallInfo(id: "c1", toolName: "echo", argumentsPreview: "{}")
        let events: [TimedEvent] = [
            TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: .turnStarted(turn: 1)), at: start),
            TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: .textDelta("hi")), at: start + 0.25),
            TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: .toolCallQueued(call)), at: start + 1),
            TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: .toolCallStarted(call)), at: start + 1.5),
        ]
        let trace = TraceBuilder.build(run: info, events: events, now: start + 4)
        #expect(trace.isLive && trace.wallSeconds == 4)
        let callSpan = trace.spans.first { $0.kind == .toolCall }
        #expect(callSpan?.end == nil && callSpan?.status == .running && callSpan?.attributes["queue_s"]?.doubleValue == 0.5)
        let model = trace.spans.first { $0.kind == .modelCall }
        #expect(model?.end == start + 1 && model?.attributes["ttft_s"]?.doubleValue == 0.25)
        #expect(trace.spans[0].end == nil && trace.spans[0].status == .running)
    }
}
