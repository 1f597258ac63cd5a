import Brigade

/// `/trace`: the last run's tool calls on a time axis, one row per call, so overlap is visible.
///
/// ```
/// turn 1 · 3 calls in 0.82 s (sequential 2.1 s)
///   disk_usage  ██████████                     0.41 s
///   fetch       ░░████████████████████         0.78 s
///   grep        ████                           0.12 s
///               0 s                            0.82 s
/// ```
/// `░` is waiting (queued, not yet started), `█` running; a call that did not end ok is drawn with
/// `▓` and its status. Pure: the result and a width in, lines out (each under `width` columns).
struct TraceRenderer: Sendable {
    var style: TextStyle
    var width: Int

    func lines(for result: RunResult) -> [String] {
        guard !result.calls.isEmpty else { return ["No tool calls in the last run."] }
        let end = max(result.calls.map(\.finished).max() ?? .zero, .milliseconds(1))
        let labelWidth = min(18, result.calls.map { TerminalText.width(of: $0.toolName) }.max() ?? 4)
        let rightWidth = 18
        let barWidth = max(10, width - 1 - 2 - labelWidth - 2 - rightWidth)
        var lines: [String] = []
        for turn in Array(Set(result.calls.map(\.turn))).sorted() {
            let calls = result.calls.filter { $0.turn == turn }
            lines.append(style.apply(.bold, header(turn: turn, calls: calls, result: result)))
            for call in calls {
                let label = TerminalText.padded(TerminalText.truncated(ControlCharacters.escaped(call.toolName), toWidth: labelWidth), toWidth: labelWidth)
                lines.append("  " + label + "  " + bar(for: call, end: end, width: barWidth) + "  " + right(for: call))
            }
        }
        let startLabel = "0 s"
        let endLabel = Formatting.seconds(end)
        let axisGap = max(1, barWidth - startLabel.count - endLabel.count)
        lines.append(String(repeating: " ", count: 2 + labelWidth + 2) + style.apply(.dim, startLabel + String(repeating: " ", count: axisGap) + endLabel))
        return lines
    }

    private func header(turn: Int, calls: [RunResult.CallTiming], result: RunResult) -> String {
        if let timing = result.turnTimings.first(where: { $0.turn == turn }) {
            let summary = CallSummary(calls: calls.count, wallTime: timing.fanOutWallTime, sequentialTime: timing.sumOfCallTimes, failed: calls.filter { $0.status != .ok }.count)
            return "turn \(turn) · model \(Formatting.seconds(timing.modelTime)) · \(summary)"
        }
        let first = calls.map(\.queued).min() ?? .zero
        let last = calls.map(\.finished).max() ?? .zero
        let summary = CallSummary(calls: calls.count, wallTime: last - first, sequentialTime: calls.reduce(.zero) { $0 + $1.duration }, failed: calls.filter { $0.status != .ok }.count)
        return "turn \(turn) · \(summary)"
    }

    /// The row's bar: blank before the call was queued, `░` while it waited, `█` (or `▓`) while it ran.
    func bar(for call: RunResult.CallTiming, end: Duration, width: Int) -> String {
        func column(_ time: Duration) -> Int { min(width, max(0, Int((time / end * Double(width)).rounded(.down)))) }
        let queued = column(call.queued)
        let started = call.started.map(column) ?? column(call.finished)
        var finished = max(column(call.finished), started)
        if call.started != nil, finished == started { finished = min(width, started + 1) }
        let runMark = call.status == .ok ? "█" : "▓"
        let waiting = String(repeating: "░", count: max(0, started - queued))
        let running = String(repeating: runMark, count: max(0, finished - started))
        let tail = String(repeating: " ", count: max(0, width - max(finished, started, queued)))
        return String(repeating: " ", count: queued) + style.apply(.dim, waiting) + style.apply(call.status == .ok ? .green : .red, running) + tail
    }

    private func right(for call: RunResult.CallTiming) -> String {
        let duration = Formatting.seconds(call.duration)
        return call.status == .ok ? duration : style.apply(.red, "\(call.status.rawValue) \(duration)")
    }
}
