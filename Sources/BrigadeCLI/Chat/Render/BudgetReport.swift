import Brigade

/// What a run spent against each cap: the line after every answer, and the `/budget` table.
///
/// Caps apply per run (per prompt); the session's totals are shown next to them.
struct BudgetReport: Sendable {
    var limits: Budget.Limits
    /// The last run's final snapshot; `nil` before the first run.
    var snapshot: BudgetSnapshot?
    var style: TextStyle

    /// "tokens 310 in + 102 out · $0.0021 · left $0.0479, 9,690 in, 3,898 out tokens" — what the run
    /// spent and what is left of the caps that are set.
    func footer(for result: RunResult) -> String {
        var parts = [
            "tokens \(Formatting.count(result.usage.inputTokens)) in + \(Formatting.count(result.usage.outputTokens)) out",
            Formatting.usd(result.costUSD),
        ]
        var left: [String] = []
        if let usd = snapshot?.usdLeft ?? limits.usd { left.append(Formatting.usd(max(0, usd))) }
        if let tokens = snapshot?.inputTokensLeft ?? limits.inputTokens { left.append("\(Formatting.count(max(0, tokens))) in") }
        if let tokens = snapshot?.outputTokensLeft ?? limits.outputTokens { left.append("\(Formatting.count(max(0, tokens))) out tokens") }
        parts.append(left.isEmpty ? "no budget cap" : "left " + left.joined(separator: ", "))
        return parts.joined(separator: " · ")
    }

    /// One row per limit: its cap, what the last run spent, and what is left.
    func table(session: SessionTotals) -> [String] {
        let spent = snapshot
        let rows: [(String, String, String, String)] = [
            row("USD", cap: limits.usd.map(Formatting.usd), spent: Formatting.usd(spent?.costUSD ?? 0), left: spent?.usdLeft.map(Formatting.usd) ?? limits.usd.map(Formatting.usd)),
            row("input tokens", cap: limits.inputTokens.map(Formatting.count), spent: Formatting.count(spent?.usage.inputTokens ?? 0), left: spent?.inputTokensLeft.map(Formatting.count) ?? limits.inputTokens.map(Formatting.count)),
            row("output tokens", cap: limits.outputTokens.map(Formatting.count), spent: Formatting.count(spent?.usage.outputTokens ?? 0), left: spent?.outputTokensLeft.map(Formatting.count) ?? limits.outputTokens.map(Formatting.count)),
            row("wall time", cap: limits.wallTime.map(Formatting.seconds), spent: Formatting.seconds(spent?.elapsed ?? .zero), left: spent?.timeLeft.map(Formatting.seconds) ?? limits.wallTime.map(Formatting.seconds)),
            row("turns", cap: limits.maxTurns.map(Formatting.count), spent: Formatting.count(spent?.turns ?? 0), left: spent?.turnsLeft.map(Formatting.count) ?? limits.maxTurns.map(Formatting.count)),
            row("tool calls", cap: limits.maxCallsPerRun.map(Formatting.count), spent: Formatting.count(spent?.toolCalls ?? 0), left: spent?.toolCallsLeft.map(Formatting.count) ?? limits.maxCallsPerRun.map(Formatting.count)),
            row("calls per turn", cap: limits.maxCallsPerTurn.map(Formatting.count), spent: "", left: nil),
        ]
        let header = ("limit", "cap", spent == nil ? "spent" : "spent (last run)", "left")
        let widths = [
            max(header.0.count, rows.map { $0.0.count }.max() ?? 0),
            max(header.1.count, rows.map { $0.1.count }.max() ?? 0),
            max(header.2.count, rows.map { $0.2.count }.max() ?? 0),
        ]
        func format(_ row: (String, String, String, String)) -> String {
            TerminalText.padded(row.0, toWidth: widths[0]) + "  " + TerminalText.padded(row.1, toWidth: widths[1]) + "  "
                + TerminalText.padded(row.2, toWidth: widths[2]) + "  " + row.3
        }
        var lines = [style.apply(.bold, format(header))] + rows.map(format)
        lines.append("Caps apply to each prompt. Session: \(session.description)")
        return lines
    }

    /// `/budget`'s line for config.yaml's `budget.session_*` caps: spent over all prompts, and left.
    static func sessionLine(_ snapshot: BudgetSnapshot) -> String {
        var left: [String] = []
        if let usd = snapshot.usdLeft { left.append(Formatting.usd(usd)) }
        if let tokens = snapshot.inputTokensLeft { left.append("\(Formatting.count(tokens)) in") }
        if let tokens = snapshot.outputTokensLeft { left.append("\(Formatting.count(tokens)) out tokens") }
        let spent = "\(Formatting.usd(snapshot.costUSD)), \(Formatting.count(snapshot.usage.inputTokens)) in, \(Formatting.count(snapshot.usage.outputTokens)) out tokens"
        return "Session budget (all prompts): spent \(spent); left \(left.joined(separator: ", "))"
    }

    private func row(_ name: String, cap: String?, spent: String, left: String?) -> (String, String, String, String) {
        (name, cap ?? "none", spent, cap == nil ? "unlimited" : (left ?? "—"))
    }
}

/// What the whole chat session has spent, across prompts.
struct SessionTotals: Sendable, Hashable, CustomStringConvertible {
    var runs = 0
    var usage = TokenUsage()
    var costUSD = 0.0
    var toolCalls = 0

    mutating func add(_ result: RunResult) {
        runs += 1
        usage = usage + result.usage
        costUSD += result.costUSD
        toolCalls += result.toolCalls
    }

    var description: String {
        "\(runs) \(runs == 1 ? "prompt" : "prompts"), \(Formatting.count(usage.inputTokens)) in + \(Formatting.count(usage.outputTokens)) out tokens, \(Formatting.usd(costUSD)), \(toolCalls) tool \(toolCalls == 1 ? "call" : "calls")"
    }
}
