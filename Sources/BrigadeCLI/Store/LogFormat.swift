import Brigade
import ArgumentParser
import Foundation

/// The text forms of `brigade log` and `brigade sessions`: times, money, tokens, `--since`.
enum LogFormat {
    /// `2026-12-06 21:40` in the local time zone.
    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    static func usd(_ value: Double) -> String {
        String(format: value < 0.01 && value > 0 ? "$%.4f" : "$%.2f", value)
    }

    static func tokens(_ usage: TokenUsage) -> String {
        "\(usage.inputTokens + usage.outputTokens) tok"
    }

    /// `--since`: `30m`, `12h`, `7d`, `2w` back from `now`, or a date `2026-12-01` (local midnight) or an
    /// ISO 8601 instant.
    static func since(_ text: String, now: Date = Date()) -> Date? {
        let units: [Character: Double] = ["m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        if let unit = text.last, let seconds = units[unit], let count = Double(text.dropLast()), count >= 0 {
            return now.addingTimeInterval(-count * seconds)
        }
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.dateFormat = "yyyy-MM-dd"
        if let date = day.date(from: text) { return date }
        return ISO8601DateFormatter().date(from: text)
    }

    /// One line of `brigade log`.
    static func line(_ run: StoredRun) -> String {
        let prompt = ControlCharacters.escaped(run.prompt, lineBreaks: .spaces)
        let short = prompt.count > 60 ? prompt.prefix(59) + "…" : Substring(prompt)
        let stop = run.state == .finished ? (run.stopReason ?? "?") : run.state.rawValue
        var calls = "\(run.toolCalls) \(run.toolCalls == 1 ? "call" : "calls")"
        if run.childRuns > 0 { calls += " +\(run.childRuns) child \(run.childRuns == 1 ? "run" : "runs")" }
        var fields = [time(run.startedAt), run.id.rawValue, run.model ?? "-", calls, tokens(run.usage), usd(run.costUSD), stop, "\"\(short)\""]
        if let parent = run.parentRunID { fields.insert("(child of \(parent.rawValue))", at: 2) }
        return fields.joined(separator: "  ")
    }
}

extension ValidationError {
    static func badSince(_ text: String) -> ValidationError {
        ValidationError("--since: `\(text)` is neither a period (30m, 12h, 7d, 2w) nor a date (2026-12-01)")
    }
}
