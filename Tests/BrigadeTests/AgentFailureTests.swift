import Brigade
import BrigadeTesting
import Testing

@Suite("Agent failures, fallback and cancellation", .timeLimit(.minutes(1)))
struct AgentFailureTests {
    @Test func aFailingModelHandsOverToTheFallback() async throws {
        let fallback = RecordingFallback(answer: "routed answer")
        let error = ModelError(.serverError, "upstream broke", status: 503)
        let model = ScriptedModelClient([.failure(error)])
        let recorder = EventRecorder()
        let result = await (try makeAgent(model, fallback: fallback)).run("x", onEvent: recorder.record)
        #expect(result.stopReason == .modelUnavailable("upstream broke (HTTP 503)"))
        #expect(result.answer == "routed answer")
        #expect(fallback.reasons == [.modelUnavailable(error)])
        #expect(recorder.events.contains(.fallbackUsed(reason: "the model is unavailable (upstream broke (HTTP 503)); answered by the fallback")))
        #expect(recorder.types == ["turn_started", "budget_update", "fallback_used", "text_delta", "finished"])
    }

    @Test func aModelFailingMidRunWithoutFallbackListsWhatWasGathered() async throws {
        let model = ScriptedModelClient([
            .toolCalls([call("echo", #"{"text":"first result"}"#, id: "1")]),
            .failure(ModelError(.unreachable, "connection refused")),
        ])
        let result = await (try makeAgent(model, tools: [TestTools.echo()])).run("x")
        #expect(result.stopReason == .modelUnavailable("connection refused"))
        #expect(result.answer.hasPrefix("No answer could be composed: the model is unavailable (connection refused)."))
        #expect(result.answer.contains("first result"))
        #expect(result.fallbackReason == "the model is unavailable (connection refused)")
    }

    @Test func aFallbackThatDeclinesLeavesTheGatheredList() async throws {
        let fallback = RecordingFallback(answer: nil)
        let model = ScriptedModelClient([.failure(ModelError(.rejected, "bad key", status: 401))])
        let result = await (try makeAgent(model, fallback: fallback)).run("x")
        #expect(fallback.reasons.count == 1)
        #expect(result.answer == "No answer could be composed: the model is unavailable (bad key (HTTP 401)). Nothing was gathered.")
    }

    @Test func withoutAModelTheFallbackAnswers() async throws {
        let fallback = RecordingFallback(answer: "offline answer")
        let result = await (try makeAgent(nil, fallback: fallback)).run("x")
        #expect(result.answer == "offline answer")
        #expect(result.stopReason == .modelUnavailable("no model is configured"))
        #expect(fallback.reasons == [.noModel])
        #expect(result.turns == 0)
    }

    @Test func aFailingSynthesisFallsBackButKeepsTheBudgetStopReason() async throws {
        let fallback = RecordingFallback(answer: "fallback")
        let model = ScriptedModelClient([.toolCalls([call("echo", id: "1")]), .failure(ModelError(.rateLimited, "slow down", status: 429))])
        let result = await (try makeAgent(model, tools: [TestTools.echo()], limits: Budget.Limits(maxTurns: 2), fallback: fallback)).run("x")
        #expect(result.stopReason == .maxTurns)
        #expect(result.answer == "fallback")
        #expect(fallback.gatheredCounts == [1])
    }

    @Test func cancellingARunCancelsItsCallsAndStillFinishes() async throws {
        let started = Latch()
        let cancelled = Latch()
        let model = ScriptedModelClient([.toolCalls([call("block", id: "1"), call("echo", id: "2")]), .answer("never")])
        let agent = try makeAgent(model, tools: [TestTools.block(started: started, cancelled: cancelled), TestTools.echo()])
        let session = AgentSession()
        let recorder = EventRecorder()
        let run = Task { await agent.run("x", session: session, onEvent: recorder.record) }
        try await started.wait()
        run.cancel()
        let result = await run.value
        #expect(result.stopReason == .cancelled)
        #expect(cancelled.isOpen)
        #expect(model.requests.count == 1)
        #expect(result.calls.first?.status == .cancelled)
        #expect(recorder.types.last == "finished")
        #expect(recorder.result?.stopReason == .cancelled)
        // The conversation stays valid: every call of the assistant turn has a result.
        let messages = session.messages
        #expect(messages.count == 3)
        if messages.count == 3 { #expect(messages[1].toolCallIDs == messages[2].resultIDs) }
    }

    @Test func cancellingARunCancelsItsModelCall() async throws {
        let inside = Latch()
        let model = ScriptedModelClient([
            .respond { _ throws(ModelError) in
                inside.open()
                do { try await Latch().wait() } catch { throw ModelError(.cancelled, "cancelled") }
                throw ModelError(.cancelled, "unreachable")
            },
        ])
        let agent = try makeAgent(model)
        let run = Task { await agent.run("x") }
        try await inside.wait()
        run.cancel()
        #expect(await run.value.stopReason == .cancelled)
    }

    @Test func anAlreadyCancelledRunMakesNoCalls() async throws {
        let model = ScriptedModelClient([.answer("no")])
        let agent = try makeAgent(model)
        let result = await withTaskGroup(of: RunResult.self) { group in
            group.cancelAll()
            group.addTask { await agent.run("x") }
            return await group.next() ?? RunResult(answer: "", stopReason: .error("no result"))
        }
        #expect(result.stopReason == .cancelled)
        #expect(model.requests.isEmpty)
    }

    @Test func cancellingTheConsumerOfTheEventStreamCancelsTheRun() async throws {
        let started = Latch()
        let cancelled = Latch()
        let model = ScriptedModelClient([.toolCalls([call("block", id: "1")]), .answer("never")])
        let agent = try makeAgent(model, tools: [TestTools.block(started: started, cancelled: cancelled)])
        let consumer = Task {
            var count = 0
            for await _ in agent.events(for: "x") { count += 1 }
            return count
        }
        try await started.wait()
        consumer.cancel()
        _ = await consumer.value
        try await cancelled.wait()  // the tool's task was cancelled: the run did not go on
        #expect(cancelled.isOpen)
    }

    @Test func droppingTheEventIteratorCancelsTheRun() async throws {
        let cancelled = Latch()
        let model = ScriptedModelClient([.toolCalls([call("block", id: "1")]), .answer("never")])
        let agent = try makeAgent(model, tools: [TestTools.block(cancelled: cancelled)])
        for await event in agent.events(for: "x") {
            if case .toolCallStarted = event { break }
        }
        try await cancelled.wait()
        #expect(cancelled.isOpen)
    }
}
