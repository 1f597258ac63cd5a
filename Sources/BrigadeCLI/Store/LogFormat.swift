import Brigade
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The text forms of `brigade log` and `brigade sessions`: times, money, tokens, `--since`.
enum LogFormat {
    /// `2026-12-06 21:40` in the local time zone.
    static func time(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var fields = tm()
        localtime_r(&seconds, &fields)
        return String(printf: "%04d-%02d-%02d %02d:%02d", fields.tm_year + 1900, fields.tm_mon + 1, fields.tm_mday, fields.tm_hour, fields.tm_min)
    }

    static func usd(_ value: Double) -> String {
        String(printf: value < 0.01 && value > 0 ? "$%.4f" : "$%.2f", value)
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
        if let date = localMidnight(text) { return date }
        return try? Date(text, strategy: .iso8601)
    }

    /// `2026-12-01` as local midnight, or nil.
    private static func localMidnight(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let year = Int32(parts[0]), let month = Int32(parts[1]), let day = Int32(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var fields = tm()
        fields.tm_year = year - 1900
        fields.tm_mon = month - 1
        fields.tm_mday = day
        fields.tm_isdst = -1
        let seconds = mktime(&fields)
        guard seconds != -1, fields.tm_mday == day else { return nil }  // mktime moves Feb 30 to March
        return Date(timeIntervalSince1970: TimeInterval(seconds))
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
