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

    /// The answer with a last line saying who won and why — what the caller's model reads.
    public var text: String {
        var note = "[join: "
        if let judgeFailure { note += "the judge failed (\(judgeFailure)), so the rules decided: " }
        if let winner { note += "\(winner) won\(judged ? " (judge)" : "") — " }
        note += reason
        for branch in failed { note += "; \(branch.label) failed: \(branch.failure ?? "no answer")" }
        return answer + "\n\n" + note + "]"
    }
}
