/// A static happy-path route: a request shape mapped to a fixed fan-out of tool calls and a join.
///
/// Routes live in `routes/*.yaml` (see docs/routes.md). A route takes a request when the request
/// is its job: its `keywords` (or one of its `patterns`) say what is asked for, and its vocabulary
/// covers enough of the request's content words (see ``RouteScore``); how much is enough depends on
/// the routing mode (``RouteThresholds``). Captures of named groups fill the argument templates of its calls.
public struct Route: Sendable {
    public var name: String
    public var description: String
    /// Every entry must be present for a precise (hybrid) match; they also count as vocabulary.
    public var keywords: [KeywordRule]
    public var patterns: [RoutePattern]
    /// Further words and phrases a request for this route may use ("free", "running out", "machine").
    public var vocabulary: [String] { didSet { vocabularyStems = vocabulary.map(RouteText.stems) } }
    /// `vocabulary` stemmed once, not per request.
    private(set) var vocabularyStems: [[String]] = []
    /// Words and phrases that say the request is not this route's job ("why", "how do i"); any of
    /// them keeps a precise (hybrid) match from taking the request.
    public var negative: [String] { didSet { negativeWords = negative.map(Self.words) } }
    /// `negative` normalized and split into words once, not per request (compared as written).
    private(set) var negativeWords: [[String]] = []
    public var thresholds: RouteThresholds
    /// Phrasings that must match this route (checked by `brigade routes check` and tests).
    public var examples: [String]
    /// Near-misses that must not match this route.
    public var counterexamples: [String]
    /// Higher wins among routes that match equally well; ties go to declaration order.
    public var priority: Int
    /// The fixed fan-out, in the order the answer lists it.
    public var calls: [RouteCall]
    /// Labels of calls the answer cannot do without.
    public var requires: [String]
    public var join: RouteJoin
    /// How calls that report the same thing are reconciled before the join; `nil`: they are not.
    public var joinRules: RouteJoinRules?
    public var location: SourceLocation?

    /// A phrase's normalized words ("How do I" → ["how", "do", "i"]).
    static func words(_ phrase: String) -> [String] {
        KeywordRule.normalize(phrase).split(separator: " ").map(String.init)
    }

    public init(
        name: String,
        description: String = "",
        keywords: [KeywordRule] = [],
        patterns: [RoutePattern] = [],
        vocabulary: [String] = [],
        negative: [String] = [],
        thresholds: RouteThresholds = RouteThresholds(),
        examples: [String] = [],
        counterexamples: [String] = [],
        priority: Int = 0,
        calls: [RouteCall],
        requires: [String] = [],
        join: RouteJoin,
        joinRules: RouteJoinRules? = nil,
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.description = description
        self.keywords = keywords
        self.patterns = patterns
        self.vocabulary = vocabulary
        self.negative = negative
        vocabularyStems = vocabulary.map(RouteText.stems)
        negativeWords = negative.map(Self.words)
        self.thresholds = thresholds
        self.examples = examples
        self.counterexamples = counterexamples
        self.priority = priority
        self.calls = calls
        self.requires = requires
        self.join = join
        self.joinRules = joinRules
        self.location = location
    }
}

/// A route's join rules (docs/routes.md#join-rules): the calls whose results are one answer told by
/// several sources, and the ``JoinPolicy`` that makes them one — source precedence, deduplication
/// keys, and a judge for what the rules cannot settle.
public struct RouteJoinRules: Sendable {
    /// Labels of the reconciled calls; their order is the default precedence.
    public var branches: [String]
    public var policy: JoinPolicy

    public init(branches: [String], policy: JoinPolicy) {
        self.branches = branches
        self.policy = policy
    }
}

/// One keyword entry: the prompt must contain one of the alternatives as whole words
/// (case-insensitive). An alternative may be several words ("health check").
public struct KeywordRule: Sendable, Hashable, CustomStringConvertible {
    public var alternatives: [String] { didSet { alternativeStems = alternatives.map(RouteText.stems) } }
    /// `alternatives` stemmed once, not per request.
    private(set) var alternativeStems: [[String]] = []

    /// Parses `repo|repository|codebase`.
    public init(_ text: String) {
        alternatives = text.split(separator: "|").map { Self.normalize(String($0)) }.filter { !$0.isEmpty }
        alternativeStems = alternatives.map(RouteText.stems)
    }

    public var description: String { alternatives.joined(separator: "|") }

    /// The first alternative found in `text` as whole words, comparing stems ("file" matches
    /// "files", "summarize" matches "summarized"), with where it is.
    func firstHit(in text: RouteText) -> (alternative: String, start: Int, count: Int)? {
        for (alternative, stems) in zip(alternatives, alternativeStems) {
            if let start = text.occurrences(of: stems).first { return (alternative, start, stems.count) }
        }
        return nil
    }

    /// Lowercased words separated by single spaces; punctuation dropped. A possessive `'s` is dropped
    /// ("machine's" → "machine"); other apostrophes join ("don't" → "dont").
    static func normalize(_ text: String) -> String {
        var words: [String] = []
        var current = ""
        let characters = Array(text.lowercased())
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if character == "'" || character == "’" {
                let next = index < characters.count ? characters[index] : " "
                let afterNext = index + 1 < characters.count ? characters[index + 1] : " "
                if next == "s" && !(afterNext.isLetter || afterNext.isNumber) { index += 1 }
                continue
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words.joined(separator: " ")
    }
}

/// A regular expression (case-insensitive) whose named groups become captures.
public struct RoutePattern: Sendable, CustomStringConvertible {
    public let source: String
    public let location: SourceLocation?
    nonisolated(unsafe) let regex: Regex<AnyRegexOutput>  // immutable after init; matching does not mutate it
    public let captureNames: [String]

    public init(_ source: String, at location: SourceLocation? = nil) throws(ConfigError) {
        self.source = source
        self.location = location
        do {
            regex = try Regex(source).ignoresCase()
        } catch {
            throw ConfigError("invalid regular expression '\(source)': \(error)", at: location)
        }
        captureNames = Self.namedGroups(in: source)
    }

    /// Names of `(?<name>…)` / `(?P<name>…)` groups, in order.
    static func namedGroups(in source: String) -> [String] {
        var names: [String] = []
        let scalars = Array(source.unicodeScalars)
        var i = 0
        while i < scalars.count {
            if scalars[i] == "\\" { i += 2; continue }
            if scalars[i] == "(", i + 2 < scalars.count, scalars[i + 1] == "?" {
                var j = i + 2
                if j < scalars.count, scalars[j] == "P" { j += 1 }
                if j < scalars.count, scalars[j] == "<", j + 1 < scalars.count, scalars[j + 1] != "=", scalars[j + 1] != "!" {
                    var name = ""
                    j += 1
                    while j < scalars.count, scalars[j] != ">" { name.unicodeScalars.append(scalars[j]); j += 1 }
                    if !name.isEmpty { names.append(name) }
                }
            }
            i += 1
        }
        return names
    }

    public var description: String { source }

    /// The named captures when the pattern matches anywhere in `prompt`.
    func captures(in prompt: String) -> [String: String]? {
        firstMatch(in: prompt)?.captures
    }

    /// The first match in `prompt`: the matched text and the named captures.
    func firstMatch(in prompt: String) -> (text: String, captures: [String: String])? {
        guard let match = try? regex.firstMatch(in: prompt) else { return nil }
        var captures: [String: String] = [:]
        for element in match.output {
            if let name = element.name, let value = element.substring {
                captures[name] = String(value)
            }
        }
        return (String(prompt[match.range]), captures)
    }
}

/// One call of a route's fan-out.
public struct RouteCall: Sendable, Hashable {
    /// The label the join template uses: `{{calls.LABEL.output}}`.
    public var label: String
    public var tool: String
    /// Argument template: string leaves `{{capture}}` or `{{capture|default}}` are filled from captures.
    public var arguments: JSONValue
    /// Runs the call this many times at once (branches `variant_1`…) and joins the results with
    /// ``join``; 1: once.
    public var variants: Int
    /// How the variants become one result; `nil` with variants: the rules' defaults, no judge.
    public var join: JoinPolicy?
    public var location: SourceLocation?

    public init(
        label: String, tool: String, arguments: JSONValue = .object([:]), variants: Int = 1, join: JoinPolicy? = nil,
        location: SourceLocation? = nil
    ) {
        self.label = label
        self.tool = tool
        self.arguments = arguments
        self.variants = variants
        self.join = join
        self.location = location
    }
}

/// How a route's results become an answer.
public enum RouteJoin: Sendable {
    /// A template (from prompts/): BrigadeWorkspace's Mustache `JoinTemplate`, or an embedder's own.
    case template(any RouteJoinTemplate)
    /// One model call with tools disabled synthesizes the answer from the gathered results
    /// (falls back to a plain list of results when no model is available).
    case model
    /// No template: the answer is what the route's ``RouteJoinRules`` reconciled, with its
    /// `[join: …]` note (who won and why, what was in conflict).
    case rules
}
