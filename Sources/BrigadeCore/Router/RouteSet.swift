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

    /// The route that takes `prompt` in `mode`, or `nil`. `hybrid` (and `model`) match precisely —
    /// a model answers what no route takes; `static` matches loosely — there is nothing else. See
    /// ``RouteScore`` for the rules.
    public func match(_ prompt: String, mode: RoutingMode = .hybrid) -> RouteMatch? {
        // The first of `evaluate`'s order, without sorting them all.
        ranked(prompt, mode: mode).min(by: Self.ranksBefore)?.evaluation.match
    }

    /// How every route fares against `prompt` in `mode`: the routes that take it first (higher
    /// score, then a pattern match, then the higher `priority`, then declaration order), then the
    /// others by score. Used by `brigade routes test`.
    public func evaluate(_ prompt: String, mode: RoutingMode = .hybrid) -> [RouteEvaluation] {
        ranked(prompt, mode: mode).sorted(by: Self.ranksBefore).map(\.evaluation)
    }

    private func ranked(_ prompt: String, mode: RoutingMode) -> [(order: Int, evaluation: RouteEvaluation)] {
        let text = RouteText(prompt)
        return routes.enumerated().map { order, route in
            (order: order, evaluation: RouteEvaluation(route: route, score: RouteScore(route: route, prompt: prompt, text: text), mode: mode))
        }
    }

    /// `evaluate`'s order: a total order (declaration order breaks every tie).
    private static func ranksBefore(_ a: (order: Int, evaluation: RouteEvaluation), _ b: (order: Int, evaluation: RouteEvaluation)) -> Bool {
        let x = a.evaluation, y = b.evaluation
        if (x.match != nil) != (y.match != nil) { return x.match != nil }
        if x.score.score != y.score.score { return x.score.score > y.score.score }
        if (x.score.pattern != nil) != (y.score.pattern != nil) { return x.score.pattern != nil }
        if x.route.priority != y.route.priority { return x.route.priority > y.route.priority }
        return a.order < b.order
    }
}

/// A route that takes a prompt.
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
    /// Coverage × intent (see ``RouteScore``).
    public var score: Double
    /// Why it matched, in words.
    public var reason: String
}

/// One route's verdict on a prompt in one mode.
public struct RouteEvaluation: Sendable {
    public var route: Route
    public var score: RouteScore
    public var mode: RoutingMode
    /// Set when the route takes the prompt in ``mode``.
    public var match: RouteMatch?
    public var reasons: [String]

    init(route: Route, score: RouteScore, mode: RoutingMode) {
        self.route = route
        self.score = score
        self.mode = mode
        var reasons: [String] = []
        if let pattern = score.pattern {
            let shown = score.captures.isEmpty ? "" : " with " + score.captures.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ", ")
            reasons.append("pattern /\(pattern.source)/ matched\(shown)")
        } else if !route.patterns.isEmpty {
            reasons.append(route.patterns.count == 1 ? "pattern did not match" : "none of \(route.patterns.count) patterns matched")
        }
        if !score.keywordHits.isEmpty && score.keywordMisses.isEmpty {
            reasons.append("keywords found: " + score.keywordHits.joined(separator: ", "))
        }
        let verdict = score.verdict(for: mode, thresholds: route.thresholds)
        reasons.append(verdict.reason)
        reasons.append("covered: " + (score.covered.isEmpty ? "none" : score.covered.joined(separator: ", "))
            + "; missed: " + (score.missed.isEmpty ? "none" : score.missed.joined(separator: ", ")))
        self.reasons = reasons
        if verdict.accepted {
            match = RouteMatch(
                route: route, captures: score.captures, strength: score.pattern == nil ? .keywords : .pattern,
                score: score.score, reason: reasons.joined(separator: "; ")
            )
        }
    }
}
