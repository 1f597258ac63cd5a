import BrigadeSync
import Synchronization
import Brigade
import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `brigade chat` loop: read a line, run it as a prompt (or a `/` command), show the run, repeat.
///
/// One prompt runs at a time, in a task group next to a task waiting for Ctrl-C; a Ctrl-C cancels the
/// group, which cancels the run (calls in flight are killed, what they returned so far is kept) and
/// brings the prompt back. Ctrl-C twice at an empty prompt, Ctrl-D, or `/exit` leaves.
final class ChatREPL: Sendable {
    struct Options: Sendable {
        var configPath: String?
        var modelProfile: String? = nil
        var mode: RoutingMode?
        var resume: ChatResume? = nil
        var recordRuns = true
        var environment: [String: String]
        var currentDirectory: String
        var terminal: TerminalInfo
    }

    /// What the session has done so far, behind ``state``'s lock.
    struct SessionState {
        var backend: ChatBackend
        /// The conversation; `/reset` starts a new one, `/load` continues a stored one.
        var session: AgentSession
        var lastResult: RunResult?
        /// The last prompt's run and its events, stamped as they came: `/trace` draws its spans.
        var lastTrace: (run: TraceRunInfo, events: [TimedEvent])?
        var lastSnapshot: BudgetSnapshot?
        var runs: [RunResult] = []
        var totals = SessionTotals()
    }

    let options: Options
    let output = TerminalOutput.standardOutput
    let display: RunDisplay
    let input: ChatInput
    let interrupts: InterruptRelay
    let modes: TerminalModes
    /// config.yaml's `budget.session_*` caps over every prompt of this chat; `nil` when none is set.
    let sessionBudget: BudgetLedger?
    let state: Mutex<SessionState>

    var style: TextStyle { display.style }

    /// Loads the workspace and sets up the terminal; nothing is read yet.
    ///
    /// - Throws: the workspace's configuration errors, or a ``WakePipeError``.
    init(options: Options, logger: Logger) throws {
        self.options = options
        let wakePipe = try WakePipe()
        interrupts = InterruptRelay(wakePipe: wakePipe)
        modes = TerminalModes()
        let terminal = options.terminal
        display = RunDisplay(live: terminal.isInteractive, style: terminal.style, output: .standardOutput) {
            let size = TerminalInfo.windowSize(of: 1)
            return (size?.columns ?? 80, size?.rows ?? 24)
        }
        input = ChatInput(
            input: TerminalInput(wakePipe: wakePipe),
            interrupts: interrupts,
            lineEditing: terminal.isInteractive,
            historyPath: terminal.isInteractive ? HistoryLocation.prepare(environment: options.environment) : nil
        )
        let approval = TerminalApprovalPolicy(display: display, input: input, modes: modes, interactive: terminal.isInteractive)
        let backend = try ChatBackend.load(
            configPath: options.configPath,
            modelProfile: options.modelProfile,
            environment: options.environment,
            currentDirectory: options.currentDirectory,
            mode: options.mode,
            approval: approval,
            recordRuns: options.recordRuns,
            logger: logger
        )
        sessionBudget = backend.workspace.makeSessionBudget()
        let session = try Self.session(resuming: options.resume, in: backend.store, workspace: backend.workspace)
        state = Mutex(SessionState(backend: backend, session: session))
    }

    /// Runs the loop until the user leaves, with the workspace's `eager: true` MCP servers started
    /// first and every server ended last. Returns the process exit status.
    func run() async -> Int32 {
        let workspace = state.withLock { $0.backend.workspace }
        await workspace.startEagerSources()
        let status = await runLoop()
        await workspace.shutdown()
        do {
            try await StoreAccess.finish(state.withLock { $0.backend.store }, workspace: workspace)
        } catch {
            Terminal.standardError.write("brigade: \(error.message)\n")
            return status == 0 ? 1 : status
        }
        return status
    }

    private func runLoop() async -> Int32 {
        let signalQueue = DispatchQueue(label: "brigade.chat.signals")
        let interrupt = SignalSource(signal: SIGINT, queue: signalQueue) { [interrupts] in interrupts.deliver() }
        let resize = SignalSource(signal: SIGWINCH, queue: signalQueue) { [display, interrupts] in
            display.resized()
            interrupts.wakePipe.wake(.resize)
        }
        // SIGTERM and SIGHUP (the terminal went away): cancel the turn, so its tools are killed, then leave.
        let terminations = [SIGTERM, SIGHUP].map { number in
            SignalSource(signal: number, queue: signalQueue) { [interrupts] in interrupts.terminate(signal: number) }
        }
        let previousPipeAction = signal(SIGPIPE, SIG_IGN)
        defer {
            interrupt.cancel()
            resize.cancel()
            for source in terminations { source.cancel() }
            signal(SIGPIPE, previousPipeAction)
            modes.restore()
        }

        if let notice = state.withLock({ $0.backend.storeNotice }) { display.writeLines([notice]) }
        if let notice = state.withLock({ $0.backend.notice }) { display.writeLines([options.terminal.isInteractive ? style.apply(.yellow, notice) : notice]) }
        if options.terminal.isInteractive { display.writeLines([banner()]) }
        var interruptsAtEmptyPrompt = 0
        while true {
            switch await input.readLine(prompt: promptText()) {
            case .endOfFile:
                if let signal = interrupts.terminationSignal { return 128 + signal }
                if options.terminal.isInteractive { display.writeLines([""]) }
                return 0
            case .interrupted(let lineWasEmpty):
                display.writeLines(options.terminal.isInteractive ? ["^C"] : [])
                guard lineWasEmpty else {
                    interruptsAtEmptyPrompt = 0
                    continue
                }
                interruptsAtEmptyPrompt += 1
                if interruptsAtEmptyPrompt >= 2 { return 0 }
                display.writeLines([style.apply(.dim, "(Press Ctrl-C again or Ctrl-D to exit.)")])
            case .line(let line):
                interruptsAtEmptyPrompt = 0
                let text = String(line.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
                guard !text.isEmpty else { continue }
                input.remember(line)
                if text.hasPrefix("/") {
                    if await perform(text) == .exit { return 0 }
                } else {
                    await runPrompt(text)
                    if let signal = interrupts.terminationSignal { return 128 + signal }
                }
            }
        }
    }

    /// Runs one prompt, showing its events; Ctrl-C cancels it.
    func runPrompt(_ prompt: String) async {
        let (agent, mode, session) = state.withLock { ($0.backend.agent, $0.backend.mode, $0.session) }
        modes.echoOff()
        defer { modes.restore() }
        let snapshot = LockedState<BudgetSnapshot?>(nil)
        let runID = RunID()
        let trace = LockedState((run: TraceRunInfo(id: runID, prompt: prompt, model: agent.configuration.model?.displayName, startedAt: Date(), state: .running),
                                 events: [TimedEvent]()))
        let result = await withTaskGroup(of: RunResult?.self, returning: RunResult.self) { group in
            group.addTask { [display, session, sessionBudget] in
                // The options name no tools and set no limits, so they cannot be refused.
                let options = RunOptions(routing: mode, session: session, parentBudget: sessionBudget, runID: runID, source: "chat")
                return try? await agent.run(prompt, options: options) { event in
                    if case .budgetUpdate(let value) = event { snapshot.withLock { $0 = value } }
                    trace.withLock { $0.events.append(TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: event))) }
                    display.handle(event)
                }
            }
            group.addTask { [interrupts] in
                await interrupts.waitForInterrupt()
                return nil
            }
            var result: RunResult?
            while let next = await group.next() {
                if let next { result = next }
                group.cancelAll()  // the run ended: stop waiting for Ctrl-C; or Ctrl-C: cancel the run
            }
            return result ?? RunResult(answer: "", stopReason: .cancelled)
        }
        // A Ctrl-C that came while the cancelled turn was wrapping up was meant for the turn, not for
        // the prompt (where two in a row exit).
        _ = interrupts.takePending()
        let limits = state.withLock { state in
            state.lastResult = result
            state.lastTrace = trace.withLock { trace in
                var ended = trace
                ended.run.state = .finished
                return ended
            }
            state.lastSnapshot = snapshot.withLock { $0 }
            state.runs.append(result)
            state.totals.add(result)
            return state.backend.limits
        }
        let report = BudgetReport(limits: limits, snapshot: snapshot.withLock { $0 }, style: style)
        let stopped = "\(result.stopReason.description) (\(result.stopReason.code))"
        if options.terminal.isInteractive {
            display.writeLines([style.apply(.dim, report.footer(for: result))] + (result.stopReason == .finished ? [] : [style.apply(.yellow, "stopped: " + stopped)]))
        } else {
            display.writeLines(["[usage] " + report.footer(for: result)] + (result.stopReason == .finished ? [] : ["[stopped] " + stopped]))
        }
    }

    private func promptText() -> String {
        guard options.terminal.isInteractive else { return "" }
        let mode = state.withLock { $0.backend.mode }
        let plain = "brigade[\(mode.rawValue)]> "
        guard style.colors else { return plain }
        // libedit takes the text between \u{1} markers as zero-width escape sequences.
        return "\u{1}\u{1B}[1;36m\u{1}brigade\u{1}\u{1B}[0;2m\u{1}[\(mode.rawValue)]\u{1}\u{1B}[0m\u{1}> "
    }

    private func banner() -> String {
        let (model, mode, tools) = state.withLock { ($0.backend.modelName, $0.backend.mode, $0.backend.agent.registry.tools.count) }
        let text = "brigade chat · model \(model ?? "none") · mode \(mode.rawValue) · \(tools) \(tools == 1 ? "tool" : "tools") · /help for commands, Ctrl-D to exit"
        return style.apply(.dim, text)
    }
}
