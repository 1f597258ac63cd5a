import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Renders Markdown for a terminal as it streams: each complete line is styled as soon as its newline
/// arrives (headings, emphasis, lists, quotes, rules, fenced code blocks), and a table is held until its
/// last row so its columns can be aligned. A pure state machine: text in, terminal text out.
///
/// The model's text is untrusted: control characters are removed before any styling is added.
struct MarkdownRenderer {
    let style: TextStyle
    private var partialLine = ""
    private var inCodeBlock = false
    private var tableRows: [String] = []

    init(style: TextStyle) {
        self.style = style
    }

    /// Takes the next piece of the answer; returns what can be printed now.
    mutating func feed(_ text: String) -> String {
        partialLine += ControlCharacters.escaped(text, lineBreaks: .kept)
        var output = ""
        while let newline = partialLine.firstIndex(of: "\n") {
            let line = String(partialLine[..<newline])
            partialLine.removeSubrange(...newline)
            output += render(line: line)
        }
        return output
    }

    /// The end of the answer: prints what is still held (a last line without newline, a table).
    mutating func finish() -> String {
        var output = ""
        if !partialLine.isEmpty {
            output += render(line: partialLine)
            partialLine = ""
        }
        return output + flushTable()
    }

    private mutating func render(line: String) -> String {
        let trimmed = line.drop { $0 == " " }
        if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
            let table = flushTable()
            inCodeBlock.toggle()
            let language = trimmed.dropFirst(3).trimmingWhitespace()
            let rule = style.apply(.dim, inCodeBlock && !language.isEmpty ? "─── \(language)" : "───")
            return table + rule + "\n"
        }
        if inCodeBlock { return "  " + style.apply(.cyan, line) + "\n" }
        if trimmed.hasPrefix("|") {
            tableRows.append(String(trimmed))
            return ""
        }
        let table = flushTable()
        return table + renderBlock(line, trimmed: trimmed) + "\n"
    }

    private func renderBlock(_ line: String, trimmed: Substring) -> String {
        let indent = String(repeating: " ", count: line.count - trimmed.count)
        let hashes = trimmed.prefix { $0 == "#" }
        if (1...6).contains(hashes.count), trimmed.dropFirst(hashes.count).first == " " {
            let title = MarkdownInline.render(String(trimmed.dropFirst(hashes.count + 1)), style: style)
            return style.apply(.bold, hashes.count == 1 ? title.uppercased() : title)
        }
        if trimmed.count >= 3, Set(trimmed.filter { $0 != " " }).count == 1, let mark = trimmed.first, "-*_".contains(mark) {
            return style.apply(.dim, String(repeating: "─", count: 40))
        }
        for bullet in ["- ", "* ", "+ "] where trimmed.hasPrefix(bullet) {
            return indent + "• " + MarkdownInline.render(String(trimmed.dropFirst(2)), style: style)
        }
        if trimmed.hasPrefix(">") {
            let quoted = trimmed.dropFirst().drop { $0 == " " }
            return indent + style.apply(.dim, "│ ") + MarkdownInline.render(String(quoted), style: style)
        }
        return MarkdownInline.render(line, style: style)
    }

    /// The held table with its columns aligned (a `|---|` row becomes a rule).
    private mutating func flushTable() -> String {
        guard !tableRows.isEmpty else { return "" }
        defer { tableRows = [] }
        let rows = tableRows.map(Self.cells)
        let isRule = rows.map { row in !row.isEmpty && row.allSatisfy { cell in !cell.isEmpty && cell.allSatisfy { "-: ".contains($0) } } }
        let rendered = rows.map { $0.map { MarkdownInline.render($0, style: style) } }
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for (index, row) in rendered.enumerated() where !isRule[index] {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], TerminalText.visibleWidth(of: cell)) }
        }
        var output = ""
        for (index, row) in rendered.enumerated() {
            if isRule[index] {
                output += style.apply(.dim, widths.map { String(repeating: "─", count: $0) }.joined(separator: "─┼─")) + "\n"
                continue
            }
            let cells = (0..<columns).map { column -> String in
                let cell = column < row.count ? row[column] : ""
                let padding = String(repeating: " ", count: max(0, widths[column] - TerminalText.visibleWidth(of: cell)))
                return index == 0 ? style.apply(.bold, cell) + padding : cell + padding
            }
            output += cells.joined(separator: style.apply(.dim, " │ ")) + "\n"
        }
        return output
    }

    /// `| a | b |` → ["a", "b"].
    static func cells(_ row: String) -> [String] {
        var body = Substring(row.trimmingWhitespace())
        if body.hasPrefix("|") { body = body.dropFirst() }
        if body.hasSuffix("|") { body = body.dropLast() }
        return body.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
    }
}
