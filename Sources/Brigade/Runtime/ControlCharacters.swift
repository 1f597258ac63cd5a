/// Untrusted text made safe to print: model output, tool names, tool output and file names can
/// carry escape sequences that retitle a terminal, clear it or move its cursor, a bare carriage
/// return that overwrites a line, or a newline that fakes an extra line of a listing.
package enum ControlCharacters {
    /// `text` with every control character shown escaped: C0 (`\n`, `\r`, `\t`, `\e` for ESC,
    /// `\x07` style for the rest), DEL as `\x7F` and C1 (U+0080–U+009F) as `\u{9B}` style.
    /// With `keepingLineBreaks`, newline and tab stay as they are (for multi-line text).
    package static func escaped(_ text: String, keepingLineBreaks: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0, keepingLineBreaks: keepingLineBreaks) }) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard isControl(scalar, keepingLineBreaks: keepingLineBreaks) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch scalar.value {
            case 0x0A: result += "\\n"
            case 0x0D: result += "\\r"
            case 0x09: result += "\\t"
            case 0x1B: result += "\\e"
            case 0x80...: result += "\\u{" + hex(scalar.value) + "}"
            default: result += "\\x" + hex(scalar.value)
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
