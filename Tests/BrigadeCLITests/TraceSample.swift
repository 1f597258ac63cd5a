import Brigade
import Foundation

/// A fixed trace (times chosen, not measured): a retried model call, three parallel calls — one
/// failing, one a sub-agent, one slow — and a final answer. For the renderers' snapshots.
enum TraceSample {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let runID = RunID(rawValue: "run_0sample00_abc123")!
    static let childID = RunID(rawValue: "run_0sample01_def456")!

    static func trace(live: Bool = false, prompt: String = "compare three sources") -> RunTrace {
        let info = TraceRunInfo(id: runID, prompt: prompt, model: "openai:gpt-test", startedAt: start, state: live ? .running : .finished)
        return TraceBuilder.build(run: info, events: live ? Array(events.prefix(9)) : events, now: start + (live ? 1.2 : 3))
    }

    static func call(_ id: String, _ tool: String, _ arguments: String = "{}") -> ToolCallInfo {
        ToolCallInfo(id: id, toolName: tool, argumentsPreview: arguments)
    }

    static func finished(_ info: ToolCallInfo, _ status: ToolCallStatus, _ seconds: Double, _ output: String) -> AgentEvent {
        .toolCallFinished(ToolCallOutcome(call: info, status: status, duration: .milliseconds(Int(seconds * 1000)), outputPreview: output))
    }

    static func spent(_ input: Int, _ output: Int, _ usd: Double, seconds: Double) -> AgentEvent {
        .budgetUpdate(BudgetSnapshot(usage: TokenUsage(inputTokens: input, outputTokens: output), costUSD: usd, turns: 1, toolCalls: 0, elapsed: .milliseconds(Int(seconds * 1000))))
    }

    static var events: [TimedEvent] {
        let search = call("c1", "search", #"{"q":"<b>swift</b>"}"#)
        let research = call("c2", "researcher", #"{"task":"dig"}"#)
        let fetch = call("c3", "fetch", #"{"url":"https://example.com"}"#)
        let retry = ModelRetryEvent(failedAttempt: 1, error: ModelError(.serverError, "busy", status: 503), delay: RetryDelay(duration: .milliseconds(100), source: .backoff))
        let own: [(Double, AgentEvent)] = [
            (0, .turnStarted(turn: 1)),
            (0.2, .modelRetry(retry)),
            (0.5, spent(120, 30, 0.0004, seconds: 0.5)),
            (0.5, .toolCallQueued(search)), (0.5, .toolCallQueued(research)), (0.5, .toolCallQueued(fetch)),
            (0.5, .toolCallStarted(search)), (0.5, .toolCallStarted(research)), (0.6, .toolCallStarted(fetch)),
            (0.9, finished(search, .error, 0.4, "error: <script>alert(1)</script>")),
        ]
        let child: [(Double, AgentEvent)] = [
            (0.55, .turnStarted(turn: 1)), (1.0, spent(50, 10, 0.0001, seconds: 0.45)),
            (1.2, .finished(RunResult(answer: "dug", stopReason: .finished))),
        ]
        let rest: [(Double, AgentEvent)] = [
            (1.25, finished(research, .ok, 0.75, "dug")),
            (2.0, finished(fetch, .ok, 1.4, "<html>page</html>")),
            (2.0, spent(170, 40, 0.0005, seconds: 2)),
            (2.0, .turnStarted(turn: 2)), (2.6, spent(400, 80, 0.0009, seconds: 2.6)),
            (2.6, .finished(RunResult(answer: "done", stopReason: .finished, usage: TokenUsage(inputTokens: 400, outputTokens: 80), costUSD: 0.0009))),
        ]
        func timed(_ list: [(Double, AgentEvent)], child: Bool = false) -> [TimedEvent] {
            list.map { offset, event in
                let wrapped: AgentEvent = child
                    ? .childRun(ChildRunEvent(parentCallID: "c2", depth: 1, event: RunEvent(runID: childID, parentRunID: runID, event: event)))
                    : event
                return TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: wrapped), at: start + offset)
            }
        }
        return timed(own) + timed(child, child: true) + timed(rest)
    }
}
