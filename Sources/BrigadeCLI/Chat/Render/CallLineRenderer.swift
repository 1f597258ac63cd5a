import Brigade

/// Draws the live block of a ``CallBoard``: one line per call — spinner, tool name, short arguments,
/// elapsed time — turning into ✓ / ✗ with the outcome and duration. Pure: state, time and width in,
/// lines out, each at most `width - 1` columns (the last column is left free so no line ever wraps).
struct CallLineRenderer: Sendable {
    var style: TextStyle
    /// Terminal columns.
    var width: Int
    /// The live block never has more lines than this (the terminal's height minus a little), so that
    /// moving the cursor back up over it always works.
    var maxLines: Int = 20

    static let spinnerFrames: [Character] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
    static let frameInterval: Duration = .milliseconds(100)

    /// The live block at `now`: every call when they fit in ``maxLines``; otherwise finished calls are
    /// folded into one tally line and the rest cut with a "… N more" line.
    func liveLines(for board: CallBoard, at now: ContinuousClock.Instant) -> [String] {
        let entries = board.entries
        let limit = max(2, maxLines)
        if entries.count <= limit { return entries.map { line(for: $0, at: now) } }
        let done = entries.filter { $0.finished != nil }
        let open = entries.filter { $0.finished == nil }
        var lines = [tally(of: done)]
        let room = limit - 2
        lines += open.prefix(room).map { line(for: $0, at: now) }
        if open.count > room {
            lines.append(fit(style.apply(.dim, "… \(open.count - room) more"), plain: "… \(open.count - room) more"))
        }
        return lines
    }

    /// The block once every call has finished: all calls, then the summary line.
    func finalLines(for board: CallBoard) -> [String] {
        let lines = board.entries.map { line(for: $0, at: $0.finished?.at ?? $0.queuedAt) }
        let summary = board.summary.description
        return lines + [fit(style.apply(.dim, summary), plain: summary)]
    }

    /// One call's line.
    func line(for entry: CallBoard.Entry, at now: ContinuousClock.Instant) -> String {
        let (symbol, tone, right) = status(of: entry, at: now)
        let available = max(1, width - 1)
        let rightWidth = TerminalText.width(of: right)
        // "S name args  right": symbol and space, then name and arguments share what the right part leaves.
        let middle = available - 2 - rightWidth - 2
        guard middle >= 4 else {
            return TerminalText.truncated("\(symbol) \(entry.toolName) \(right)", toWidth: available)
        }
        let name = TerminalText.truncated(entry.toolName, toWidth: middle)
        let argumentsRoom = middle - TerminalText.width(of: name) - 1
        let arguments = argumentsRoom >= 2 && !entry.arguments.isEmpty
            ? TerminalText.truncated(entry.arguments, toWidth: argumentsRoom) : ""
        let used = TerminalText.width(of: name) + (arguments.isEmpty ? 0 : 1 + TerminalText.width(of: arguments))
        let gap = String(repeating: " ", count: max(2, middle - used + 2))
        var text = style.apply(tone, String(symbol)) + " " + style.apply(.bold, name)
        if !arguments.isEmpty { text += " " + style.apply(.dim, arguments) }
        return text + gap + style.apply(tone == .red ? .red : .dim, right)
    }

    private func status(of entry: CallBoard.Entry, at now: ContinuousClock.Instant) -> (Character, TextStyle.Tone, String) {
        if let finished = entry.finished {
            let duration = Formatting.seconds(finished.duration)
            return switch finished.status {
            case .ok: ("✓", .green, duration)
            case .error: ("✗", .red, "failed \(duration)")
            case .timeout: ("✗", .red, "timeout \(duration)")
            case .cancelled: ("✗", .yellow, "cancelled \(duration)")
            case .denied: ("✗", .yellow, "denied")
            case .awaitingApproval: ("…", .yellow, "awaits approval")
            case .notRun: ("–", .yellow, "not run")
            }
        }
        guard let started = entry.startedAt else { return ("·", .dim, "waiting") }
        let elapsed = now - started
        let frame = Int(max(0, elapsed / Self.frameInterval)) % Self.spinnerFrames.count
        return (Self.spinnerFrames[frame], .cyan, Formatting.seconds(elapsed))
    }

    private func tally(of done: [CallBoard.Entry]) -> String {
        let ok = done.filter { $0.finished?.status == .ok }.count
        var plain = "✓ \(ok) done"
        if done.count > ok { plain += ", ✗ \(done.count - ok) not ok" }
        return fit(style.apply(.dim, plain), plain: plain)
    }

    /// `styled` when `plain` fits the width, else `plain` truncated (unstyled).
    private func fit(_ styled: String, plain: String) -> String {
        let available = max(1, width - 1)
        return TerminalText.width(of: plain) <= available ? styled : TerminalText.truncated(plain, toWidth: available)
    }
}
