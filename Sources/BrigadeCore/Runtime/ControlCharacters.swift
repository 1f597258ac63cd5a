/// Untrusted text made safe to print: model output, tool names, tool output and file names can
/// carry escape sequences that retitle a terminal, clear it or move its cursor, a bare carriage
/// return that overwrites a line, or a newline that fakes an extra line of a listing.
///
/// The one sanitizer for everything Brigade prints to a human: the CLI's answers, progress lines,
/// approval prompts and chat, and `list_dir`'s names.
package enum ControlCharacters {
    /// What happens to newline and tab (and a carriage return right before a newline).
    package enum LineBreaks: Sendable {
        /// Shown escaped like every other control character (`\n`, `\t`): one line, every byte visible.
        case escaped
        /// Kept as they are, for multi-line text; `\r\n` becomes `\n`.
        case kept
        /// Each becomes one space, for one-line displays of multi-line text.
        case spaces
    }

    /// `text` with every control character shown escaped: C0 (`\n`, `\r`, `\t`, `\e` for ESC,
    /// `\x07` style for the rest), DEL as `\x7F` and C1 (U+0080–U+009F) as `\u{9B}` style.
    package static func escaped(_ text: String, lineBreaks: LineBreaks = .escaped) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0, keepingLineBreaks: false) }) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        var scalars = text.unicodeScalars.makeIterator()
        var next = scalars.next()
        while let scalar = next {
            next = scalars.next()
            switch (scalar.value, lineBreaks) {
            case (0x0A, .kept), (0x09, .kept): result.unicodeScalars.append(scalar)
            case (0x0A, .spaces), (0x09, .spaces): result += " "
            case (0x0D, .kept) where next == "\n", (0x0D, .spaces) where next == "\n": continue
            case (0x0A, _): result += "\\n"
            case (0x0D, _): result += "\\r"
            case (0x09, _): result += "\\t"
            case (0x1B, _): result += "\\e"
            case (0x00...0x1F, _), (0x7F, _): result += "\\x" + hex(scalar.value)
            case (0x80...0x9F, _): result += "\\u{" + hex(scalar.value) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Whether `scalar` is a C0 control, DEL or a C1 control (newline and tab allowed on request).
    package static func isControl(_ scalar: Unicode.Scalar, keepingLineBreaks: Bool = false) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: !keepingLineBreaks
        case 0x00...0x1F, 0x7F...0x9F: true
        default: false
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return digits.count < 2 ? "0" + digits : digits
    }
}
