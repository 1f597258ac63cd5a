import BrigadeCore

/// The id of one batch item: a string or an integer, exactly as the input gave it.
///
/// Two ids are the same item when their ``key`` is equal, so the string `"7"` and the number `7`
/// name the same item (duplicates, resume, sharding and merging all compare keys).
public struct BatchItemID: Sendable, Hashable, CustomStringConvertible {
    /// The id as it appears in the output: `.string` or `.integer`.
    public let json: JSONValue
    /// The canonical text of the id, used to compare, hash and shard.
    public let key: String

    /// An id given as a string.
    public init(_ string: String) {
        json = .string(string)
        key = string
    }

    /// An id given as an integer (also the id of a plain-text input line: its line number).
    public init(_ integer: Int) {
        json = .integer(integer)
        key = String(integer)
    }

    /// Reads an id from JSON: a non-empty string or an integer; `nil` for anything else.
    public init?(json: JSONValue) {
        switch json {
        case .string(let string) where !string.isEmpty: self.init(string)
        case .integer(let integer): self.init(integer)
        case .number(let number):
            guard let integer = JSONValue.number(number).intValue else { return nil }
            self.init(integer)
        default: return nil
        }
    }

    public static func == (lhs: BatchItemID, rhs: BatchItemID) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }
    public var description: String { json.jsonString }
}

/// Limits for spending, each optional (`nil` means unlimited in that dimension).
///
/// Used both for the global budget of a whole batch and for the budget of one item.
public struct BatchBudget: Sendable, Hashable {
    public var usd: Double?
    public var inputTokens: Int?
    public var outputTokens: Int?
    /// Wall-clock seconds.
    public var wallSeconds: Double?

    public init(usd: Double? = nil, inputTokens: Int? = nil, outputTokens: Int? = nil, wallSeconds: Double? = nil) {
        self.usd = usd
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.wallSeconds = wallSeconds
    }

    /// No limit in any dimension.
    public static let unlimited = BatchBudget()

    /// `true` when no dimension is limited.
    public var isUnlimited: Bool { usd == nil && inputTokens == nil && outputTokens == nil && wallSeconds == nil }

    /// This budget with every dimension it leaves open taken from `fallback`.
    public func filling(from fallback: BatchBudget) -> BatchBudget {
        BatchBudget(
            usd: usd ?? fallback.usd,
            inputTokens: inputTokens ?? fallback.inputTokens,
            outputTokens: outputTokens ?? fallback.outputTokens,
            wallSeconds: wallSeconds ?? fallback.wallSeconds
        )
    }
}

/// One item of a batch: a prompt and what goes with it.
public struct BatchItem: Sendable, Hashable {
    public var id: BatchItemID
    public var prompt: String
    /// An optional mode name for the runner (for example `agent`, `router`, `hybrid`).
    public var mode: String?
    /// The item's own limits; dimensions left open fall back to the batch's default item budget.
    public var budget: BatchBudget
    /// Any JSON the input line carried under `metadata`, echoed to the output line.
    public var metadata: JSONValue?
    /// The 1-based line of the input file the item came from.
    public var line: Int

    public init(id: BatchItemID, prompt: String, mode: String? = nil, budget: BatchBudget = .unlimited, metadata: JSONValue? = nil, line: Int) {
        self.id = id
        self.prompt = prompt
        self.mode = mode
        self.budget = budget
        self.metadata = metadata
        self.line = line
    }
}
