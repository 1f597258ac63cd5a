import Brigade
import BrigadeTesting
import Testing

@Suite("Agent loop", .timeLimit(.minutes(1)))
struct AgentTests {
    @Test func aDirectAnswerFinishesInOneTurn() async throws {
        let model = ScriptedModelClient([.answer("Hello there, friend", usage: TokenUsage(inputTokens: 12, outputTokens: 4))])
        let agent = try makeAgent(model, tools: [TestTools.echo()])
        let recorder = EventRecorder()
        let result = await agent.run("hi", onEvent: recorder.record)
        #expect(result.answer == "Hello there, friend")
        #expect(result.stopReason == .finished)
        #expect(result.turns == 1 && result.toolCalls == 0)
        #expect(result.usage == TokenUsage(inputTokens: 12, outputTokens: 4))
        #expect(recorder.types == ["turn_started", "text_delta", "text_delta", "text_delta", "budget_update", "finished"])
        #expect(recorder.text == result.answer)
        #expect(recorder.result == result)
        let request = try #require(model.requests.first)
        #expect(request.messages == [.system("Be brief."), .user("hi")])
        #expect(request.toolsEnabled && request.tools.map(\.name) == ["echo"])
        #expect(request.maxOutputTokens == 1000)
    }

    @Test func toolResultsGoBackInCallOrderAndTheLoopContinues() async throws {
        let model = ScriptedModelClient([
            .toolCalls([call("echo", #"{"text":"alpha"}"#, id: "c1"), call("echo", #"{"text":"beta"}"#, id: "c2")], text: "Checking. "),
            .answer("alpha and beta"),
        ])
        let agent = try makeAgent(model, tools: [TestTools.echo()])
        let recorder = EventRecorder()
        let result = await agent.run("both please", onEvent: recorder.record)
        #expect(result.stopReason == .finished)
        #expect(result.answer == "alpha and beta")
        #expect(result.turns == 2 && result.toolCalls == 2)
        let second = try #require(model.requests.last)
        #expect(second.messages.count == 4)
        #expect(second.messages[2] == .assistant(text: "Checking. ", toolCalls: [call("echo", #"{"text":"alpha"}"#, id: "c1"), call("echo", #"{"text":"beta"}"#, id: "c2")]))
        #expect(second.messages[3] == .toolResults([
            ToolResultMessage(callID: "c1", toolName: "echo", content: "alpha", isError: false),
            ToolResultMessage(callID: "c2", toolName: "echo", content: "beta", isError: false),
        ]))
        #expect(result.calls.map(\.callID) == ["c1", "c2"])
        #expect(result.calls.allSatisfy { $0.turn == 1 && $0.status == .ok && $0.started != nil && $0.finished >= $0.queued })
        #expect(result.turnTimings.map(\.turn) == [1, 2])
        #expect(result.turnTimings.map(\.toolCalls) == [2, 0])
        // The shape of the stream: turn 1, its calls, a budget update, turn 2, the answer, finished.
        let types = recorder.types
        #expect(types.first == "turn_started" && types.last == "finished")
        #expect(types.filter { $0 == "turn_started" }.count == 2)
        #expect(types.filter { $0 == "tool_call_queued" }.count == 2)
        #expect(types.filter { $0 == "tool_call_finished" }.count == 2)
        let firstQueued = try #require(types.firstIndex(of: "tool_call_queued"))
        let secondTurn = try #require(types.lastIndex(of: "turn_started"))
        let lastFinishedCall = try #require(types.lastIndex(of: "tool_call_finished"))
        #expect(firstQueued < lastFinishedCall && lastFinishedCall < secondTurn)
        #expect(types[secondTurn - 1] == "budget_update")
        #expect(recorder.text == "Checking. alpha and beta")
    }

    @Test func repeatedCallIDsFromTheModelAreMadeUniqueInTheConversation() async throws {
        let model = ScriptedModelClient([
            .toolCalls([call("echo", id: "same"), call("echo", id: "same"), call("echo", id: "")]),
            .answer("ok"),
        ])
        let result = await (try makeAgent(model, tools: [TestTools.echo()])).run("x")
        #expect(result.stopReason == .finished)
        let messages = try #require(model.requests.last).messages
        #expect(messages[2].toolCallIDs == ["same", "same_2", "call_3"])
        #expect(messages[3].resultIDs == ["same", "same_2", "call_3"])
    }

    @Test func invalidCallsReachTheModelAsErrorResults() async throws {
        let model = ScriptedModelClient([
            .toolCalls([call("echo", "{not json", id: "1"), call("nope", id: "2"), call("echo", #"{"text": 5}"#, id: "3")]),
            .answer("sorry"),
        ])
        let result = await (try makeAgent(model, tools: [TestTools.echo()])).run("x")
        #expect(result.toolCalls == 0)
        let results = try #require(model.requests.last).messages[3].results
        #expect(results.map(\.isError) == [true, true, true])
        #expect(results[1].content == "error: unknown tool 'nope'; available tools: echo")
        #expect(results[2].content.contains("text"))
    }

    @Test func aSessionCarriesTheConversationAcrossRuns() async throws {
        let model = ScriptedModelClient([.answer("4"), .answer("8")])
        let agent = try makeAgent(model, systemPrompt: "")
        let session = AgentSession()
        _ = await agent.run("2+2?", session: session)
        let second = await agent.run("double it", session: session)
        #expect(second.answer == "8")
        #expect(model.requests[1].messages == [.user("2+2?"), .assistant(text: "4", toolCalls: []), .user("double it")])
        #expect(session.messages.count == 4)
        session.reset()
        #expect(session.messages.isEmpty)
    }

    /// 40 prompts do not make 40 prompts' worth of conversation: past its bound the session drops its
    /// oldest turns whole (a prompt with its tool calls, results and answer) and tells the model.
    @Test func aLongSessionKeepsItsConversationBounded() async throws {
        let prompts = (1...40).map { "prompt \($0) " + String(repeating: "x", count: 200) }
        var turns: [ScriptedTurn] = []
        for index in prompts.indices {
            turns += [.toolCalls([call("echo", #"{"text":"t\#(index)"}"#, id: "c\(index)")]), .answer("answer \(index)")]
        }
        let model = ScriptedModelClient(turns)
        let agent = try makeAgent(model, tools: [TestTools.echo()], systemPrompt: "")
        // About four of these turns fit in 400 estimated tokens (1,600 bytes).
        let session = AgentSession(maxHistoryTokens: 400)
        for prompt in prompts {
            let result = await agent.run(prompt, session: session)
            #expect(result.stopReason == .finished, "\(result.stopReason)")
            let kept = ModelRequest(messages: session.messages).estimatedInputTokens
            #expect(kept <= 400 || session.messages.count == 4, "\(kept) tokens kept")
        }
        // Whole turns: the kept conversation starts at a prompt, every call keeps its results.
        let messages = session.messages
        guard case .user(let first) = messages.first else { Issue.record("starts with \(String(describing: messages.first))"); return }
        #expect(first.hasPrefix("prompt "))
        #expect(messages.count % 4 == 0 && messages.count >= 4 && messages.count < 40, "\(messages.count) messages kept")
        #expect(session.droppedMessages == 160 - messages.count)
        #expect(messages.last == .assistant(text: "answer 39", toolCalls: []))
        // The last request carried the kept turns, the note on what was dropped, and the new prompt.
        let last = try #require(model.requests.last).messages
        guard case .user(let noted) = last.first else { Issue.record("request starts with \(String(describing: last.first))"); return }
        #expect(noted.hasPrefix("[The "), "\(noted.prefix(120))")
        #expect(noted.contains(" oldest messages of this conversation were dropped to keep it within its memory limit.]\n\nprompt "))
        #expect(last.count < 40)
    }

    @Test func aSessionsBoundComesFromTheConfiguration() throws {
        let config = try BrigadeConfig.parse("limits: {session_history_tokens: 1234}\n", file: "/t/config.yaml", environment: [:])
        #expect(config.limits.sessionHistoryTokens == 1234)
        #expect(BrigadeConfig.Limits().sessionHistoryTokens == AgentSession.defaultMaxHistoryTokens)
    }

    @Test func aSessionServesOneRunAtATime() async throws {
        let inside = Latch()
        let model = ScriptedModelClient([
            .respond { _ throws(ModelError) in
                inside.open()
                do { try await Latch().wait() } catch { throw ModelError(.cancelled, "cancelled") }
                throw ModelError(.cancelled, "unreachable")
            },
        ])
        let agent = try makeAgent(model)
        let session = AgentSession()
        let first = Task { await agent.run("one", session: session) }
        try await inside.wait()
        let second = await agent.run("two", session: session)
        #expect(second.stopReason == .error("the session is busy with another run"))
        first.cancel()
        #expect(await first.value.stopReason == .cancelled)
        #expect(session.messages == [.user("one")])
    }

    @Test func usageIsEstimatedWhenTheProviderReportsNone() async throws {
        let model = ScriptedModelClient([.answer(String(repeating: "word ", count: 40))])
        let result = await (try makeAgent(model)).run(String(repeating: "q", count: 400))
        #expect(result.usage.inputTokens >= 100)
        #expect(result.usage.outputTokens == 50)
    }

    @Test func theEventSequenceEndsWithFinished() async throws {
        let model = ScriptedModelClient([.toolCalls([call("echo", id: "1")]), .answer("done")])
        let agent = try makeAgent(model, tools: [TestTools.echo()])
        var types: [String] = []
        var last: AgentEvent?
        for await event in agent.events(for: "go") {
            types.append(event.json["type"]?.stringValue ?? "?")
            last = event
        }
        #expect(types.first == "turn_started")
        #expect(types.filter { $0 == "finished" }.count == 1)
        guard case .finished(let result)? = last else {
            Issue.record("the last event is not finished")
            return
        }
        #expect(result.answer == "done")
    }
}
