import Brigade

/// One line for an event of a child run (a sub-agent, a map worker), indented by its depth under the
/// call that started it; `nil` for events not shown (text deltas, budget updates, queued calls).
/// Control characters are escaped; `mark` paints a finished call's status.
enum ChildRunLines {
    static func line(for child: ChildRunEvent, mark: (ToolCallStatus) -> String) -> String? {
        let indent = String(repeating: "    ", count: child.depth) + "↳ "
        let body: String
        switch child.event.event {
        case .toolCallStarted(let info):
            body = "→ " + ControlCharacters.escaped("\(info.toolName)(\(info.argumentsPreview))")
        case .toolCallFinished(let outcome):
            var text = "\(mark(outcome.status)) \(ControlCharacters.escaped(outcome.call.toolName)) \(outcome.status.rawValue) \(outcome.duration.secondsText)"
            if outcome.status != .ok { text += " — " + ControlCharacters.escaped(String(outcome.outputPreview.prefix(160)), lineBreaks: .spaces) }
            body = text
        case .routeMatched(let info):
            body = "route " + ControlCharacters.escaped(info.route)
        case .fallbackUsed(let reason):
            body = "fallback: " + ControlCharacters.escaped(reason)
        case .modelRetry(let retry):
            body = ControlCharacters.escaped(retry.progressLine)
        case .mapProgress(let event):
            body = mapLine(event)
        case .joinDecided(let event):
            body = joinLine(event)
        case .finished(let result):
            let tokens = result.usage.inputTokens + result.usage.outputTokens
            body = "\(child.parentCallID): \(result.turns) turn\(result.turns == 1 ? "" : "s"), \(result.toolCalls) call\(result.toolCalls == 1 ? "" : "s"), \(tokens) tokens, \(result.wallTime.secondsText) · stop: \(result.stopReason.code)"
        default:
            return nil
        }
        return indent + body
    }

    /// `call_1: join: variant_2 won (judge) — …` (how a join's branches became one).
    static func joinLine(_ event: JoinDecisionEvent) -> String {
        ControlCharacters.escaped(event.callID + ": " + event.line, lineBreaks: .spaces)
    }

    /// `call_1: map 120/500 · 2 failed · $0.0123` (a `map` builtin call's progress).
    static func mapLine(_ event: MapProgressEvent) -> String {
        ControlCharacters.escaped(event.callID) + ": " + event.progress.line
    }
}
