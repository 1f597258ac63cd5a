import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `brigade trace` in the terminal: one row per span on a shared time axis, bars of block
/// characters, the critical path marked `●`, failures `✗` and retries `↻` (red and yellow with
/// colour); a trace with more rows than ``maxRows`` shows sibling calls of one tool as one row.
struct TraceTimeline {
    let trace: RunTrace
    /// The terminal's width in columns (at least 40 are used).
    let width: Int
    let colour: Bool
    var maxRows = 200

    var lines: [String] {
        let rows = TraceRows.rows(of: trace, limit: maxRows)
        let total = max(trace.wallSeconds, 0.000_001)
        let width = max(40, width)
        let labelWidth = min(44, max(14, width * 3 / 10))
        let noteWidth = 15
        let barWidth = max(10, width - labelWidth - noteWidth - 4)
        var lines = summary.map { Self.fit(ControlCharacters.escaped($0), width).trimmingTrailingSpaces }
        lines.append(String(repeating: " ", count: labelWidth + 2) + axis(total: total, width: barWidth))
        for row in rows.shown {
            let marker = (row.critical ? "●" : " ") + (row.failed ? "✗" : row.retry ? "↻" : " ")
            let label = Self.fit(String(repeating: " ", count: min(row.depth, 8)) + row.label, labelWidth - 1)
            let bar = TraceBar.draw(row, total: total, width: barWidth)
            let line = paint(marker, row) + label + " " + paint(bar, row) + " " + Self.fit(row.note, noteWidth)
            lines.append(line.trimmingTrailingSpaces)
        }
        if rows.hidden > 0 { lines.append("  … \(rows.hidden) more rows (see --json or --html)") }
        var legend = "● critical path  ✗ failed  ↻ retried  ░ queued"
        if rows.aggregated { legend += "  ×N: calls of one tool" }
        lines.append(Self.fit(legend, width).trimmingTrailingSpaces)
        return lines
    }

    /// The run, its wall time and whether it is live; then what ran and the speed-up.
    private var summary: [String] { [TraceSummary.headline(trace), TraceSummary.speedUp(trace)] }

    private func axis(total: Double, width: Int) -> String {
        let start = "0s"
        let end = Self.seconds(total)
        let middle = Self.seconds(total / 2)
        var cells = Array(repeating: Character(" "), count: width)
        func put(_ text: String, at position: Int) {
            for (offset, character) in text.enumerated() where position + offset >= 0 && position + offset < width {
                cells[position + offset] = character
            }
        }
        put("|" + start, at: 0)
        put(middle, at: width / 2 - middle.count / 2)
        put(end + "|", at: width - end.count - 1)
        return String(cells)
    }

    private func paint(_ text: String, _ row: TraceRows.Row) -> String {
        guard colour else { return text }
        let code = row.failed ? "31" : row.retry ? "33" : row.live ? "36" : row.critical ? "35" : row.instant ? "33" : "32"
        return "\u{1B}[\(code)m" + text + "\u{1B}[0m"
    }

    /// `text` cut or padded to exactly `width` columns (ANSI-free text only).
    static func fit(_ text: String, _ width: Int) -> String {
        let characters = Array(text)
        if characters.count <= width { return text + String(repeating: " ", count: width - characters.count) }
        return String(characters.prefix(max(0, width - 1))) + "…"
    }

    static func seconds(_ value: Double) -> String {
        if value < 1 { return "\(Int((value * 1000).rounded()))ms" }
        if value < 100 { return String(printf: "%.2fs", value) }
        return String(printf: "%.0fs", value)
    }
}

/// The bar of one row: spaces up to its start, `░` while a call waited in the queue, then blocks
/// to its end, eighths of a cell precise; an instant is a `◆`.
enum TraceBar {
    static let eighths: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]

    static func draw(_ row: TraceRows.Row, total: Double, width: Int) -> String {
        var cells = Array(repeating: Character(" "), count: width)
        func cell(_ seconds: Double) -> Int { min(width - 1, max(0, Int((seconds / total * Double(width)).rounded(.down)))) }
        let first = cell(row.start)
        if row.instant {
            cells[first] = "◆"
            return String(cells)
        }
        let stop = max(Double(first) * 8 + 1, (row.end / total * Double(width) * 8).rounded(.up))
        let running = row.runStart.map(cell) ?? first
        var position = first
        while position < width, Double(position * 8) < stop {
            let filled = min(8, Int(stop) - position * 8)
            cells[position] = position < running && filled == 8 ? "░" : eighths[max(1, filled) - 1]
            position += 1
        }
        return String(cells)
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

extension Terminal {
    /// The width to draw for: `COLUMNS` when set, else standard output's terminal, else 100.
    static func width(environment: [String: String]) -> Int {
        if let columns = environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        return TerminalInfo.windowSize(of: STDOUT_FILENO)?.columns ?? 100
    }

    /// Colour on a terminal, without `NO_COLOR` and `TERM=dumb`.
    static func usesColour(environment: [String: String]) -> Bool {
        TerminalInfo.detect(environment: environment).colors
    }
}
