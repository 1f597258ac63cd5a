import Testing
import Brigade
@testable import BrigadeBatch

/// `BatchInputLine.trim` cuts byte-wise when the kept text starts and ends with ASCII; it must cut
/// exactly where the character-wise rule does, also next to combining marks, `\r\n` and prepended
/// characters.
@Suite("Batch input trimming", .timeLimit(.minutes(1)))
struct BatchInputTrimTests {
    static func characterTrim(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(text[first...last])
    }

    static let cores = ["", "{}", #"{"id":1,"prompt":"é"}"#, "x", "é", "a\u{0301}", "\u{0301}a", "\u{0600}x", "x\u{0600}", "🚀", "a b", "\u{200D}x", "x\u{200D}"]
    static let edges = ["", " ", "\t", "\r", "\n", "\r\n", " \r\n\t ", "\u{0301}", " \u{0301}", "\u{00A0}", "\u{2028}", "\u{0600}"]

    @Test func bytesCutWhereCharactersDo() {
        for core in Self.cores {
            for lead in Self.edges {
                for tail in Self.edges {
                    let text = lead + core + tail
                    #expect(BatchInputLine.trim(text) == Self.characterTrim(text), "\(Array(text.unicodeScalars))")
                    #expect(Array(BatchInputLine.trim(text).utf8) == Array(Self.characterTrim(text).utf8))
                    #expect(BatchInputLine.isBlank(text) == Self.characterTrim(text).isEmpty)
                }
            }
        }
    }

    @Test func duplicateIDsAreStillListedWithEveryLine() throws {
        let text = "a\n{\"id\": 1, \"prompt\": \"b\"}\n{\"id\": \"x\", \"prompt\": \"c\"}\n{\"id\": \"x\", \"prompt\": \"d\"}\n{\"id\": \"1\", \"prompt\": \"e\"}\n"
        do {
            _ = try BatchInput(parsing: Array(text.utf8))
            Issue.record("duplicates were accepted")
        } catch {
            #expect(error.code == .duplicateIDs)
            #expect(error.duplicates.map(\.id.key) == ["1", "x"])
            #expect(error.duplicates.map(\.locations) == [["line 1", "line 2", "line 5"], ["line 3", "line 4"]])
        }
        let distinct = try BatchInput(parsing: Array("a\n \r\n{\"id\": 7, \"prompt\": \" \\t\"}\n{\"id\": 8, \"prompt\": \" p \"}\n".utf8))
        #expect(distinct.entries.count == 3)
        if case .malformed(let line) = distinct.entries[1] { #expect(line.reason == "\"prompt\" must be a non-empty string") } else { Issue.record("blank prompt accepted") }
        if case .item(let item) = distinct.entries[2] { #expect(item.prompt == " p ") } else { Issue.record("item refused") }
    }
}
