import Brigade
import BrigadeTesting
import Testing

@Suite("Agent events as JSON", .timeLimit(.minutes(1)))
struct AgentEventTests {
    let info = ToolCallInfo(id: "c1", toolName: "weather", argumentsPreview: #"{"city":"Oslo"}"#)

    @Test func everyEventHasATypeField() {
        let result = RunResult(answer: "a", stopReason: .finished)
        let events: [(AgentEvent, String)] = [
            (.turnStarted(turn: 1), "turn_started"),
            (.textDelta("x"), "text_delta"),
            (.toolCallQueued(info), "tool_call_queued"),
            (.toolCallStarted(info), "tool_call_started"),
            (.toolCallFinished(ToolCallOutcome(call: info, status: .ok, duration: .zero, outputPreview: "")), "tool_call_finished"),
            (.budgetUpdate(BudgetSnapshot()), "budget_update"),
            (.fallbackUsed(reason: "r"), "fallback_used"),
            (.finished(result), "finished"),
        ]
        for (event, type) in events {
            #expect(event.json["type"] == .string(type))
        }
    }

    @Test func toolCallEventsCarryTheCallAndItsOutcome() throws {
        let outcome = ToolCallOutcome(call: info, status: .notRun, duration: .milliseconds(1500), outputPreview: "not run: call cap 2 reached")
        let json = AgentEvent.toolCallFinished(outcome).json
        #expect(json == [
            "type": "tool_call_finished",
            "id": "c1",
            "tool": "weather",
            "arguments_preview": #"{"city":"Oslo"}"#,
            "status": "not_run",
            "duration_s": 1.5,
            "output_preview": "not run: call cap 2 reached",
        ])
        #expect(AgentEvent.toolCallQueued(info).json.jsonString == #"{"type":"tool_call_queued","id":"c1","tool":"weather","arguments_preview":"{\"city\":\"Oslo\"}"}"#)
    }

    @Test func budgetUpdatesSplitSpentAndLeft() {
        let snapshot = BudgetSnapshot(
            usage: TokenUsage(inputTokens: 10, outputTokens: 2), costUSD: 0.5, turns: 1, toolCalls: 3,
            elapsed: .seconds(2), usdLeft: 1.5, inputTokensLeft: nil, outputTokensLeft: 98, timeLeft: .seconds(8), turnsLeft: 4, toolCallsLeft: nil)
        let json = AgentEvent.budgetUpdate(snapshot).json
        #expect(json["spent"] == ["usd": 0.5, "input_tokens": 10, "output_tokens": 2, "time_s": 2.0, "turns": 1, "tool_calls": 3])
        #expect(json["left"] == ["usd": 1.5, "input_tokens": nil, "output_tokens": 98, "time_s": 8.0, "turns": 4, "tool_calls": nil])
    }

    @Test func theFinishedEventCarriesTheWholeResult() async throws {
        let model = ScriptedModelClient([
            .toolCalls([call("echo", id: "c1")], usage: TokenUsage(inputTokens: 5, outputTokens: 1)),
            .answer("done", usage: TokenUsage(inputTokens: 9, outputTokens: 2)),
        ])
        let recorder = EventRecorder()
        _ = await (try makeAgent(model, tools: [TestTools.echo()])).run("x", onEvent: recorder.record)
        let json = try #require(recorder.events.last?.json)
        #expect(json["type"] == "finished")
        #expect(json["answer"] == "done")
        #expect(json["stop_reason"] == "finished")
        #expect(json["usage"] == ["input_tokens": 14, "output_tokens": 3])
        #expect(json["turns"] == 2)
        #expect(json["tool_calls"] == 1)
        #expect(json["fallback_reason"] == .null)
        let calls = try #require(json["calls"]?.arrayValue)
        #expect(calls.count == 1)
        #expect(calls.first?["id"] == "c1")
        #expect(calls.first?["status"] == "ok")
        #expect(calls.first?["started_s"]?.doubleValue != nil)
        #expect(json["turn_timings"]?.arrayValue?.count == 2)
        // Each line of NDJSON parses back.
        for event in recorder.events {
            let line = event.json.jsonString
            #expect(try JSONValue(parsing: line).jsonString == line)
            #expect(!line.contains("\n"))
        }
    }

    @Test func stopReasonsHaveStableCodes() {
        let codes = [StopReason.finished, .maxTurns, .budget(.usd), .budget(.tokens), .budget(.time), .budget(.calls), .cancelled, .modelUnavailable("m"), .error("e")].map(\.code)
        #expect(codes == ["finished", "max_turns", "budget_usd", "budget_tokens", "budget_time", "budget_calls", "cancelled", "model_unavailable", "error"])
        #expect(StopReason.modelUnavailable("down").json == ["code": "model_unavailable", "message": "the model is unavailable: down"])
    }
}
