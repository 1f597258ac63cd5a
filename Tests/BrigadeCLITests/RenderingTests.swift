import Brigade
import Foundation
import Testing

@testable import BrigadeCLI

@Suite("Chat rendering", .timeLimit(.minutes(1)))
struct RenderingTests {
    let start = ContinuousClock.now

    func info(_ id: String, _ tool: String, _ arguments: String = "{}") -> ToolCallInfo {
        ToolCallInfo(id: id, toolName: tool, argumentsPreview: arguments)
    }

    func outcome(_ id: String, _ tool: String, _ status: ToolCallStatus, _ seconds: Double) -> ToolCallOutcome {
        ToolCallOutcome(call: info(id, tool), status: status, duration: .milliseconds(Int(seconds * 1000)), outputPreview: "")
    }

    @Test func durationsReadAsInTheSummaries() {
        #expect(Formatting.seconds(.milliseconds(820)) == "0.82 s")
        #expect(Formatting.seconds(.milliseconds(2_900)) == "2.9 s")
        #expect(Formatting.seconds(.milliseconds(120)) == "0.12 s")
        #expect(Formatting.seconds(.seconds(100)) == "1m 40s")
        #expect(Formatting.seconds(.seconds(3_725)) == "1h 02m")
        #expect(Formatting.usd(0.00213) == "$0.0021")
        #expect(Formatting.usd(12.5) == "$12.50")
        #expect(Formatting.count(1_234_567) == "1,234,567")
        #expect(Formatting.count(999) == "999")
        #expect(Formatting.fixed(-0.004, decimals: 2) == "0.00")
    }

    @Test func summaryCountsWallAndSequentialTime() {
        var board = CallBoard()
        for (index, name) in ["a", "b", "c", "d"].enumerated() { board.queue(info("\(index)", name), at: start) }
        #expect(!board.isSettled)
        board.start(info("0", "a"), at: start)
        board.finish(outcome("0", "a", .ok, 0.5), at: start + .milliseconds(500))
        board.finish(outcome("1", "b", .ok, 0.8), at: start + .milliseconds(800))
        board.finish(outcome("2", "c", .ok, 0.8), at: start + .milliseconds(810))
        #expect(!board.isSettled)
        board.finish(outcome("3", "d", .ok, 0.8), at: start + .milliseconds(820))
        #expect(board.isSettled)
        #expect(board.summary.description == "4 calls in 0.82 s (sequential 2.9 s)")
        var failing = board
        failing.finish(outcome("3", "d", .timeout, 0.8), at: start + .milliseconds(820))
        #expect(failing.summary.description == "4 calls in 0.82 s (sequential 2.9 s), 1 not ok")
    }

    @Test func liveLineShowsSpinnerNameArgumentsAndElapsedTime() {
        var board = CallBoard()
        board.queue(info("1", "disk_usage", #"{"path":"/var","depth":2}"#), at: start)
        board.queue(info("2", "grep"), at: start)
        board.start(info("1", "disk_usage", #"{"path":"/var","depth":2}"#), at: start)
        let renderer = CallLineRenderer(style: .plain, width: 60)
        let lines = renderer.liveLines(for: board, at: start + .milliseconds(1_250))
        #expect(lines.count == 2)
        // 1.25 s at 100 ms a frame is frame 12, i.e. frame 2 of the 10.
        #expect(lines[0].hasPrefix("⠹ disk_usage path=/var depth=2"))
        #expect(lines[0].hasSuffix("1.3 s"))
        #expect(lines[1].hasPrefix("· grep"))
        #expect(lines[1].hasSuffix("waiting"))
        for line in lines { #expect(TerminalText.width(of: line) <= 59) }
    }

    @Test func finishedLinesShowTheOutcome() {
        var board = CallBoard()
        for (id, name) in [("1", "ok_tool"), ("2", "bad_tool"), ("3", "slow_tool"), ("4", "risky")] { board.queue(info(id, name), at: start) }
        board.finish(outcome("1", "ok_tool", .ok, 0.12), at: start + .milliseconds(120))
        board.finish(outcome("2", "bad_tool", .error, 0.5), at: start + .milliseconds(500))
        board.finish(outcome("3", "slow_tool", .timeout, 2), at: start + .seconds(2))
        board.finish(outcome("4", "risky", .denied, 0), at: start + .seconds(2))
        let lines = CallLineRenderer(style: .plain, width: 50).finalLines(for: board)
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("✓ ok_tool") && lines[0].hasSuffix("0.12 s"))
        #expect(lines[1].hasPrefix("✗ bad_tool") && lines[1].hasSuffix("failed 0.50 s"))
        #expect(lines[2].hasPrefix("✗ slow_tool") && lines[2].hasSuffix("timeout 2.0 s"))
        #expect(lines[3].hasPrefix("✗ risky") && lines[3].hasSuffix("denied"))
        #expect(lines[4] == "4 calls in 2.0 s (sequential 2.6 s), 3 not ok")
    }

    @Test(arguments: [8, 12, 20, 33, 80])
    func narrowTerminalsTruncateInsteadOfWrapping(width: Int) {
        var board = CallBoard()
        board.queue(info("1", "a_tool_with_a_rather_long_name", #"{"query":"something quite long to show on one line"}"#), at: start)
        board.start(info("1", "a_tool_with_a_rather_long_name"), at: start)
        let line = CallLineRenderer(style: .plain, width: width).liveLines(for: board, at: start + .seconds(3))[0]
        #expect(TerminalText.width(of: line) <= width - 1)
        #expect(!line.isEmpty)
    }

    @Test func coloursDoNotCountTowardsTheWidth() {
        var board = CallBoard()
        board.queue(info("1", "tool", #"{"a":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}"#), at: start)
        let styled = CallLineRenderer(style: TextStyle(colors: true), width: 40).liveLines(for: board, at: start)[0]
        #expect(styled.contains("\u{1B}["))
        #expect(TerminalText.visibleWidth(of: styled) <= 39)
    }

    @Test func aTallBatchFoldsIntoTheLinesItMayUse() {
        var board = CallBoard()
        for index in 0..<30 { board.queue(info("\(index)", "t\(index)"), at: start) }
        for index in 0..<10 { board.finish(outcome("\(index)", "t\(index)", index == 3 ? .error : .ok, 0.1), at: start) }
        let lines = CallLineRenderer(style: .plain, width: 60, maxLines: 8).liveLines(for: board, at: start)
        #expect(lines.count == 8)
        #expect(lines[0] == "✓ 9 done, ✗ 1 not ok")
        #expect(lines[1].hasPrefix("· t10"))
        #expect(lines[7] == "… 14 more")
    }

    @Test func untrustedTextShowsControlCharactersEscaped() {
        #expect(ControlCharacters.escaped("a\u{1B}]0;title\u{07}b\r\nc\u{9B}d", lineBreaks: .kept) == #"a\e]0;title\x07b"# + "\n" + #"c\u{9B}d"#)
        #expect(ControlCharacters.escaped("x\ny\tz", lineBreaks: .spaces) == "x y z")
        #expect(ArgumentSummary.short(#"{"cmd":"\u001b[2Jrm","n":1}"#) == #"cmd=\e[2Jrm n=1"#)
        #expect(ArgumentSummary.short(#"{"q":"two words","list":[1,2]}"#) == #"q="two words" list=[1,2]"#)
        #expect(ArgumentSummary.short(#"{"cut":"abc"#) == #"{"cut":"abc"#)
    }

    @Test func widthsOfWideCharactersAndEscapes() {
        #expect(TerminalText.width(of: "日本") == 4)
        #expect(TerminalText.width(of: "e\u{301}") == 1)
        #expect(TerminalText.truncated("日本語テキスト", toWidth: 6) == "日本…")
        #expect(TerminalText.visibleWidth(of: "\u{1B}[1mbold\u{1B}[0m") == 4)
        #expect(TerminalText.rows(of: [39, 39, 10], columns: 20) == 5)
        #expect(TerminalText.rows(of: [39, 0], columns: 80) == 2)
    }

    /// `/trace` draws the last prompt's spans (``TraceTimeline``): overlapping calls on one axis,
    /// waiting in the queue as `░`, a call that did not end ok with its status.
    @Test func traceDrawsOverlappingCallsOnOneAxis() {
        let runID = RunID()
        let origin = Date(timeIntervalSince1970: 0)
        func at(_ seconds: Double, _ event: AgentEvent) -> TimedEvent { TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: event), at: origin + seconds) }
        let (fast, slow, late) = (info("1", "fast"), info("2", "slow"), info("3", "late"))
        func done(_ call: ToolCallInfo, _ status: ToolCallStatus) -> AgentEvent {
            .toolCallFinished(ToolCallOutcome(call: call, status: status, duration: .milliseconds(500), outputPreview: ""))
        }
        let events = [
            at(0, .turnStarted(turn: 1)), at(1, .budgetUpdate(BudgetSnapshot())),
            at(1, .toolCallQueued(fast)), at(1, .toolCallQueued(slow)), at(1, .toolCallQueued(late)),
            at(1, .toolCallStarted(fast)), at(1, .toolCallStarted(slow)), at(3, .toolCallStarted(late)),
            at(2, done(fast, .ok)), at(4.5, done(late, .timeout)), at(5, done(slow, .ok)),
            at(5, .budgetUpdate(BudgetSnapshot())), at(5, .finished(RunResult(answer: "", stopReason: .finished))),
        ]
        let trace = TraceBuilder.build(run: TraceRunInfo(id: runID, prompt: "go", model: nil, startedAt: origin, state: .finished), events: events)
        let lines = TraceTimeline(trace: trace, width: 70, colour: false).lines
        #expect(lines[1].hasPrefix("1 model call, 3 tool calls (1 failed) · sequential 7.50s in 5.00s"))
        let rows = ["fast (1)", "slow (2)", "late (3)"].map { name in lines.first { $0.contains(name) } ?? "" }
        let bars = rows.map { row in row.filter { "█░".contains($0) } }
        // 70 - 21 label - 15 note - 4 = 30 columns for 5 s: fast runs 1 s (6), slow 4 s (24) from the
        // same column; late waits 2 s (12) and runs 1.5 s (9); slow is the one the turn waited for.
        #expect(bars[0] == String(repeating: "█", count: 6))
        #expect(bars[1] == String(repeating: "█", count: 24))
        #expect(bars[2] == String(repeating: "░", count: 12) + String(repeating: "█", count: 9))
        #expect(rows[2].hasSuffix("3.50s timeout") && rows[2].hasPrefix(" ✗"))
        #expect(rows[1].hasPrefix("●") && !rows[0].hasPrefix("●"))
    }

    @Test func budgetFooterAndTable() {
        let limits = Budget.Limits(usd: 0.05, outputTokens: 4_000, maxTurns: 8, maxCallsPerRun: 128)
        let snapshot = BudgetSnapshot(usage: TokenUsage(inputTokens: 310, outputTokens: 102), costUSD: 0.0021, turns: 2, toolCalls: 4, elapsed: .seconds(4), usdLeft: 0.0479, outputTokensLeft: 3_898, turnsLeft: 6, toolCallsLeft: 124)
        let report = BudgetReport(limits: limits, snapshot: snapshot, style: .plain)
        let result = RunResult(answer: "", stopReason: .finished, usage: snapshot.usage, costUSD: 0.0021)
        #expect(report.footer(for: result) == "tokens 310 in + 102 out · $0.0021 · left $0.0479, 3,898 out tokens")
        var totals = SessionTotals()
        totals.add(result)
        totals.add(result)
        let table = report.table(session: totals)
        #expect(table[0].hasPrefix("limit"))
        #expect(table[1].split(separator: " ", omittingEmptySubsequences: true) == ["USD", "$0.0500", "$0.0021", "$0.0479"])
        #expect(table[2].split(separator: " ", omittingEmptySubsequences: true) == ["input", "tokens", "none", "310", "unlimited"])
        #expect(table[5].split(separator: " ", omittingEmptySubsequences: true) == ["turns", "8", "2", "6"])
        #expect(table.last == "Caps apply to each prompt. Session: 2 prompts, 620 in + 204 out tokens, $0.0042, 0 tool calls")
        let none = BudgetReport(limits: Budget.Limits(), snapshot: nil, style: .plain)
        #expect(none.footer(for: result).hasSuffix("no budget cap"))
    }
}
