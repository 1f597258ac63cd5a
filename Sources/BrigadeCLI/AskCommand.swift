import ArgumentParser
import Brigade
import Foundation
import Logging

struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer one request: the answer streams to stdout, the progress of every call to stderr."
    )

    @OptionGroup var workspaceOptions: WorkspaceOptions

    @Option(name: .long, help: "Routing: hybrid, model or static (default: config `routing`; static without a model).")
    var mode: RoutingMode?

    @Flag(name: .long, help: "Print every event as one JSON line (NDJSON) on stdout instead of the answer.")
    var json = false

    @Flag(name: .long, help: "Approve tools that need confirmation (`confirm: true`) without asking (on a terminal, ask asks; otherwise they are denied).")
    var yes = false

    @Argument(help: "The request.")
    var prompt: String

    func run() async throws {
        let workspace = try workspaceOptions.loadWorkspace()
        if let notice = workspace.routingNotice, mode == nil || mode != .static {
            Terminal.standardError.write(notice + "\n")
        }
        if (mode == .model || mode == .hybrid), workspace.model == nil {
            throw CLIFailure.usage("--mode \(mode!.rawValue) needs a model: \(workspace.modelUnavailableReason ?? "none is available")")
        }
        var logger = Logger(label: "brigade")
        logger.logLevel = .warning
        let approval: any ApprovalPolicy = if yes {
            ApproveAllApprovalPolicy()
        } else if Terminal.standardError.isTTY, isatty(STDIN_FILENO) == 1, !json {
            try LineApprovalPolicy()
        } else {
            DenyAllApprovalPolicy()
        }
        let agent = workspace.makeAgent(routing: mode, approval: approval, logger: logger)
        let printer = AskPrinter(json: json, color: Terminal.colorEnabled(for: Terminal.standardError))
        let prompt = prompt
        let result = await withInterruptCancellation {
            await agent.run(prompt) { event in printer.handle(event) }
        }
        let code = result.outcome.exitCode
        if code != 0 { throw ExitCode(code) }
    }
}

/// Prints one run for `brigade ask`: the answer on stdout as it streams, each tool call and a summary
/// line on stderr; or, with `--json`, every event as one NDJSON line on stdout.
final class AskPrinter: Sendable {
    let json: Bool
    let color: Bool
    private let state = RuntimeLock(State())

    struct State {
        var answerEndsWithNewline = true
        var wroteAnswer = false
    }

    init(json: Bool, color: Bool) {
        self.json = json
        self.color = color
    }

    func handle(_ event: AgentEvent) {
        if json {
            Terminal.standardOutput.write(event.json.jsonString + "\n")
            return
        }
        let err = Terminal.standardError
        switch event {
        case .routeMatched(let info):
            let captures = info.captures.isEmpty ? "" : " " + info.captures.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            err.write(dim("route \(info.route)\(captures)\(info.isFallback ? " (fallback)" : "")") + "\n")
        case .toolCallStarted(let info):
            err.write(dim("  → \(info.toolName)(\(info.argumentsPreview))") + "\n")
        case .toolCallFinished(let outcome):
            let mark: String
            switch outcome.status {
            case .ok: mark = paint("✓", 32)
            case .timeout: mark = paint("⏱", 33)
            case .notRun, .denied: mark = paint("–", 33)
            case .error, .cancelled: mark = paint("✗", 31)
            }
            var line = "  \(mark) \(outcome.call.toolName) \(outcome.status.rawValue) \(Terminal.seconds(outcome.duration))"
            if outcome.status != .ok { line += " — " + outcome.outputPreview.prefix(160).replacingOccurrences(of: "\n", with: " ") }
            err.write(line + "\n")
        case .fallbackUsed(let reason):
            err.write(paint("fallback: \(reason)", 33) + "\n")
        case .textDelta(let text):
            Terminal.standardOutput.write(text)
            state.withLock {
                $0.wroteAnswer = true
                if let last = text.last { $0.answerEndsWithNewline = last == "\n" }
            }
        case .finished(let result):
            if state.withLock({ $0.wroteAnswer && !$0.answerEndsWithNewline }) { Terminal.standardOutput.write("\n") }
            err.write(dim(Self.summary(result)) + "\n")
        case .turnStarted, .toolCallQueued:
            // A new turn's text starts on its own line.
            let needsNewline = state.withLock { state -> Bool in
                defer { state.answerEndsWithNewline = true }
                return state.wroteAnswer && !state.answerEndsWithNewline
            }
            if needsNewline { Terminal.standardOutput.write("\n") }
        case .budgetUpdate:
            break
        }
    }

    /// "4 calls · fan-out 0.31 s (sequential 0.92 s) · 0 tokens · $0.0000 · 0.35 s · finished".
    static func summary(_ result: RunResult) -> String {
        let fanOut = result.turnTimings.reduce(Duration.zero) { $0 + $1.fanOutWallTime }
        let sequential = result.turnTimings.reduce(Duration.zero) { $0 + $1.sumOfCallTimes }
        var parts = ["\(result.toolCalls) call\(result.toolCalls == 1 ? "" : "s")"]
        if result.toolCalls > 0 { parts.append("fan-out \(Terminal.seconds(fanOut)) (sequential \(Terminal.seconds(sequential)))") }
        parts.append("\(result.usage.inputTokens + result.usage.outputTokens) tokens (\(result.usage.inputTokens) in, \(result.usage.outputTokens) out)")
        parts.append(String(format: "$%.4f", result.costUSD))
        parts.append("wall \(Terminal.seconds(result.wallTime))")
        parts.append("stop: \(result.stopReason.code)")
        return parts.joined(separator: " · ")
    }

    private func dim(_ text: String) -> String { color ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
    private func paint(_ text: String, _ code: Int) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
}
