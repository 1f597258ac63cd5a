import Brigade
import BrigadeTesting
import Testing

/// An agent built entirely in code: tools, model, events, cancellation and sessions.
@Suite("Embedding: Agent in code", .timeLimit(.minutes(1)))
struct AgentAPITests {
    static let echo = Tool(
        name: "echo",
        description: "Echoes its text.",
        parameters: ["type": "object", "properties": ["text": ["type": "string"]], "required": ["text"]]
    ) { arguments, _ in
        ToolOutput(text: arguments["text"]?.stringValue ?? "")
    }

    static func agent(_ model: ScriptedModelClient, tools: [Tool] = [echo]) throws -> Agent {
        Agent(registry: try ToolRegistry(tools), configuration: Agent.Configuration(model: model), logger: .quiet)
    }

    /// Checks the documented order of one run's events and returns the event types.
    static func checkOrder(_ events: [AgentEvent], calls: [String]) -> [String] {
        let types = events.map { $0.json["type"]?.stringValue ?? "?" }
        #expect(types.first == "turn_started")
        #expect(types.last == "finished")
        #expect(types.filter { $0 == "finished" }.count == 1)
        let secondTurn = events.firstIndex { $0 == .turnStarted(turn: 2) } ?? events.count
        for id in calls {
            let queued = events.firstIndex { if case .toolCallQueued(let info) = $0 { info.id == id } else { false } }
            let started = events.firstIndex { if case .toolCallStarted(let info) = $0 { info.id == id } else { false } }
            let finished = events.firstIndex { if case .toolCallFinished(let outcome) = $0 { outcome.call.id == id } else { false } }
            #expect(queued != nil && started != nil && finished != nil, "call \(id): \(types)")
            if let queued, let started, let finished {
                #expect(queued < started && started < finished && finished < secondTurn, "call \(id): \(types)")
            }
        }
        return types
    }

    @Test func eventsComeInOrderThroughTheCallbackAndTheSequence() async throws {
        func script() -> ScriptedModelClient {
            ScriptedModelClient([
                .toolCalls([call("echo", #"{"text": "a"}"#, id: "a"), call("echo", #"{"text": "b"}"#, id: "b")], text: "Looking."),
                .answer("Found a and b."),
            ])
        }
        let recorder = EventRecorder()
        let result = try await Self.agent(script()).run("find them", onEvent: recorder.record)
        let types = Self.checkOrder(recorder.events, calls: ["a", "b"])
        // A budget update follows each model call and each batch of tool calls.
        #expect(types.prefix(5) == ["turn_started", "text_delta", "budget_update", "tool_call_queued", "tool_call_queued"])
        #expect(types.suffix(7) == ["turn_started", "text_delta", "text_delta", "text_delta", "text_delta", "budget_update", "finished"])
        #expect(types.filter { $0 == "budget_update" }.count == 3)
        #expect(recorder.result == result)
        #expect(recorder.text == "Looking.Found a and b.")

        var streamed: [AgentEvent] = []
        for await event in try Self.agent(script()).events(for: "find them") { streamed.append(event) }
        #expect(Self.checkOrder(streamed, calls: ["a", "b"]).count == types.count)
        guard case .finished(let streamedResult)? = streamed.last else {
            Issue.record("the stream did not end with finished")
            return
        }
        #expect(streamedResult.answer == "Found a and b.")
    }

    @Test func respondReturnsTheResult() async throws {
        let result = try await Self.agent(ScriptedModelClient([.answer("Forty-two.")])).respond("meaning?")
        #expect(result.answer == "Forty-two.")
        #expect(result.stopReason == .finished)
        #expect(result.turns == 1)
    }

    @Test func cancellingTheTaskCancelsTheRunAndItsToolCalls() async throws {
        let started = Latch(), cancelled = Latch()
        let wait = Tool(name: "wait", description: "Waits forever.") { _, _ in
            started.open()
            do { try await Latch().wait() } catch {
                cancelled.open()
                throw error
            }
            return ToolOutput(text: "unreachable")
        }
        let agent = try Self.agent(ScriptedModelClient([.toolCalls([call("wait", id: "w")]), .answer("never")]), tools: [wait])
        let recorder = EventRecorder()
        let run = Task { await agent.run("wait", onEvent: recorder.record) }
        try await started.wait()
        run.cancel()
        let result = await run.value

        #expect(result.stopReason == .cancelled)
        #expect(result.calls.map(\.status) == [.cancelled])
        #expect(cancelled.isOpen)
        #expect(recorder.types.last == "finished")
    }

    @Test func cancellingTheConsumerOfTheEventsCancelsTheRun() async throws {
        let started = Latch(), cancelled = Latch()
        let wait = Tool(name: "wait", description: "Waits forever.") { _, _ in
            started.open()
            do { try await Latch().wait() } catch {
                cancelled.open()
                throw error
            }
            return ToolOutput(text: "unreachable")
        }
        let agent = try Self.agent(ScriptedModelClient([.toolCalls([call("wait", id: "w")]), .answer("never")]), tools: [wait])
        let consumer = Task {
            var count = 0
            for await _ in agent.events(for: "wait") { count += 1 }
            return count
        }
        try await started.wait()
        consumer.cancel()
        _ = await consumer.value
        try await cancelled.wait()  // the tool saw the cancellation (or the suite's time limit fails the test)
        #expect(cancelled.isOpen)
    }

    @Test func aSessionCarriesTheConversationToTheNextRun() async throws {
        let model = ScriptedModelClient([
            .toolCalls([call("echo", #"{"text": "Ana"}"#, id: "n")]),
            .answer("Hello, Ana."),
            .answer("You are Ana."),
            .answer("I do not know."),
        ])
        let agent = try Self.agent(model)
        let session = AgentSession()
        let first = await agent.respond("My name is Ana.", session: session)
        let second = await agent.respond("Who am I?", session: session)
        let oneOff = await agent.respond("Who am I?")

        #expect([first.answer, second.answer, oneOff.answer] == ["Hello, Ana.", "You are Ana.", "I do not know."])
        let secondRequest = model.requests[2].messages
        #expect(secondRequest.contains(.user("My name is Ana.")))
        #expect(secondRequest.contains(.assistant(text: "Hello, Ana.", toolCalls: [])))
        #expect(secondRequest.last == .user("Who am I?"))
        #expect(secondRequest.contains { if case .toolResults(let results) = $0 { results.first?.content == "Ana" } else { false } })
        #expect(!model.requests[3].messages.contains(.user("My name is Ana.")))
        #expect(session.messages.count == 6)  // user, assistant+call, results, assistant, user, assistant

        session.reset()
        #expect(session.messages.isEmpty)
    }
}
