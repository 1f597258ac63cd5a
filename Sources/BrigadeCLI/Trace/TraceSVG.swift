import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `brigade trace --svg`: the timeline as one SVG — a row per span (rows as in the terminal,
/// aggregated past ``maxRows``), bars on a shared axis, the critical path, failures and retries in
/// their colours, and a `<title>` per row (its details, shown as a tooltip by viewers). Everything
/// that came from a model or a tool is escaped.
struct TraceSVG {
    let trace: RunTrace
    var width = 1200
    var maxRows = 2000

    static let rowHeight = 22
    static let labelWidth = 340
    static let top = 58

    /// Fill colours: a bar's colour says what it is (tests look for these pixels).
    enum Colour {
        static let ok = "#4c6ef5"
        static let critical = "#c2255c"
        static let failed = "#e03131"
        static let retry = "#f08c00"
        static let live = "#15aabf"
        static let queued = "#ced4da"
    }

    var rows: TraceRows.Rows { TraceRows.rows(of: trace, limit: maxRows) }

    /// The document, with an XML declaration (for `--svg`).
    var document: String { #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n" + element(rows) }

    /// The `<svg>` element (inlined in the HTML page, which lays the rows out again when folding).
    func element(_ rows: TraceRows.Rows) -> String {
        let total = max(trace.wallSeconds, 0.000_001)
        let barWidth = Double(width - Self.labelWidth - 110)
        let height = Self.top + rows.shown.count * Self.rowHeight + 40
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" id="timeline" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
            font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12" data-total="\(total)" data-bar-width="\(barWidth)">
            <rect x="0" y="0" width="\(width)" height="\(height)" fill="#ffffff"/>
            <text x="8" y="20" font-size="14" font-weight="bold">\(Markup.escape(TraceSummary.headline(trace)))</text>
            <text x="8" y="38" fill="#495057">\(Markup.escape(TraceSummary.speedUp(trace)))</text>

            """
        out += axis(total: total, barWidth: barWidth, height: height)
        for (index, row) in rows.shown.enumerated() {
            out += self.row(row, y: Self.top + index * Self.rowHeight, total: total, barWidth: barWidth)
        }
        if rows.hidden > 0 {
            out += "<text class=\"foot\" data-below=\"24\" x=\"8\" y=\"\(height - 24)\" fill=\"#495057\">… \(rows.hidden) more rows (see --json)</text>\n"
        }
        out += "<text class=\"foot\" data-below=\"8\" x=\"8\" y=\"\(height - 8)\" fill=\"#495057\"><tspan fill=\"\(Colour.critical)\">■</tspan> critical path (what the run waited for) · red: failed · amber: retried · cyan: still running · grey: queued</text>\n"
        return out + "</svg>\n"
    }

    private func axis(total: Double, barWidth: Double, height: Int) -> String {
        var out = "<g id=\"axis\" stroke=\"#dee2e6\">\n"
        for tick in 0...4 {
            let x = Double(Self.labelWidth) + barWidth * Double(tick) / 4
            out += "<line x1=\"\(Self.format(x))\" y1=\"\(Self.top - 6)\" x2=\"\(Self.format(x))\" y2=\"\(height - 34)\"/>"
            out += "<text x=\"\(Self.format(x + 2))\" y=\"\(Self.top - 8)\" stroke=\"none\" fill=\"#868e96\">\(TraceTimeline.seconds(total * Double(tick) / 4))</text>\n"
        }
        return out + "</g>\n"
    }

    private func row(_ row: TraceRows.Row, y: Int, total: Double, barWidth: Double) -> String {
        let span = trace.spans[row.span]
        func x(_ seconds: Double) -> Double { Double(Self.labelWidth) + seconds / total * barWidth }
        let fill = row.failed ? Colour.failed : row.retry ? Colour.retry : row.live ? Colour.live : row.critical ? Colour.critical : Colour.ok
        var out = "<g class=\"row\" data-row=\"\(row.span)\" data-kind=\"\(span.kind.rawValue)\" data-depth=\"\(row.depth)\" transform=\"translate(0,\(y))\">"
        out += "<title>\(Markup.escape(TraceSummary.tooltip(span, row: row, trace: trace)))</title>"
        let label = Self.fit(row.label, characters: 50 - 2 * min(row.depth, 10))
        out += "<text class=\"label\" x=\"\(8 + 12 * min(row.depth, 10))\" y=\"15\"\(row.critical ? " font-weight=\"bold\"" : "")>\(Markup.escape(label))</text>"
        let start = x(row.start)
        if row.instant {
            out += "<path class=\"bar\" d=\"M\(Self.format(start)) 3 l8 8 l-8 8 l-8 -8 z\" fill=\"\(Colour.retry)\" data-s=\"\(row.start)\" data-e=\"\(row.end)\"/>"
        } else {
            let end = max(x(row.end), start + 1)
            if let runStart = row.runStart, runStart > row.start {
                out += "<rect class=\"queue\" x=\"\(Self.format(start))\" y=\"4\" width=\"\(Self.format(x(runStart) - start))\" height=\"14\" fill=\"\(Colour.queued)\" data-s=\"\(row.start)\" data-e=\"\(runStart)\"/>"
            }
            let barStart = row.runStart.map { max(start, x($0)) } ?? start
            out += "<rect class=\"bar\" x=\"\(Self.format(barStart))\" y=\"4\" width=\"\(Self.format(max(1, end - barStart)))\" height=\"14\" rx=\"2\" fill=\"\(fill)\""
            out += " data-s=\"\(row.runStart ?? row.start)\" data-e=\"\(row.end)\"/>"
        }
        out += "<text class=\"note\" x=\"\(width - 104)\" y=\"15\" fill=\"#495057\">\(Markup.escape(row.note))</text>"
        return out + "</g>\n"
    }

    static func fit(_ text: String, characters: Int) -> String {
        text.count <= characters ? text : String(text.prefix(max(1, characters - 1))) + "…"
    }

    static func format(_ value: Double) -> String { String(printf: "%.1f", value) }
}

/// Text safe inside XML/HTML text and attribute values; control characters (not allowed in XML)
/// shown escaped.
enum Markup {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in ControlCharacters.escaped(text) {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
