import Synchronization
import Brigade
import Dispatch

/// Shows one run's events as they arrive: the streamed answer, the tool calls, the summaries.
///
/// Two forms. On an interactive terminal (`live`): a block with one line per running call, redrawn in
/// place ten times a second while calls run (a timer that exists only then), cleared and redrawn on
/// resize, turned into permanent ✓ / ✗ lines and a summary when the batch is done. Otherwise (`plain`):
/// no escape sequences, one line per finished call (`[tool] disk_usage ok 0.12 s`) and per batch.
///
/// Thread-safe: events, timer ticks and resizes all draw under one lock.
final class RunDisplay: Sendable {
    private struct State {
        var board = CallBoard()
        /// Visible widths of the live block's lines on screen (the cursor sits on the line below them).
        var drawnLineWidths: [Int] = []
        var atLineStart = true
        var paused = false
        var timer: (any DispatchSourceTimer)?
        var columns: Int
        var rows: Int
    }

    let live: Bool
    let style: TextStyle
    private let output: TerminalOutput
    /// Where ``writeRendered(_:)`` writes (`brigade ask`: the answer on stdout, the calls on stderr).
    private let answerOutput: TerminalOutput
    private let timerQueue = DispatchQueue(label: "brigade.chat.display")
    private let state: Mutex<State>
    private let measure: @Sendable () -> (columns: Int, rows: Int)

    /// - Parameters:
    ///   - live: draw the live block (interactive terminal); otherwise plain lines.
    ///   - style: colours or not.
    ///   - output: where to write.
    ///   - measure: the terminal's size now (called at start and on every resize).
    ///   - answerOutput: where ``writeRendered(_:)`` writes; `output` when `nil`.
    init(
        live: Bool, style: TextStyle, output: TerminalOutput, answerOutput: TerminalOutput? = nil,
        measure: @escaping @Sendable () -> (columns: Int, rows: Int)
    ) {
        self.live = live
        self.style = style
        self.output = output
        self.answerOutput = answerOutput ?? output
        self.measure = measure
        let size = measure()
        state = Mutex(State(columns: size.columns, rows: size.rows))
    }

    /// Handles one event of the run.
    func handle(_ event: AgentEvent) {
        let now = ContinuousClock.now
        state.withLock { state in
            switch event {
            case .turnStarted, .budgetUpdate:
                break
            case .textDelta(let text):
                let clean = ControlCharacters.escaped(text, lineBreaks: .kept)
                guard !clean.isEmpty else { return }
                if live, !state.board.isEmpty { erase(&state) }
                write(clean, &state)
                if live, !state.board.isEmpty {
                    endLine(&state)
                    draw(&state, at: now)
                }
            case .toolCallQueued(let call):
                if state.board.isEmpty { endLine(&state) }
                state.board.queue(call, at: now)
                refresh(&state, at: now)
            case .toolCallStarted(let call):
                state.board.start(call, at: now)
                refresh(&state, at: now)
            case .toolCallFinished(let outcome):
                state.board.finish(outcome, at: now)
                if !live {
                    let name = ControlCharacters.escaped(outcome.call.toolName)
                    write("[tool] \(name) \(outcome.status.rawValue) \(Formatting.seconds(outcome.duration))\n", &state)
                }
                if state.board.isSettled { settle(&state) } else { refresh(&state, at: now) }
            case .routeMatched(let route):
                endLine(&state)
                let captures = route.captures.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                let detail = ControlCharacters.escaped(route.route + (captures.isEmpty ? "" : " " + captures) + (route.isFallback ? " (fallback)" : ""))
                write((live ? style.apply(.dim, "route " + detail) : "[route] " + detail) + "\n", &state)
            case .fallbackUsed(let reason):
                endLine(&state)
                let text = ControlCharacters.escaped(reason)
                write((live ? style.apply(.yellow, "fallback: \(text)") : "[fallback] \(text)") + "\n", &state)
            case .modelRetry(let retry):
                endLine(&state)
                let line = ControlCharacters.escaped(retry.progressLine)
                write((live ? style.apply(.yellow, line) : "[retry] \(line)") + "\n", &state)
            case .modelSwitched(let change):
                endLine(&state)
                let line = ControlCharacters.escaped(change.progressLine)
                write((live ? style.apply(.yellow, line) : "[model] \(line)") + "\n", &state)
            case .rateLimitWait(let wait):
                endLine(&state)
                let line = ControlCharacters.escaped(wait.progressLine)
                write((live ? style.apply(.dim, line) : "[rate limit] \(line)") + "\n", &state)
            case .finished:
                if !state.board.isEmpty { settle(&state) }
                endLine(&state)
            case .mapProgress(let event):
                writeUnderCall("↳ " + ChildRunLines.mapLine(event), callID: event.callID, &state, at: now)
            case .joinDecided(let event):
                writeUnderCall("↳ " + ChildRunLines.joinLine(event), callID: event.callID, &state, at: now)
            case .childRun(let child):
                guard let line = ChildRunLines.line(for: child, mark: { $0 == .ok ? "✓" : "✗" }) else { return }
                if live, !state.board.isEmpty { erase(&state) }
                endLine(&state)
                write((live ? style.apply(.dim, "  " + line) : "[\(child.parentCallID)] " + line) + "\n", &state)
                if live, !state.board.isEmpty { draw(&state, at: now) }
            }
        }
    }

    /// Writes answer text that is already safe for the terminal (e.g. rendered Markdown) to the answer
    /// output, taking the live block off the screen and putting it back below.
    func writeRendered(_ text: String) {
        guard !text.isEmpty else { return }
        let now = ContinuousClock.now
        state.withLock { state in
            if live, !state.board.isEmpty { erase(&state) }
            answerOutput.write(text)
            if let last = text.last { state.atLineStart = last == "\n" }
            if live, !state.board.isEmpty {
                endLine(&state)
                draw(&state, at: now)
            }
        }
    }

    /// Writes whole lines after whatever was streamed (starting a new line first if needed).
    func writeLines(_ lines: [String]) {
        state.withLock { state in
            endLine(&state)
            for line in lines { write(line + "\n", &state) }
        }
    }

    /// Writes a question on a line of its own, leaving the cursor after it for the answer.
    func writeQuestion(_ text: String) {
        state.withLock { state in
            endLine(&state)
            write(text, &state)
        }
    }

    /// Takes the live block off the screen and stops redrawing it, e.g. to ask a question.
    func pause() {
        state.withLock { state in
            erase(&state)
            stopTimer(&state)
            endLine(&state)
            state.paused = true
        }
    }

    /// Puts the live block back after ``pause()``.
    func resume() {
        state.withLock { state in
            state.paused = false
            state.atLineStart = true  // the question's answer ended with the user's Enter
            refresh(&state, at: .now)
        }
    }

    /// The terminal was resized: clear the block as it now appears, redraw it at the new width.
    func resized() {
        state.withLock { state in
            let size = measure()
            let wasDrawn = !state.drawnLineWidths.isEmpty
            // Lines drawn at the old width may now wrap: move up over the rows they take at the new one.
            let rows = TerminalText.rows(of: state.drawnLineWidths, columns: size.columns)
            if wasDrawn { output.write(ANSI.cursorUp(rows) + ANSI.clearToEndOfScreen) }
            state.drawnLineWidths = []
            state.columns = size.columns
            state.rows = size.rows
            if wasDrawn { draw(&state, at: .now) }
        }
    }

    /// The current terminal width, for other renderers.
    var columns: Int { state.withLock { $0.columns } }
    var rows: Int { state.withLock { $0.rows } }

    // MARK: - Drawing (all called with the lock held)

    private var renderer: (State) -> CallLineRenderer {
        { [style] state in CallLineRenderer(style: style, width: state.columns, maxLines: max(3, state.rows - 2)) }
    }

    private func refresh(_ state: inout State, at now: ContinuousClock.Instant) {
        guard live, !state.paused else { return }
        erase(&state)
        draw(&state, at: now)
        if state.board.hasUnfinished { startTimer(&state) } else { stopTimer(&state) }
    }

    /// A line about a running call (its map progress, its join), above the live block.
    private func writeUnderCall(_ line: String, callID: String, _ state: inout State, at now: ContinuousClock.Instant) {
        if live, !state.board.isEmpty { erase(&state) }
        endLine(&state)
        write((live ? style.apply(.dim, "    " + line) : "[\(callID)] " + line) + "\n", &state)
        if live, !state.board.isEmpty { draw(&state, at: now) }
    }

    private func draw(_ state: inout State, at now: ContinuousClock.Instant) {
        guard live, !state.paused, !state.board.isEmpty else { return }
        let lines = renderer(state).liveLines(for: state.board, at: now)
        output.write(lines.map { $0 + "\n" }.joined())
        state.drawnLineWidths = lines.map(TerminalText.visibleWidth(of:))
        state.atLineStart = true
    }

    private func erase(_ state: inout State) {
        guard !state.drawnLineWidths.isEmpty else { return }
        output.write(ANSI.cursorUp(state.drawnLineWidths.count) + ANSI.clearToEndOfScreen)
        state.drawnLineWidths = []
    }

    /// The batch is done: permanent lines (live) or a summary line (plain); the board starts afresh.
    private func settle(_ state: inout State) {
        stopTimer(&state)
        if live {
            erase(&state)
            endLine(&state)
            let lines = renderer(state).finalLines(for: state.board)
            write(lines.map { $0 + "\n" }.joined(), &state)
        } else {
            write("[calls] \(state.board.summary)\n", &state)
        }
        state.board = CallBoard()
    }

    private func write(_ text: String, _ state: inout State) {
        output.write(text)
        if let last = text.last { state.atLineStart = last == "\n" }
    }

    private func endLine(_ state: inout State) {
        if !state.atLineStart { write("\n", &state) }
    }

    private func startTimer(_ state: inout State) {
        guard live, state.timer == nil else { return }
        let timer = DispatchSource.makeTimerSource(queue: timerQueue)
        timer.schedule(deadline: .now() + .milliseconds(100), repeating: .milliseconds(100))
        timer.setEventHandler { [weak self] in self?.tick() }
        state.timer = timer
        timer.resume()
    }

    private func stopTimer(_ state: inout State) {
        state.timer?.cancel()
        state.timer = nil
    }

    private func tick() {
        state.withLock { state in
            guard state.timer != nil, !state.paused else { return }
            erase(&state)
            draw(&state, at: .now)
        }
    }
}
