import Brigade

/// The answer on its way to stdout: rendered as Markdown (a terminal with colour, not `--raw`), with its
/// control characters shown escaped (any other terminal), or exactly as the model wrote it (not a terminal).
struct AnswerText {
    enum Form {
        case exact
        case sanitized
        case markdown(MarkdownRenderer)
    }

    var form: Form

    /// The form for standard output: Markdown on a colour terminal unless `raw`; sanitized on any
    /// terminal; exact otherwise.
    static func forStandardOutput(raw: Bool) -> AnswerText {
        guard Terminal.standardOutput.isTTY else { return AnswerText(form: .exact) }
        if raw || !Terminal.colorEnabled(for: Terminal.standardOutput) { return AnswerText(form: .sanitized) }
        return AnswerText(form: .markdown(MarkdownRenderer(style: TextStyle(colors: true))))
    }

    /// What to print now for the next piece of the answer.
    mutating func feed(_ text: String) -> String {
        switch form {
        case .exact: return text
        case .sanitized: return ControlCharacters.escaped(text, lineBreaks: .kept)
        case .markdown(var renderer):
            let output = renderer.feed(text)
            form = .markdown(renderer)
            return output
        }
    }

    /// What is still held (Markdown renders whole lines): at the end of a turn or of the answer.
    mutating func finish() -> String {
        guard case .markdown(var renderer) = form else { return "" }
        let output = renderer.finish()
        form = .markdown(renderer)
        return output
    }
}
