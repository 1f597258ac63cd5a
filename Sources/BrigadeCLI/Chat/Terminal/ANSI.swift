/// The few ANSI escape sequences the REPL uses, and a style that turns colour off for `NO_COLOR`.
enum ANSI {
    /// Carriage return, then erase from the cursor to the end of the screen.
    static let clearToEndOfScreen = "\r\u{1B}[J"

    static func cursorUp(_ lines: Int) -> String { lines > 0 ? "\u{1B}[\(lines)A" : "" }
}

/// How text is decorated: colours and bold when allowed, nothing otherwise.
struct TextStyle: Sendable, Hashable {
    /// Colour and bold sequences are emitted.
    var colors: Bool

    static let plain = TextStyle(colors: false)

    enum Tone: String, Sendable {
        case dim = "2"
        case bold = "1"
        case italic = "3"
        case underline = "4"
        case green = "32"
        case red = "31"
        case yellow = "33"
        case cyan = "36"
    }

    /// `text` wrapped in the tone's SGR sequence (or unchanged when colours are off).
    func apply(_ tone: Tone, _ text: String) -> String {
        guard colors, !text.isEmpty else { return text }
        return "\u{1B}[\(tone.rawValue)m\(text)\u{1B}[0m"
    }
}
