/// How well one route fits one request — a pure function of the route and the request's words.
///
/// - **coverage**: the share of the request's content words (`RouteText`) that the route's
///   keywords, vocabulary or matching pattern account for. "summarize how error handling works in
///   this project" has five content words; `repo_brief` covers two of them (0.40).
/// - **intent**: the share of the route's `keywords` entries present; 1 when a pattern matched.
/// - **score** = coverage × intent, compared with the mode's threshold (``RouteThresholds``).
///
/// In every mode a `negative` word keeps the route from taking the request. A precise (hybrid)
/// match also needs every keyword entry (or a pattern); a loose (static) match needs one.
public struct RouteScore: Sendable {
    public var coverage: Double
    public var intent: Double
    public var score: Double { coverage * intent }
    /// Content words the route accounts for, and those it does not, as written in the request.
    public var covered: [String]
    public var missed: [String]
    public var keywordHits: [String]
    /// Keyword entries not present (`a|b|c`).
    public var keywordMisses: [String]
    /// The pattern that matched, with its named captures.
    public var pattern: RoutePattern?
    public var captures: [String: String]
    public var negativeHits: [String]

    init(route: Route, prompt: String, text: RouteText) {
        var isCovered = Array(repeating: false, count: text.words.count)
        func cover(_ start: Int, _ count: Int) { for index in start..<(start + count) { isCovered[index] = true } }

        pattern = nil
        captures = [:]
        for candidate in route.patterns {
            guard let match = candidate.firstMatch(in: prompt) else { continue }
            pattern = candidate
            captures = match.captures
            let stems = RouteText.stems(match.text)
            for start in text.occurrences(of: stems) { cover(start, stems.count) }
            break
        }
        keywordHits = []
        keywordMisses = []
        for rule in route.keywords {
            if let hit = rule.firstHit(in: text) {
                keywordHits.append(hit.alternative)
                for stems in rule.alternativeStems { Self.coverAll(stems, in: text, cover) }
            } else {
                keywordMisses.append(rule.description)
            }
        }
        for stems in route.vocabularyStems { Self.coverAll(stems, in: text, cover) }
        // Negative words compare as written (no stemming): "news" must not count as "new".
        negativeHits = zip(route.negative, route.negativeWords)
            .compactMap { entry, words in text.firstOccurrence(ofExactly: words).map { (entry, $0) } }
            .sorted { $0.1 < $1.1 }
            .map(\.0)

        covered = []
        missed = []
        // A filler word the route names itself ("about", "hello") counts as covered content.
        for (index, word) in text.words.enumerated() where word.isContent || (isCovered[index] && !word.text.allSatisfy(\.isNumber)) {
            if isCovered[index] { covered.append(word.text) } else { missed.append(word.text) }
        }
        let content = covered.count + missed.count
        coverage = content == 0 ? 0 : Double(covered.count) / Double(content)
        if pattern != nil || route.keywords.isEmpty {
            intent = pattern != nil ? 1 : 0
        } else {
            intent = Double(keywordHits.count) / Double(route.keywords.count)
        }
    }

    static func coverAll(_ stems: [String], in text: RouteText, _ cover: (Int, Int) -> Void) {
        for start in text.occurrences(of: stems) { cover(start, stems.count) }
    }

    /// Whether the route takes the request in `mode`, and if not, why not.
    public func verdict(for mode: RoutingMode, thresholds: RouteThresholds) -> (accepted: Bool, reason: String) {
        let threshold = thresholds.threshold(for: mode)
        let shownScore = "score \(Self.format(score)) \(score >= threshold ? "≥" : "<") \(Self.format(threshold))"
        if pattern == nil && keywordHits.isEmpty { return (false, "no keyword or pattern present") }
        if mode != .static && pattern == nil && !keywordMisses.isEmpty {
            return (false, "missing keyword" + (keywordMisses.count == 1 ? " " : "s ") + keywordMisses.map { "'\($0)'" }.joined(separator: ", ")
                + " (found: \(keywordHits.joined(separator: ", ")))")
        }
        if !negativeHits.isEmpty { return (false, "negative word" + (negativeHits.count == 1 ? " " : "s ") + negativeHits.map { "'\($0)'" }.joined(separator: ", ")) }
        return (score >= threshold, shownScore)
    }

    /// Two decimals: "0.75".
    public static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }
}
