import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The whole of a call waiting for approval, for a terminal: every argument, nothing cut.
///
/// A prompt that shows only the head of the arguments can hide what is approved (spaces pushing
/// `; rm …` past the cut). Here each argument is one `name = value` entry, the value as JSON (quotes
/// and escapes visible), control characters shown escaped and runs of four or more spaces shown as
/// `⟨N spaces⟩`; entries are wrapped to the terminal's width and paged when they do not fit.
enum ApprovalText {
    /// The lines showing `arguments`, each at most `columns` wide, indented by four spaces.
    static func lines(_ arguments: JSONValue, columns: Int) -> [String] {
        let entries: [String]
        if case .object(let object) = arguments {
            entries = object.isEmpty ? ["(no arguments)"] : object.map { key, value in visible(key) + " = " + visible(value.jsonString) }
        } else {
            entries = [visible(arguments.jsonString)]
        }
        let width = max(10, columns - 5)
        return entries.flatMap { wrapped($0, width: width) }.map { "    " + $0 }
    }

    /// Shows `lines` a screenful (`pageSize` lines) at a time. Between pages `ask` puts a question;
    /// its answer `n` (or no answer) stops the paging and returns `false`: the call is denied.
    static func show(
        _ lines: [String], pageSize: Int, write: ([String]) -> Void, ask: (String) async -> String?
    ) async -> Bool {
        let pageSize = max(3, pageSize)
        var rest = lines[...]
        while rest.count > pageSize {
            write(Array(rest.prefix(pageSize)))
            rest = rest.dropFirst(pageSize)
            let answer = await ask("-- \(rest.count) more line\(rest.count == 1 ? "" : "s") of arguments: Enter shows them, n denies -- ")
            guard let answer, answer.trimmingWhitespace().lowercased() != "n" else { return false }
        }
        write(Array(rest))
        return true
    }

    /// `text` with control characters escaped and long runs of spaces counted.
    static func visible(_ text: String) -> String {
        var result = ""
        var spaces = 0
        func flush() {
            result += spaces >= 4 ? "⟨\(spaces) spaces⟩" : String(repeating: " ", count: spaces)
            spaces = 0
        }
        for character in ControlCharacters.escaped(text) {
            if character == " " { spaces += 1; continue }
            flush()
            result.append(character)
        }
        flush()
        return result
    }

    private static func wrapped(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        var used = 0
        for character in text {
            let next = TerminalText.width(of: character)
            if used + next > width {
                lines.append(line)
                line = ""
                used = 0
            }
            line.append(character)
            used += next
        }
        lines.append(line)
        return lines
    }
}
