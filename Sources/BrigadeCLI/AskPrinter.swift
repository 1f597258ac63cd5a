import Synchronization
import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Prints one run for `brigade ask`: the answer on stdout as it streams, each tool call and a summary
/// line on stderr; or, with `--json`, every event as one NDJSON line on stdout.
///
/// When stdout and stderr are both a terminal, the calls are shown as chat shows them: a live line per
/// running call, then ✓ / ✗ lines (``RunDisplay``). On a colour terminal the answer is rendered as
/// Markdown line by line as it streams (not with `--raw`); on any terminal control characters of the
/// model's text are never written raw, and the progress lines on stderr
/// show control characters of tool names, arguments and errors escaped. `quiet` prints the answer only; without `stream` the answer is
/// printed once the run is done.
final class AskPrinter: Sendable {
    let json: Bool
    let color: Bool
    let quiet: Bool
    let stream: Bool
    /// The run's id: `--json` lines carry it as `run_id`.
    let runID = RunID()
    /// The live display (both outputs are a terminal, not quiet, not JSON).
    let display: RunDisplay?
    private let state: Mutex<State>

    struct State {
        var answer: AnswerText
        var answerEndsWithNewline = true
        var wroteAnswer = false
    }

    init(json: Bool, color: Bool, quiet: Bool = false, stream: Bool = true, raw: Bool = false) {
        self.json = json
        self.color = color
        self.quiet = quiet
        self.stream = stream
        state = Mutex(State(answer: AnswerText.forStandardOutput(raw: raw)))
        if !json, !quiet, Terminal.standardOutput.isTTY, Terminal.standardError.isTTY {
            display = RunDisplay(live: true, style: TextStyle(colors: color), output: .standardError, answerOutput: .standardOutput) {
                let size = TerminalInfo.windowSize(of: STDERR_FILENO)
                return (size?.columns ?? 80, size?.rows ?? 24)
            }
        } else {
            display = nil
        }
    }

    func handle(_ event: AgentEvent) {
        if json {
            Terminal.standardOutput.write(RunEvent(runID: runID, parentRunID: nil, event: event).json.jsonString + "\n")
        } else if let display {
            handleLive(event, display)
        } else {
            handlePlain(event)
        }
    }

    private func handleLive(_ event: AgentEvent, _ display: RunDisplay) {
        switch event {
        case .textDelta(let text):
            if stream { display.writeRendered(state.withLock { $0.answer.feed(text) }) }
        case .turnStarted, .toolCallQueued:
            display.writeRendered(state.withLock { $0.answer.finish() })
            display.handle(event)
        case .finished(let result):
            if !stream { display.writeRendered(state.withLock { $0.answer.feed(result.answer) }) }
            display.writeRendered(state.withLock { $0.answer.finish() })
            display.handle(event)
            Terminal.standardError.write(dim(Self.summary(result)) + "\n")
        default:
            display.handle(event)
        }
    }

    private func handlePlain(_ event: AgentEvent) {
        let err = quiet ? Terminal.discarded : Terminal.standardError
        switch event {
        case .routeMatched(let info):
            let captures = info.captures.isEmpty ? "" : " " + info.captures.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            err.write(dim(ControlCharacters.escaped("route \(info.route)\(captures)\(info.isFallback ? " (fallback)" : "")")) + "\n")
        case .toolCallStarted(let info):
            err.write(dim("  → " + ControlCharacters.escaped("\(info.toolName)(\(info.argumentsPreview))")) + "\n")
        case .childRun(let child):
            if let line = ChildRunLines.line(for: child, mark: mark) { err.write(dim("  " + line) + "\n") }
        case .mapProgress(let event):
            err.write(dim("    ↳ " + ChildRunLines.mapLine(event)) + "\n")
        case .joinDecided(let event):
            err.write(dim("    ↳ " + ChildRunLines.joinLine(event)) + "\n")
        case .toolCallFinished(let outcome):
            let mark = mark(outcome.status)
            var line = "  \(mark) \(ControlCharacters.escaped(outcome.call.toolName)) \(outcome.status.rawValue) \(outcome.duration.secondsText)"
            if outcome.status != .ok { line += " — " + ControlCharacters.escaped(String(outcome.outputPreview.prefix(160)), lineBreaks: .spaces) }
            err.write(line + "\n")
        case .fallbackUsed(let reason):
            err.write(paint("fallback: " + ControlCharacters.escaped(reason), 33) + "\n")
        case .modelRetry(let retry):
            err.write(paint(ControlCharacters.escaped(retry.progressLine), 33) + "\n")
        case .modelSwitched(let change):
            err.write(paint(ControlCharacters.escaped(change.progressLine), 33) + "\n")
        case .rateLimitWait(let wait):
            err.write(dim(ControlCharacters.escaped(wait.progressLine)) + "\n")
        case .textDelta(let text):
            if stream { writeAnswer { $0.feed(text) } }
        case .finished(let result):
            if !stream { writeAnswer { $0.feed(result.answer) } }
            writeAnswer { $0.finish() }
            if state.withLock({ $0.wroteAnswer && !$0.answerEndsWithNewline }) { Terminal.standardOutput.write("\n") }
            err.write(dim(Self.summary(result)) + "\n")
        case .turnStarted, .toolCallQueued:
            // A new turn's text starts on its own line.
            guard stream else { return }
            writeAnswer { $0.finish() }
            let needsNewline = state.withLock { state -> Bool in
                defer { state.answerEndsWithNewline = true }
                return state.wroteAnswer && !state.answerEndsWithNewline
            }
            if needsNewline { Terminal.standardOutput.write("\n") }
        case .budgetUpdate:
            break
        }
    }

    /// Writes what `produce` makes of the answer's text now.
    private func writeAnswer(_ produce: (inout AnswerText) -> String) {
        let text = state.withLock { state -> String in
            let text = produce(&state.answer)
            if let last = text.last {
                state.wroteAnswer = true
                state.answerEndsWithNewline = last == "\n"
            }
            return text
        }
        if !text.isEmpty { Terminal.standardOutput.write(text) }
    }

    /// "4 calls · fan-out 0.31 s (sequential 0.92 s) · 0 tokens · $0.0000 · 0.35 s · finished".
    static func summary(_ result: RunResult) -> String {
        let fanOut = result.turnTimings.reduce(Duration.zero) { $0 + $1.fanOutWallTime }
        let sequential = result.turnTimings.reduce(Duration.zero) { $0 + $1.sumOfCallTimes }
        var parts = [Terminal.count(result.toolCalls, "call")]
        if result.toolCalls > 0 { parts.append("fan-out \(fanOut.secondsText) (sequential \(sequential.secondsText))") }
        let tokens = result.usage.inputTokens + result.usage.outputTokens
        var cache = ""
        if result.usage.cachedInputTokens > 0 { cache += ", \(result.usage.cachedInputTokens) cached" }
        if result.usage.cacheCreationInputTokens > 0 { cache += ", \(result.usage.cacheCreationInputTokens) written to cache" }
        let estimated = result.usage.isEstimated ? ", estimated" : ""
        parts.append("\(Terminal.count(tokens, "token")) (\(result.usage.inputTokens) in\(cache), \(result.usage.outputTokens) out\(estimated))")
        parts.append(String(printf: "$%.4f", result.costUSD))
        parts.append("wall \(result.wallTime.secondsText)")
        parts.append("stop: \(result.stopReason.code)")
        for change in result.modelSwitches {
            parts.append("switched \(change.from) → \(change.to) (\(change.reason.code))")
        }
        return parts.joined(separator: " · ")
    }

    private func mark(_ status: ToolCallStatus) -> String {
        switch status {
        case .ok: paint("✓", 32)
        case .timeout: paint("⏱", 33)
        case .notRun, .denied, .awaitingApproval: paint("–", 33)
        case .error, .cancelled: paint("✗", 31)
        }
    }

    private func dim(_ text: String) -> String { color ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
    private func paint(_ text: String, _ code: Int) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
}
