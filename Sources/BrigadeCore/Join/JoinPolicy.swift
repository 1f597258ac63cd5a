/// How the answers of parallel branches (variants of a sub-agent) become one: rules first — source
/// precedence per field, deduplication keys — and a judge model called only when branches disagree.
/// See docs/workers.md.
public struct JoinPolicy: Sendable, Hashable {
    /// For answers that are JSON objects: per field, the branches whose value wins, first first
    /// (`price: [variant_2, variant_1]`). Fields not listed take the first branch that has them.
    public var precedence: [String: [String]]
    /// For JSON arrays (whole answers or fields): items with equal values at these keys are one; empty
    /// compares whole items.
    public var dedupKeys: [String]
    /// Branches disagree when these fields of their JSON answers differ; empty: when their answers'
    /// texts differ (compared trimmed, case and runs of white space ignored).
    public var compare: [String]
    /// The judge's system prompt file (in the prompts folder); `nil`: the rules decide alone.
    public var judge: Located<String>?
    /// The judge prompt's text, read when the workspace loads.
    public var judgeText: String

    public init(precedence: [String: [String]] = [:], dedupKeys: [String] = [], compare: [String] = [], judge: Located<String>? = nil, judgeText: String = "") {
        self.precedence = precedence
        self.dedupKeys = dedupKeys
        self.compare = compare
        self.judge = judge
        self.judgeText = judgeText
    }
}

/// One branch's answer, or why it has none.
public struct JoinBranch: Sendable, Hashable {
    public var label: String
    public var answer: String?
    public var failure: String?

    public init(label: String, answer: String?, failure: String? = nil) {
        self.label = label
        self.answer = answer
        self.failure = failure
    }
}

/// The joined answer and how it was reached.
public struct JoinOutcome: Sendable, Hashable {
    public var answer: String
    /// The branch that won (`nil` when fields were merged from several, or nothing succeeded).
    public var winner: String?
    /// Why, in a sentence: "3 variants agreed", the judge's reason, or the rule applied.
    public var reason: String
    /// The judge decided.
    public var judged: Bool
    /// The judge was asked and failed; the rules decided instead.
    public var judgeFailure: String?
    /// Branches without an answer, with why.
    public var failed: [JoinBranch]
    /// What the branches disagreed on (empty when they agreed), found whether or not a judge decided.
    public var conflicts: [JoinConflict] = []

    public init(
        answer: String, winner: String?, reason: String, judged: Bool, judgeFailure: String? = nil, failed: [JoinBranch],
        conflicts: [JoinConflict] = []
    ) {
        self.answer = answer
        self.winner = winner
        self.reason = reason
        self.judged = judged
        self.judgeFailure = judgeFailure
        self.failed = failed
        self.conflicts = conflicts
    }

    /// The answer with a last line saying who won and why — what the caller's model reads.
    public var text: String { answer + "\n\n" + note }

    /// `[join: …]`: who won and why; when the rules decided a disagreement, what it was about
    /// (an incomplete answer is forgiven, a silent one is not); the branches that failed.
    public var note: String {
        var note = "[join: "
        if let judgeFailure { note += "the judge failed (\(judgeFailure)), so the rules decided: " }
        if let winner { note += "\(winner) won\(judged ? " (judge)" : "") — " }
        note += reason
        if !judged, !conflicts.isEmpty { note += "; conflicts: " + conflicts.map(\.description).joined(separator: "; ") }
        for branch in failed { note += "; \(branch.label) failed: \(branch.failure ?? "no answer")" }
        return note + "]"
    }
}

/// One thing the branches of a join disagreed on: a field of their JSON answers (`answer` for
/// whole text answers), each branch's value, and whose value the join kept.
public struct JoinConflict: Sendable, Hashable, CustomStringConvertible {
    public struct Value: Sendable, Hashable {
        public var branch: String
        /// JSON text, or a one-line preview of a text answer.
        public var value: String

        public init(branch: String, value: String) {
            self.branch = branch
            self.value = value
        }
    }

    public var field: String
    /// Each branch's value, in branch order.
    public var values: [Value]
    /// The branch whose value was kept (`nil`: none alone, e.g. the judge merged them).
    public var chosen: String?

    public init(field: String, values: [Value], chosen: String?) {
        self.field = field
        self.values = values
        self.chosen = chosen
    }

    /// `arrival: flights "10:40", hotels "14:05" → hotels` (each value on one line, at most 80 characters).
    public var description: String {
        "\(field): " + values.map { "\($0.branch) \(Preview.line($0.value, limit: 80))" }.joined(separator: ", ") + (chosen.map { " → \($0)" } ?? "")
    }
}
