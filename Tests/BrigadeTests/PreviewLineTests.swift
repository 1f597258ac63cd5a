import Testing
@testable import BrigadeCore

/// `Preview.line`, the one-line preview of a call's arguments and output in events: ASCII text
/// takes a byte path, everything else the character path; both must flatten and cut alike.
@Suite("Preview line", .timeLimit(.minutes(1)))
struct PreviewLineTests {
    @Test(arguments: [
        ("{}", 200, "{}"),
        ("a\tb\nc\u{0B}d\u{0C}e", 200, "a b c d e"),
        ("a\r\nb\rc", 200, "a b c"),
        ("abcdef", 3, "abc…"),
        ("abc", 3, "abc"),
        ("a\nbcd", 3, "a b…"),
        ("abc", 0, "…"),
        ("", 0, ""),
        ("abc", -1, "abc"),
        ("é\nü👋🏽x", 3, "é ü…"),
        ("ab👋🏽", 3, "ab👋🏽"),
        ("\u{85}x", 200, " x"),
    ])
    func flattensAndCutsByCharacters(text: String, limit: Int, expected: String) {
        #expect(Preview.line(text, limit: limit) == expected)
    }

    @Test func aLongASCIITextIsCutAtTheLimit() {
        let text = String(repeating: "x\t", count: 150)
        let line = Preview.line(text)
        #expect(line == String(repeating: "x ", count: 100) + "…")
    }
}
