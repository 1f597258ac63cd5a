import Testing

@testable import BrigadeCLI

@Suite("Markdown for the terminal")
struct MarkdownRendererTests {
    let style = TextStyle(colors: true)

    func render(_ text: String, pieces: Int = 1) -> String {
        var renderer = MarkdownRenderer(style: style)
        var output = ""
        let characters = Array(text)
        let size = max(1, characters.count / pieces)
        var index = 0
        while index < characters.count {
            output += renderer.feed(String(characters[index..<min(characters.count, index + size)]))
            index += size
        }
        return output + renderer.finish()
    }

    @Test func streamingInPiecesRendersTheSameAsAtOnce() {
        let text = "## Title\nA **b** c\n| x | y |\n|-|-|\n| 1 | 22 |\n```\ncode\n```\n- item"
        let whole = render(text)
        for pieces in [2, 3, 7, text.count] { #expect(render(text, pieces: pieces) == whole) }
    }

    @Test func blocks() {
        #expect(render("## Title\n") == "\u{1B}[1mTitle\u{1B}[0m\n")
        #expect(render("  * nested\n") == "  • nested\n")
        #expect(render("> quoted\n") == "\u{1B}[2m│ \u{1B}[0mquoted\n")
        #expect(render("---\n") == "\u{1B}[2m" + String(repeating: "─", count: 40) + "\u{1B}[0m\n")
        #expect(render("```\n# not a heading\n```\n") == "\u{1B}[2m───\u{1B}[0m\n  \u{1B}[36m# not a heading\u{1B}[0m\n\u{1B}[2m───\u{1B}[0m\n")
    }

    @Test func inline() {
        #expect(MarkdownInline.render("snake_case_name stays", style: style) == "snake_case_name stays")
        #expect(MarkdownInline.render("2 * 3 * 4", style: style) == "2 * 3 * 4")
        #expect(MarkdownInline.render("see [docs](https://x.y)", style: style) == "see \u{1B}[4mdocs\u{1B}[0m (https://x.y)")
        #expect(MarkdownInline.render("__strong__ and `a*b`", style: style) == "\u{1B}[1mstrong\u{1B}[0m and \u{1B}[36ma*b\u{1B}[0m")
    }

    @Test func aTableIsHeldUntilItsLastRowThenAligned() {
        var renderer = MarkdownRenderer(style: TextStyle(colors: false))
        #expect(renderer.feed("| a | bb |\n|---|---|\n| ccc | d |\n") == "")
        #expect(renderer.feed("after\n") == "a   │ bb\n────┼───\nccc │ d \nafter\n")
    }

    @Test func controlCharactersAreRemoved() {
        #expect(render("a\u{1B}[2Jb\u{07}\n") == #"a\e[2Jb\x07"# + "\n")
    }
}
