/// The routes of a registry, and matching prompts against them.
public struct RouteSet: Sendable {
    public private(set) var routes: [Route]

    public init(_ routes: [Route] = []) {
        self.routes = routes
    }

    public var isEmpty: Bool { routes.isEmpty }

    public func route(named name: String) -> Route? {
        routes.first { $0.name == name }
    }

    /// The best matching route for `prompt`: a pattern match beats a keyword match, then the higher
    /// `priority`, then declaration order. `nil` when no route matches.
    public func match(_ prompt: String) -> RouteMatch? {
        evaluate(prompt).compactMap(\.match).first
    }

    /// How every route fares against `prompt`, best match first, then the routes that did not match
    /// (with why not) in declaration order. Used by `brigade routes test`.
    public func evaluate(_ prompt: String) -> [RouteEvaluation] {
        let normalized = KeywordRule.normalize(prompt)
        var evaluations: [(order: Int, evaluation: RouteEvaluation)] = []
        for (order, route) in routes.enumerated() {
            evaluations.append((order, Self.evaluate(route, prompt: prompt, normalized: normalized)))
        }
        evaluations.sort { a, b in
            switch (a.evaluation.match, b.evaluation.match) {
            case (let x?, let y?):
                if x.strength != y.strength { return x.strength > y.strength }
                if x.route.priority != y.route.priority { return x.route.priority > y.route.priority }
                return a.order < b.order
            case (.some, .none): return true
            case (.none, .some): return false
            case (.none, .none): return a.order < b.order
            }
        }
        return evaluations.map(\.evaluation)
    }

    static func evaluate(_ route: Route, prompt: String, normalized: String) -> RouteEvaluation {
        var reasons: [String] = []
        for pattern in route.patterns {
            if let captures = pattern.captures(in: prompt) {
                let shown = captures.isEmpty ? "" : " with " + captures.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ", ")
                reasons.append("pattern /\(pattern.source)/ matched\(shown)")
                return RouteEvaluation(route: route, match: RouteMatch(route: route, captures: captures, strength: .pattern, reason: reasons.joined(separator: "; ")), reasons: reasons)
            }
        }
        if !route.patterns.isEmpty {
            reasons.append(route.patterns.count == 1 ? "pattern did not match" : "none of \(route.patterns.count) patterns matched")
        }
        guard !route.keywords.isEmpty else {
            return RouteEvaluation(route: route, match: nil, reasons: reasons)
        }
        var hits: [String] = []
        var misses: [String] = []
        for keyword in route.keywords {
            if let hit = keyword.firstHit(in: normalized) { hits.append(hit) } else { misses.append(keyword.description) }
        }
        if misses.isEmpty {
            reasons.append("keywords matched: " + hits.joined(separator: ", "))
            return RouteEvaluation(route: route, match: RouteMatch(route: route, captures: [:], strength: .keywords, reason: reasons.joined(separator: "; ")), reasons: reasons)
        }
        reasons.append("missing keyword" + (misses.count == 1 ? " " : "s ") + misses.map { "'\($0)'" }.joined(separator: ", ")
            + (hits.isEmpty ? "" : " (found: \(hits.joined(separator: ", ")))"))
        return RouteEvaluation(route: route, match: nil, reasons: reasons)
    }
}

/// A route that matched a prompt.
public struct RouteMatch: Sendable {
    public enum Strength: Int, Sendable, Comparable {
        case keywords = 1
        case pattern = 2
        public static func < (a: Strength, b: Strength) -> Bool { a.rawValue < b.rawValue }
    }

    public var route: Route
    /// Named groups of the pattern that matched.
    public var captures: [String: String]
    public var strength: Strength
    /// Why it matched, in words.
    public var reason: String
}

/// One route's verdict on a prompt.
public struct RouteEvaluation: Sendable {
    public var route: Route
    public var match: RouteMatch?
    public var reasons: [String]
}
