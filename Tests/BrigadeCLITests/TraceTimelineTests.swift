import Brigade
import BrigadeTesting
import Foundation
import Testing

@testable import BrigadeCLI

/// `brigade trace` in the terminal: snapshots at several widths, colour, a live run, a huge trace.
@Suite("Trace in the terminal", .timeLimit(.minutes(1)))
struct TraceTimelineTests {
    func text(_ trace: RunTrace, width: Int, colour: Bool = false) -> String {
        TraceTimeline(trace: trace, width: width, colour: colour).lines.joined(separator: "\n")
    }

    @Test func snapshotsAtSeveralWidths() {
        #expect(text(TraceSample.trace(), width: 60) == Self.width60)
        #expect(text(TraceSample.trace(), width: 100) == Self.width100)
        #expect(text(TraceSample.trace(live: true), width: 80) == Self.live80)
    }

    @Test(arguments: [40, 60, 80, 100, 140, 220])
    func everyLineFitsTheWidth(width: Int) {
        for line in TraceTimeline(trace: TraceSample.trace(), width: width, colour: false).lines {
            #expect(line.count <= width, "\(line.count) > \(width): \(line)")
        }
    }

    @Test func colourOnlyWhenAsked() {
        let plain = text(TraceSample.trace(), width: 100)
        let coloured = text(TraceSample.trace(), width: 100, colour: true)
        #expect(!plain.contains("\u{1B}"))
        // The failed call red, the retried model call yellow, the critical path magenta.
        let lines = coloured.split(separator: "\n").map(String.init)
        #expect(lines.first { $0.contains("search (c1)") }?.contains("\u{1B}[31m") == true)
        #expect(lines.first { $0.contains("attempt 1 failed") }?.contains("\u{1B}[33m") == true)
        #expect(lines.first { $0.contains("fetch (c3)") }?.contains("\u{1B}[35m") == true)
    }

    @Test func controlCharactersFromTheModelAreShownEscaped() {
        let runID = RunID()
        let start = Date(timeIntervalSince1970: 0)
        let evil = ToolCallInfo(id: "c\u{1B}]0;pwned\u{07}", toolName: "x\u{1B}[2J", argumentsPreview: "{}")
        let events = [
            TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: .toolCallQueued(evil)), at: start),
            TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: .finished(RunResult(answer: "", stopReason: .finished))), at: start + 1),
        ]
        let trace = TraceBuilder.build(run: TraceRunInfo(id: runID, prompt: "p", model: nil, startedAt: start, state: .finished), events: events)
        let output = text(trace, width: 100)
        #expect(!output.contains("\u{1B}") && !output.contains("\u{07}"))
        #expect(output.contains("x\\e[2J"))
    }

    /// 10,000 calls: the calls of one tool in one turn become one row, and the rows stay few.
    @Test func aHugeTraceIsAggregated() async {
        await offThePool {
            let runID = RunID()
            let start = Date(timeIntervalSince1970: 0)
            var events = [TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: .turnStarted(turn: 1)), at: start)]
            for index in 0..<10_000 {
                let info = ToolCallInfo(id: "c\(index)", toolName: index % 2 == 0 ? "search" : "fetch", argumentsPreview: "{}")
                let at = start + 1 + Double(index) / 1_000
                events.append(TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: .toolCallQueued(info)), at: at))
                let status: ToolCallStatus = index == 8 ? .timeout : .ok
                let outcome = ToolCallOutcome(call: info, status: status, duration: .milliseconds(500), outputPreview: "")
                events.append(TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: .toolCallFinished(outcome)), at: at + 0.5))
            }
            events.append(TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: .finished(RunResult(answer: "", stopReason: .finished))), at: start + 12))
            let trace = TraceBuilder.build(run: TraceRunInfo(id: runID, prompt: "p", model: nil, startedAt: start, state: .finished), events: events)
            #expect(trace.spans.count == 10_003)
            let lines = TraceTimeline(trace: trace, width: 100, colour: false).lines
            #expect(lines.count < 12)
            let search = lines.first { $0.contains("search ×5000") }
            let fetch = lines.first { $0.contains("fetch ×5000") }
            #expect(search?.hasPrefix(" ✗") == true && fetch != nil, "\(lines.joined(separator: "\n"))")
            #expect(lines.last?.contains("×N: calls of one tool") == true)
        }
    }

    static let width60 = """
        run run_0sample00_abc123 · 2.60s wall · finished · 400 in +…
        3 model calls, 3 tool calls (1 failed) · sequential 3.35s i…
                            |0s      1.30s   2.60s|
        ● run               ███████████████████████ 2.60s
        ●  turn 1           █████████████████▊      2.00s
        ●↻  model openai:g… ████▌                   500ms
        ●↻   attempt 1 fai… █▉                      200ms
         ✗  search (c1)         ████                400ms error
            researcher (c2)     ███████▏            750ms
             sub-agent run      ██████▋             650ms
              turn 1            ████▉               450ms
               model            ████▉               450ms
        ●   fetch (c3)          ░████████████▊      1.50s
        ●  turn 2                            ██████ 600ms
        ●   model openai:g…                  ██████ 600ms
        ● critical path  ✗ failed  ↻ retried  ░ queued
        """

    static let width100 = """
        run run_0sample00_abc123 · 2.60s wall · finished · 400 in + 80 out tokens · $0.0009
        3 model calls, 3 tool calls (1 failed) · sequential 3.35s in 2.60s = speed-up 1.29×
                                        |0s                    1.30s                 2.60s|
        ● run                           ███████████████████████████████████████████████████ 2.60s
        ●  turn 1                       ███████████████████████████████████████▎            2.00s
        ●↻  model openai:gpt-test       █████████▉                                          500ms
        ●↻   attempt 1 failed           ████                                                200ms
         ✗  search (c1)                          ████████▊                                  400ms error
            researcher (c2)                      ███████████████▋                           750ms
             sub-agent run                        █████████████▋                            650ms
              turn 1                              █████████▋                                450ms
               model                              █████████▋                                450ms
        ●   fetch (c3)                           ░░████████████████████████████▎            1.50s
        ●  turn 2                                                              ████████████ 600ms
        ●   model openai:gpt-test                                              ████████████ 600ms
        ● critical path  ✗ failed  ↻ retried  ░ queued
        """

    static let live80 = """
        run run_0sample00_abc123 · 1.20s wall · LIVE: still running, shown so far
        1 model call, 3 tool calls · sequential 2.50s in 1.20s = speed-up 2.08×
                                  |0s             600ms          1.20s|
        ● run                     █████████████████████████████████████ 1.20s …
        ●  turn 1                 █████████████████████████████████████ 1.20s …
        ●↻  model openai:gpt-test ███████████████▌                      500ms
        ●↻   attempt 1 failed     ██████▎                               200ms
            search (c1)                          ██████████████████████ 700ms …
            researcher (c2)                      ██████████████████████ 700ms …
        ●   fetch (c3)                           ░░░███████████████████ 700ms …
        ● critical path  ✗ failed  ↻ retried  ░ queued
        """
}
