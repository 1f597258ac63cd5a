/// "Did you mean …?" for misspelt keys and enum values.
package enum ConfigSuggestion {
    /// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
    package static func closest(to word: String, among candidates: [String]) -> String? {
        // No name is this long: spare the edit distance of a huge value.
        guard word.utf8.count <= 256 else { return nil }
        let lowered = word.lowercased()
        // An abbreviation (`int` for `integer`) is a likely slip even when the distance is large.
        if lowered.count >= 3, let match = candidates.first(where: { $0.lowercased().hasPrefix(lowered) }) {
            return match
        }
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            if distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        guard let best else { return nil }
        let allowed = max(2, min(word.count, best.candidate.count) / 3)
        return best.distance <= allowed ? best.candidate : nil
    }

    /// "; did you mean `x`?" or "; expected one of `a`, `b`" — appended to a message.
    static func hint(for word: String, among candidates: [String]) -> String {
        if let match = closest(to: word, among: candidates) { return "; did you mean `\(match)`?" }
        if candidates.isEmpty { return "; there are none" }
        return "; expected one of " + candidates.map { "`\($0)`" }.joined(separator: ", ")
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
