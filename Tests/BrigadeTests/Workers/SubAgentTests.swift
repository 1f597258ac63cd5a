import BrigadeTesting
import CurlHTTP
import Testing
import Brigade
@testable import BrigadeCore

/// `kind: agent` tools: a child run per call, with a carved budget and nested events.
@Suite("Sub-agents", .timeLimit(.minutes(2)))
struct SubAgentTests {
    static let researcher = """
        tools:
          - name: researcher
            description: Looks a fact up.
            kind: agent
            agent: {prompt: researcher.md, limits: {max_turns: 3}}
        """

    @Test func aSubAgentAnswersAsAToolResultAndItsEventsNestUnderTheCall() async throws {
        try await withFakeModelServer { server in
            let usage = TokenUsage(inputTokens: 100, outputTokens: 10)
            server.respond { request in
                if request.systemText == "You research." { return .text("Paris has 2.1 million people.", usage: usage) }
                if request.trailingToolResults.isEmpty {
                    return .toolCalls([FakeToolCall(name: "researcher", json: ["task": "population of Paris"], id: "call_r")], usage: usage)
                }
                return .text("Answer: " + request.trailingToolResults[0].content, usage: usage)
            }
            let http = HTTPClient()
            let registry = try WorkerTestSupport.registry(Self.researcher, prompts: ["researcher.md": "You research."])
            let agent = WorkerTestSupport.agent(registry, WorkerTestSupport.client(server, http))
            let recorder = EventRecorder()
            let result = try await agent.run("How many people live in Paris?", options: RunOptions(), onEvent: recorder.record)

            #expect(result.stopReason == .finished)
            #expect(result.answer == "Answer: Paris has 2.1 million people.")
            // The child's request: its own prompt, the task as the user message, no tools offered.
            let childRequest = try #require(server.requests.first { $0.systemText == "You research." })
            #expect(childRequest.lastUserText == "population of Paris")
            #expect(childRequest.toolNames.isEmpty)
            // Its events nest under the call, name the parent run, and come before the call's end.
            let children = recorder.events.compactMap(\.childRunEvent)
            #expect(!children.isEmpty)
            #expect(children.allSatisfy { $0.parentCallID == "call_r" && $0.depth == 1 && $0.event.parentRunID == result.runID })
            let childEnd = try #require(recorder.events.firstIndex { if case .finished = $0.childRunEvent?.event.event { true } else { false } })
            let callEnd = try #require(recorder.events.firstIndex { if case .toolCallFinished(let o) = $0, o.call.id == "call_r" { true } else { false } })
            #expect(childEnd < callEnd)
            // The spend rolls up: the parent's usage counts the child's model call.
            #expect(result.usage == TokenUsage(inputTokens: 300, outputTokens: 30))
            // On the NDJSON surface a child event is its own line with its run, its parent and the call.
            let line = RunEvent(runID: try #require(result.runID), parentRunID: nil, event: .childRun(children[0])).json
            #expect(line["run_id"]?.stringValue == children[0].event.runID.rawValue)
            #expect(line["parent_run_id"]?.stringValue == result.runID?.rawValue)
            #expect(line["parent_call_id"]?.stringValue == "call_r")
            #expect(line["depth"]?.intValue == 1)
            let childFinished = try #require(recorder.events[childEnd].childRunEvent)
            #expect(childFinished.json["type"]?.stringValue == "child_finished")
            await http.shutdown()
        }
    }

    /// The child asks for 1000 output tokens; the server honours `max_tokens` and would use 400 per
    /// call. The child never gets more than its slice, stops with a clear error result, and the parent
    /// answers anyway with what is left of its own budget.
    @Test func aSubAgentCannotSpendMoreThanItsSlice() async throws {
        try await withFakeModelServer { server in
            server.respond { request in
                let usage = TokenUsage(inputTokens: 50, outputTokens: min(400, request.maxTokens ?? 400))
                if request.systemText == "You research." {
                    if request.offersTools { return .toolCalls([FakeToolCall(name: "note", json: [:])], usage: usage) }
                    return .text("partial findings", usage: usage)
                }
                if request.trailingToolResults.isEmpty {
                    return .toolCalls([FakeToolCall(name: "researcher", json: ["task": "dig"], id: "call_r")], usage: TokenUsage(inputTokens: 50, outputTokens: 20))
                }
                return .text("done without it", usage: TokenUsage(inputTokens: 50, outputTokens: 20))
            }
            let http = HTTPClient()
            let yaml = """
                name: researcher
                description: Digs.
                kind: agent
                agent: {prompt: researcher.md, tools: [note], limits: {max_turns: 10, output_tokens: 1000}}
                """
            let note = Tool(name: "note", description: "Notes.") { _, _ in ToolOutput(text: "noted") }
            let registry = try WorkerTestSupport.registry(yaml, prompts: ["researcher.md": "You research."], extra: [note])
            let limits = Budget.Limits(outputTokens: 5000, maxTurns: 4)
            let agent = WorkerTestSupport.agent(registry, WorkerTestSupport.client(server, http), limits: limits)
            let recorder = EventRecorder()
            let result = try await agent.run("dig deep", options: RunOptions(), onEvent: recorder.record)

            #expect(result.stopReason == .finished)
            #expect(result.answer == "done without it")
            let childRequests = server.requests.filter { $0.systemText == "You research." }
            #expect(childRequests.count >= 2)
            #expect(childRequests.allSatisfy { ($0.maxTokens ?? .max) <= 1000 })
            let childResults = recorder.events.compactMap { event -> RunResult? in
                if case .finished(let result)? = event.childRunEvent?.event.event { result } else { nil }
            }
            let childResult = try #require(childResults.first)
            #expect(childResult.usage.outputTokens <= 1000)
            #expect(childResult.stopReason.code == .budgetTokens)
            // The parent read a clear error, and its own spend includes the child's.
            let toolResult = try #require(server.requests.last?.trailingToolResults.first)
            #expect(toolResult.content.hasPrefix("error: sub-agent `researcher` ran out of its budget slice (budget_tokens"))
            #expect(toolResult.content.contains("partial findings"))
            #expect(result.usage.outputTokens == childResult.usage.outputTokens + 40)
            await http.shutdown()
        }
    }

    /// Three sub-agent calls of one turn run at once: each child's request is held until all three
    /// have arrived at the server, with a global cap of one tool call at a time (a sub-agent holds none).
    @Test func parallelSubAgentCallsRunAtOnce() async throws {
        try await withFakeModelServer { server in
            server.respond { request in
                if request.systemText == "You research." {
                    return FakeTurn.text("found " + (request.lastUserText ?? "")).gathering(3)
                }
                if request.trailingToolResults.isEmpty {
                    return .toolCalls(["flights", "hotels", "events"].map { FakeToolCall(name: "researcher", json: ["task": .string($0)], id: "call_" + $0) })
                }
                return .text(request.trailingToolResults.map(\.content).joined(separator: "; "))
            }
            let http = HTTPClient()
            let registry = try WorkerTestSupport.registry(Self.researcher, prompts: ["researcher.md": "You research."])
            let agent = WorkerTestSupport.agent(registry, WorkerTestSupport.client(server, http), maxParallelCalls: 1)
            let result = try await agent.run("plan a trip", options: RunOptions())
            #expect(result.answer == "found flights; found hotels; found events")
            await http.shutdown()
        }
    }

    @Test func aSubAgentCallingItselfStopsAtTheDepthLimit() async throws {
        try await withFakeModelServer { server in
            server.respond { request in
                if request.trailingToolResults.isEmpty {
                    return .toolCalls([FakeToolCall(name: "delegate", json: ["task": "again"])])
                }
                return .text("gave up: " + request.trailingToolResults[0].content)
            }
            let http = HTTPClient()
            let yaml = """
                name: delegate
                description: Delegates.
                kind: agent
                agent: {prompt: delegate.md, tools: [delegate], max_depth: 2}
                """
            let registry = try WorkerTestSupport.registry(yaml, prompts: ["delegate.md": "You delegate."])
            let agent = WorkerTestSupport.agent(registry, WorkerTestSupport.client(server, http))
            let recorder = EventRecorder()
            let result = try await agent.run("go", options: RunOptions(), onEvent: recorder.record)
            #expect(result.stopReason == .finished)
            // Depth 1 and 2 ran; the call at depth 2 was refused with the chain.
            let depths = Set(recorder.events.compactMap(\.childRunEvent).map(\.depth))
            #expect(depths == [1, 2])
            let refusals = recorder.events.compactMap(\.childRunEvent).compactMap { child -> ToolCallOutcome? in
                if case .toolCallFinished(let outcome) = child.event.event, child.depth == 2 { outcome } else { nil }
            }
            let refusal = try #require(refusals.first)
            #expect(refusal.status == .error)
            #expect(refusal.outputPreview.contains("would be 3 sub-agents deep and its limit is 2 (delegate → delegate → delegate)"))
            await http.shutdown()
        }
    }

    @Test func aFailingSubAgentIsAnErrorResultAndTheParentGoesOn() async throws {
        try await withFakeModelServer { server in
            server.respond { request in
                if request.systemText == "You research." { return .fault(.status(400, message: "bad request")) }
                if request.trailingToolResults.isEmpty { return .toolCalls([FakeToolCall(name: "researcher", json: ["task": "x"])]) }
                return .text("answered anyway")
            }
            let http = HTTPClient()
            let registry = try WorkerTestSupport.registry(Self.researcher, prompts: ["researcher.md": "You research."])
            let agent = WorkerTestSupport.agent(registry, WorkerTestSupport.client(server, http))
            let recorder = EventRecorder()
            let result = try await agent.run("go", options: RunOptions(), onEvent: recorder.record)
            #expect(result.answer == "answered anyway")
            let outcome = try #require(recorder.finishedCalls.first)
            #expect(outcome.status == .error)
            #expect(outcome.outputPreview.hasPrefix("error: sub-agent `researcher` failed (model_unavailable"))
            await http.shutdown()
        }
    }
}
