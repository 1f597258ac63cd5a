/// The words of a request as the router sees them: normalized, stemmed, with filler words marked.
///
/// Matching compares stems, so "files", "running" and "summarized" meet "file", "run" and
/// "summarize". Filler words (articles, pronouns, politeness, generic request verbs like "show" or
/// "tell") and numbers are not *content*: they never count against a route's coverage.
struct RouteText: Sendable {
    struct Word: Sendable, Hashable {
        /// The word as written, lowercased.
        var text: String
        var stem: String
        /// False for filler words and numbers.
        var isContent: Bool
    }

    let words: [Word]

    init(_ prompt: String) {
        words = KeywordRule.normalize(prompt).split(separator: " ").map { raw in
            let text = String(raw)
            let isNumber = text.allSatisfy(\.isNumber)
            return Word(text: text, stem: Self.stem(text), isContent: !isNumber && !Self.fillerWords.contains(text))
        }
    }

    /// The stems of a vocabulary entry ("disk space" → ["disk", "spac"]).
    static func stems(_ phrase: String) -> [String] {
        KeywordRule.normalize(phrase).split(separator: " ").map { stem(String($0)) }
    }

    /// Start indices where `phrase` (stems) occurs as consecutive words.
    func occurrences(of phrase: [String]) -> [Int] {
        guard !phrase.isEmpty, phrase.count <= words.count else { return [] }
        return (0...(words.count - phrase.count)).filter { start in
            phrase.indices.allSatisfy { words[start + $0].stem == phrase[$0] }
        }
    }

    /// The first index where `phrase` (normalized words) occurs word for word, as written (no stemming).
    func firstOccurrence(ofExactly phrase: [String]) -> Int? {
        guard !phrase.isEmpty, phrase.count <= words.count else { return nil }
        return (0...(words.count - phrase.count)).first { start in
            phrase.indices.allSatisfy { words[start + $0].text == phrase[$0] }
        }
    }

    /// A light suffix stemmer (plural, -ing, -ed, final e), the same for prompts and vocabulary.
    static func stem(_ word: String) -> String {
        var w = word
        guard w.count > 3, w.allSatisfy(\.isLetter) else { return w }
        if w.hasSuffix("ies"), w.count > 4 {
            w = String(w.dropLast(3)) + "y"
        } else if w.hasSuffix("sses") || w.hasSuffix("ches") || w.hasSuffix("shes") || w.hasSuffix("xes") {
            w = String(w.dropLast(2))
        } else if w.hasSuffix("s"), !w.hasSuffix("ss"), !w.hasSuffix("us"), !w.hasSuffix("is") {
            w = String(w.dropLast())
        }
        if w.hasSuffix("ing"), w.count > 5 {
            w = undouble(String(w.dropLast(3)))
        } else if w.hasSuffix("ed"), w.count > 4 {
            w = undouble(String(w.dropLast(2)))
        }
        if w.hasSuffix("e"), w.count > 4 { w = String(w.dropLast()) }
        return w
    }

    /// "runn" → "run"; "fill" and "pass" keep their double letter.
    static func undouble(_ word: String) -> String {
        let letters = Array(word)
        guard letters.count > 2, let last = letters.last, letters[letters.count - 2] == last, !"lsz".contains(last) else { return word }
        return String(letters.dropLast())
    }

    /// Words that say nothing about what is asked for.
    static let fillerWords: Set<String> = [
        "a", "an", "the", "this", "that", "these", "those", "there", "here", "it", "its",
        "i", "im", "ive", "id", "ill", "me", "my", "mine", "we", "us", "our", "you", "your", "yours",
        "is", "are", "am", "was", "were", "be", "been", "being", "isnt", "arent",
        "do", "does", "did", "have", "has", "had", "got", "get", "getting",
        "can", "could", "would", "will", "shall", "may", "might", "cant", "wont", "dont", "doesnt",
        "of", "in", "on", "at", "to", "for", "from", "by", "with", "about", "into", "onto", "within", "inside", "across", "per",
        "and", "or", "but", "so", "as", "if", "then", "than", "also", "too", "very", "really", "just", "only", "even",
        "what", "whats", "which", "who", "where", "when", "how", "hows", "wheres",
        "please", "pls", "plz", "kindly", "thanks", "thank", "hey", "hi", "hello", "ok", "okay",
        "show", "give", "tell", "list", "display", "print", "let", "lets", "know", "want", "need", "see", "find", "run", "check", "say",
        "quick", "quickly", "some", "any", "all", "up", "out", "much", "many", "lot", "lots", "bit",
        "right", "now", "currently", "current", "moment", "today", "again", "there", "one", "ones", "thing", "things", "like",
        "anything", "something", "everything", "nothing",
    ]
}
