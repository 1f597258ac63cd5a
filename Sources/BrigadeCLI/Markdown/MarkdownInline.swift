/// Inline Markdown on one line: `**strong**` / `__strong__` bold, `*em*` / `_em_` dim-italic, `` `code` ``
/// in colour, `[text](url)` as "text (url)". Unmatched markers stay as they are.
enum MarkdownInline {
    static func render(_ text: String, style: TextStyle) -> String {
        let characters = Array(text)
        var output = ""
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "`", let end = find("`", in: characters, from: index + 1) {
                output += style.apply(.cyan, String(characters[(index + 1)..<end]))
                index = end + 1
            } else if (character == "*" || character == "_"), index + 1 < characters.count, characters[index + 1] == character,
                      let end = find(String([character, character]), in: characters, from: index + 2), end > index + 2 {
                output += style.apply(.bold, render(String(characters[(index + 2)..<end]), style: style))
                index = end + 2
            } else if (character == "*" || character == "_"), index + 1 < characters.count, characters[index + 1] != " ",
                      isWordStart(characters, index), let end = find(String(character), in: characters, from: index + 1), end > index + 1 {
                output += style.apply(.italic, String(characters[(index + 1)..<end]))
                index = end + 1
            } else if character == "[", let close = find("](", in: characters, from: index + 1), let paren = find(")", in: characters, from: close + 2) {
                let label = String(characters[(index + 1)..<close])
                let url = String(characters[(close + 2)..<paren])
                output += style.apply(.underline, label) + (url == label ? "" : " (\(url))")
                index = paren + 1
            } else {
                output.append(character)
                index += 1
            }
        }
        return output
    }

    /// `_` inside a word (snake_case) is not emphasis.
    private static func isWordStart(_ characters: [Character], _ index: Int) -> Bool {
        index == 0 || !(characters[index - 1].isLetter || characters[index - 1].isNumber)
    }

    private static func find(_ marker: String, in characters: [Character], from start: Int) -> Int? {
        let needle = Array(marker)
        guard start <= characters.count - needle.count else { return nil }
        for index in start...(characters.count - needle.count) where Array(characters[index..<(index + needle.count)]) == needle {
            return index
        }
        return nil
    }
}
