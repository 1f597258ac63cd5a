/// Text measured and cut for the terminal.
///
/// Model output, tool arguments and tool results are untrusted: written raw, an escape sequence in them
/// could move the cursor, retitle the window or worse. Everything the CLI prints from them goes through
/// `ControlCharacters.escaped(_:lineBreaks:)` (module Brigade) first, which shows control characters escaped.
enum TerminalText {
    /// The number of terminal columns `text` takes (East Asian wide characters and emoji count two,
    /// combining marks zero). Assumes `text` holds no control characters.
    static func width(of text: String) -> Int {
        text.reduce(0) { $0 + width(of: $1) }
    }

    static func width(of character: Character) -> Int {
        guard let first = character.unicodeScalars.first else { return 0 }
        if character.unicodeScalars.contains(where: { $0.value == 0xFE0F }) { return 2 }  // emoji presentation
        return isWide(first.value) ? 2 : 1
    }

    /// `text` cut to at most `columns` columns, ending in `…` when something was cut.
    static func truncated(_ text: String, toWidth columns: Int) -> String {
        guard columns > 0 else { return "" }
        if width(of: text) <= columns { return text }
        var result = ""
        var used = 0
        for character in text {
            let next = width(of: character)
            if used + next > columns - 1 { break }
            result.append(character)
            used += next
        }
        return result + "…"
    }

    /// `text` padded with spaces on the right to `columns` columns (unchanged when already wider).
    static func padded(_ text: String, toWidth columns: Int) -> String {
        let missing = columns - width(of: text)
        return missing > 0 ? text + String(repeating: " ", count: missing) : text
    }

    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            true
        default:
            false
        }
    }
}

extension TerminalText {
    /// The columns `text` takes on screen, not counting SGR escape sequences (`ESC [ … m`).
    static func visibleWidth(of text: String) -> Int {
        var width = 0
        var inEscape = false
        for character in text {
            if inEscape {
                if character.isLetter { inEscape = false }
                continue
            }
            if character == "\u{1B}" {
                inEscape = true
                continue
            }
            width += self.width(of: character)
        }
        return width
    }

    /// The rows `lines` take on a terminal `columns` wide that wraps (or re-wraps after a resize) long lines.
    static func rows(of lineWidths: [Int], columns: Int) -> Int {
        let columns = max(1, columns)
        return lineWidths.reduce(0) { $0 + max(1, ($1 + columns - 1) / columns) }
    }
}
