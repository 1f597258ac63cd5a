import Synchronization
import Brigade
import BrigadeTesting
import Testing

@Suite("Dispatcher", .timeLimit(.minutes(1)))
struct DispatcherTests {
    @Test func resultsComeBackInCallOrderWhateverOrderTheyFinish() async throws {
        // c finishes first, its finish lets b finish, then a: the reverse of the call order.
        let gates = ["a": Latch(), "b": Latch(), "c": Latch()]
        let finishOrder = RecordedStrings()
        let tool = Tool(name: "step", description: "") { arguments, _ in
            let name = arguments["name"]?.stringValue ?? ""
            if let after = arguments["after"]?.stringValue, let gate = gates[after] { try await gate.wait() }
            finishOrder.append(name)
            gates[name]?.open()
            return ToolOutput(text: "result \(name)")
        }
        let dispatcher = Dispatcher(registry: try registry(tool), logger: .quiet)
        let results = await dispatcher.dispatch([
            call("step", #"{"name":"a","after":"b"}"#, id: "1"),
            call("step", #"{"name":"b","after":"c"}"#, id: "2"),
            call("step", #"{"name":"c"}"#, id: "3"),
        ])
        #expect(finishOrder.values == ["c", "b", "a"])
        #expect(results.map(\.call.id) == ["1", "2", "3"])
        #expect(results.map(\.output) == ["result a", "result b", "result c"])
        #expect(results.map(\.resultMessage.callID) == ["1", "2", "3"])
        #expect(results.allSatisfy { $0.status == .ok && $0.startedAt != nil })
    }

    @Test func allCallsOfABatchRunAtOnce() async throws {
        // Each call returns only once all three are inside: a sequential dispatcher would time out.
        let probe = ConcurrencyProbe()
        let tool = TestTools.probe("p", probe, waitFor: 3, policy: ToolPolicy(timeout: .seconds(20)))
        let dispatcher = Dispatcher(registry: try registry(tool), logger: .quiet)
        let results = await dispatcher.dispatch((1...3).map { call("p", id: "\($0)") })
        #expect(results.map(\.status) == [.ok, .ok, .ok])
        #expect(probe.maxActive == 3)
    }

    @Test func theGlobalParallelCapHoldsAndExtraCallsWait() async throws {
        // Calls wait for one more call than the cap allows; a correct cap makes them time out instead.
        let probe = ConcurrencyProbe()
        let policy = ToolPolicy(timeout: .milliseconds(150))
        let tools = [TestTools.probe("p1", probe, waitFor: 3, policy: policy), TestTools.probe("p2", probe, waitFor: 3, policy: policy)]
        let dispatcher = Dispatcher(registry: try ToolRegistry(tools), configuration: .init(maxParallelCalls: 2), logger: .quiet)
        let recorder = EventRecorder()
        let results = await dispatcher.dispatch((1...5).map { call($0 % 2 == 0 ? "p1" : "p2", id: "\($0)") }, onEvent: recorder.record)
        #expect(probe.maxActive <= 2)
        #expect(probe.entered == 5)  // waiting calls were not dropped
        #expect(results.allSatisfy { $0.status == .timeout })
        #expect(recorder.startedCallIDs.count == 5)
    }

    @Test func eachToolsConcurrencyCapHolds() async throws {
        let probe = ConcurrencyProbe()
        let other = ConcurrencyProbe()
        let limited = TestTools.probe("limited", probe, waitFor: 3, policy: ToolPolicy(timeout: .milliseconds(150), maxConcurrency: 2))
        // Another tool is not held back by `limited`'s cap: its 2 calls meet inside.
        let free = TestTools.probe("free", other, waitFor: 2, policy: ToolPolicy(timeout: .seconds(20)))
        let dispatcher = Dispatcher(registry: try registry(limited, free), configuration: .init(maxParallelCalls: 10), logger: .quiet)
        let results = await dispatcher.dispatch((1...4).map { call("limited", id: "l\($0)") } + [call("free", id: "f1"), call("free", id: "f2")])
        #expect(probe.maxActive <= 2)
        #expect(probe.entered == 4)
        #expect(results.prefix(4).allSatisfy { $0.status == .timeout })
        #expect(results.suffix(2).allSatisfy { $0.status == .ok })
    }

    @Test func aSlowCallTimesOutAndTheOthersGoOn() async throws {
        let cancelled = Latch()
        let slow = TestTools.block("slow", policy: ToolPolicy(timeout: .milliseconds(100)), cancelled: cancelled)
        let dispatcher = Dispatcher(registry: try registry(slow, TestTools.echo()), logger: .quiet)
        let results = await dispatcher.dispatch([
            call("echo", #"{"text":"one"}"#, id: "1"),
            call("slow", id: "2"),
            call("echo", #"{"text":"three"}"#, id: "3"),
        ])
        #expect(results.map(\.status) == [.ok, .timeout, .ok])
        #expect(results[1].output == "timed out after 0.1 s")
        #expect(results[1].resultMessage.isError)
        #expect(cancelled.isOpen)  // the slow executor's task was cancelled
        #expect(results[0].output == "one" && results[2].output == "three")
    }

    @Test func theDefaultTimeoutAppliesWhenTheToolSetsNone() async throws {
        let dispatcher = Dispatcher(registry: try registry(TestTools.block()), configuration: .init(defaultTimeout: .milliseconds(50)), logger: .quiet)
        let results = await dispatcher.dispatch([call("block", id: "1")])
        #expect(results[0].status == .timeout)
        #expect(results[0].output == "timed out after 0.05 s")
    }

    @Test func theBatchDeadlineStopsRunningAndWaitingCalls() async throws {
        // A manual clock: the deadline passes only once a call provably runs and holds the only slot.
        let clock = ManualClock()
        let started = Latch()
        let configuration = Dispatcher.Configuration(maxParallelCalls: 1, clock: clock)
        let dispatcher = Dispatcher(registry: try registry(TestTools.block(started: started)), configuration: configuration, logger: .quiet)
        async let dispatched = dispatcher.dispatch([call("block", id: "1"), call("block", id: "2")], deadline: clock.now + .milliseconds(300))
        try await started.wait()
        clock.advance(by: .milliseconds(300))
        let results = await dispatched
        // One call holds the only slot until the deadline; the other can never start.
        let ran = try #require(results.first { $0.startedAt != nil })
        let waited = try #require(results.first { $0.startedAt == nil })
        #expect(ran.status == .timeout)
        #expect(ran.output == "timed out after 0.3 s: the run's time budget ran out")
        #expect(waited.status == .notRun)
        #expect(waited.output == "not run: the run's time budget ran out while the call waited to start")
        #expect(waited.refusedBy == .wallTime)
    }

    @Test func executorErrorsBecomeErrorResults() async throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "disk on fire" } }
        let failing = Tool(name: "fail", description: "") { _, _ in throw Broken() }
        let reporting = Tool(name: "report", description: "") { _, _ in ToolOutput(text: "HTTP 404", isError: true) }
        let dispatcher = Dispatcher(registry: try registry(failing, reporting), logger: .quiet)
        let results = await dispatcher.dispatch([call("fail", id: "1"), call("report", id: "2")])
        #expect(results.map(\.status) == [.error, .error])
        #expect(results[0].output == "error: disk on fire")
        #expect(results[1].output == "HTTP 404")
        #expect(results.allSatisfy { $0.resultMessage.isError })
    }

    @Test func longOutputIsTruncatedAtACharacterBoundaryWithANote() async throws {
        let tool = Tool(name: "big", description: "", policy: ToolPolicy(maxOutputBytes: 5)) { _, _ in ToolOutput(text: "ééé") }  // 6 bytes
        let fallbackCap = Tool(name: "big2", description: "") { _, _ in ToolOutput(text: String(repeating: "a", count: 20)) }
        let dispatcher = Dispatcher(registry: try registry(tool, fallbackCap), configuration: .init(defaultMaxOutputBytes: 8), logger: .quiet)
        let results = await dispatcher.dispatch([call("big", id: "1"), call("big2", id: "2")])
        #expect(results[0].output == "éé\n[output truncated: 4 of 6 bytes shown]")
        #expect(results[1].output == "aaaaaaaa\n[output truncated: 8 of 20 bytes shown]")
    }

    @Test func eventsFollowEachCallFromQueuedToFinished() async throws {
        let dispatcher = Dispatcher(registry: try registry(TestTools.echo()), logger: .quiet)
        let recorder = EventRecorder()
        _ = await dispatcher.dispatch([call("echo", id: "1"), call("nope", id: "2"), call("echo", "{\n\"text\": \"x\"}", id: "3")], onEvent: recorder.record)
        let events = recorder.events
        #expect(recorder.types.prefix(3) == ["tool_call_queued", "tool_call_queued", "tool_call_queued"])
        #expect(events.prefix(3).map { if case .toolCallQueued(let info) = $0 { info.id } else { "" } } == ["1", "2", "3"])
        for id in ["1", "3"] {
            let positions = events.enumerated().compactMap { index, event -> (Int, String)? in
                switch event {
                case .toolCallQueued(let info) where info.id == id: (index, "queued")
                case .toolCallStarted(let info) where info.id == id: (index, "started")
                case .toolCallFinished(let outcome) where outcome.call.id == id: (index, "finished")
                default: nil
                }
            }
            #expect(positions.map(\.1) == ["queued", "started", "finished"])
        }
        // The invalid call never starts.
        #expect(!recorder.startedCallIDs.contains("2"))
        #expect(recorder.finishedCalls.first { $0.call.id == "2" }?.status == .error)
        #expect(recorder.finishedCalls.first { $0.call.id == "3" }?.call.argumentsPreview == #"{ "text": "x"}"#)
    }

    @Test func cancellingTheBatchCancelsEveryCall() async throws {
        let started = Latch()
        let cancelled = Latch()
        let dispatcher = Dispatcher(registry: try registry(TestTools.block(started: started, cancelled: cancelled)), configuration: .init(maxParallelCalls: 1), logger: .quiet)
        let task = Task { await dispatcher.dispatch([call("block", id: "1"), call("block", id: "2")]) }
        try await started.wait()
        task.cancel()
        let results = await task.value
        #expect(results.map(\.status) == [.cancelled, .cancelled])
        // Either call may have taken the only slot first; the other never ran.
        #expect(results.filter { $0.startedAt != nil }.count == 1)
        #expect(results.first { $0.startedAt == nil }?.output == "cancelled before it ran")
        #expect(cancelled.isOpen)
    }

    @Test func repeatedOrMissingIDsAreMadeUnique() async throws {
        let dispatcher = Dispatcher(registry: try registry(TestTools.echo()), logger: .quiet)
        let results = await dispatcher.dispatch([call("echo", id: "a"), call("echo", id: "a"), call("echo", id: ""), call("echo", id: "a_2"), call("echo", id: "a")])
        let ids = results.map(\.call.id)
        #expect(ids == ["a", "a_3", "call_3", "a_2", "a_4"])
        #expect(Set(ids).count == ids.count)
        #expect(results.allSatisfy { $0.status == .ok })
    }
}

/// Strings appended from several tasks.
final class RecordedStrings: Sendable {
    private let state = Mutex<[String]>([])
    func append(_ value: String) { state.withLock { $0.append(value) } }
    var values: [String] { state.withLock { $0 } }
}
