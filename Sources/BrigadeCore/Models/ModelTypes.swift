/// One tool call the model asked for.
public struct ToolCall: Sendable, Hashable {
    /// The provider's id for the call (generated when a compatible server leaves it out).
    public var id: String
    public var name: String
    /// The arguments exactly as the model sent them (may be malformed JSON: model output is untrusted).
    public var rawArguments: String

    public init(id: String, name: String, rawArguments: String) {
        self.id = id
        self.name = name
        self.rawArguments = rawArguments
    }

    /// The arguments parsed as JSON; an empty string counts as `{}`.
    public func parsedArguments() throws(JSONParseError) -> JSONValue {
        // Arguments bordered by ASCII (nearly all) are trimmed and parsed from their own bytes.
        let parsed = rawArguments.utf8.withContiguousStorageIfAvailable { bytes -> Result<JSONValue, JSONParseError>? in
            guard let trimmed = ASCIIWhitespace.trimmed(bytes) else { return nil }
            return trimmed.isEmpty ? .success(.object([:])) : JSONParser.parse(trimmed)
        }
        if let parsed = parsed ?? nil { return try parsed.get() }
        let trimmed = rawArguments.trimmingWhitespaceAndNewlines()
        if trimmed.isEmpty { return .object([:]) }
        return try JSONValue(parsing: trimmed)
    }
}

/// The result of one tool call as it goes back to the model.
public struct ToolResultMessage: Sendable, Hashable {
    public var callID: String
    public var toolName: String
    public var content: String
    public var isError: Bool

    public init(callID: String, toolName: String, content: String, isError: Bool) {
        self.callID = callID
        self.toolName = toolName
        self.content = content
        self.isError = isError
    }
}

/// A message of the conversation, independent of provider.
public enum ChatMessage: Sendable, Hashable {
    case system(String)
    case user(String)
    case assistant(text: String, toolCalls: [ToolCall])
    /// The results of one turn's tool calls, in the order of the calls.
    case toolResults([ToolResultMessage])
}

/// Token counts reported by the provider.
///
/// `inputTokens` counts every prompt token, cached or not: for Anthropic it is
/// `input_tokens + cache_creation_input_tokens + cache_read_input_tokens`; for OpenAI it is
/// `prompt_tokens` (which already includes `prompt_tokens_details.cached_tokens`). The cache
/// counts are broken out so that ``ModelPricing/cost(of:)`` charges them at their own rates.
public struct TokenUsage: Sendable, Hashable {
    public var inputTokens: Int
    public var outputTokens: Int
    /// Input tokens served from the provider's prompt cache (included in `inputTokens`).
    public var cachedInputTokens: Int
    /// Input tokens written to the provider's prompt cache (Anthropic; included in `inputTokens`).
    public var cacheCreationInputTokens: Int
    /// Some of the counts are Brigade's estimates (4 bytes a token) because the server reported no usage.
    public var isEstimated: Bool

    public init(inputTokens: Int = 0, outputTokens: Int = 0, cachedInputTokens: Int = 0, cacheCreationInputTokens: Int = 0, isEstimated: Bool = false) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.cacheCreationInputTokens = cacheCreationInputTokens
        self.isEstimated = isEstimated
    }

    public var totalTokens: Int { inputTokens + outputTokens }

    public static func + (lhs: TokenUsage, rhs: TokenUsage) -> TokenUsage {
        TokenUsage(
            inputTokens: lhs.inputTokens + rhs.inputTokens,
            outputTokens: lhs.outputTokens + rhs.outputTokens,
            cachedInputTokens: lhs.cachedInputTokens + rhs.cachedInputTokens,
            cacheCreationInputTokens: lhs.cacheCreationInputTokens + rhs.cacheCreationInputTokens,
            isEstimated: lhs.isEstimated || rhs.isEstimated
        )
    }
}

/// One model call.
public struct ModelRequest: Sendable, Hashable {
    public var messages: [ChatMessage]
    /// Tools offered to the model; empty means none.
    public var tools: [ToolSpec]
    /// `false` makes the model answer without tools (the synthesis call).
    public var toolsEnabled: Bool
    public var maxOutputTokens: Int
    public var temperature: Double?
    /// The shape the final answer must have; `nil` for free text (see ``OutputSchema``).
    public var outputSchema: OutputSchema?

    public init(messages: [ChatMessage], tools: [ToolSpec] = [], toolsEnabled: Bool = true, maxOutputTokens: Int = 4096, temperature: Double? = nil) {
        self.messages = messages
        self.tools = tools
        self.toolsEnabled = toolsEnabled
        self.maxOutputTokens = maxOutputTokens
        self.temperature = temperature
    }
}

/// Why the model stopped producing output.
public enum ModelFinishReason: Sendable, Hashable {
    case stop
    case toolCalls
    case length
    case contentFilter
    case other(String)
}

/// The assembled result of one model call.
public struct ModelResponse: Sendable, Hashable {
    public var text: String
    public var toolCalls: [ToolCall]
    public var finishReason: ModelFinishReason
    /// `nil` when the server did not report usage (some compatible servers don't).
    public var usage: TokenUsage?

    public init(text: String, toolCalls: [ToolCall], finishReason: ModelFinishReason, usage: TokenUsage?) {
        self.text = text
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.usage = usage
    }
}

/// A failure of a model call after the client's own retries.
public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure. A struct, not an enum, so that a later release can add a code without
    /// breaking an exhaustive switch: keep a `default:` branch.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }

        public var description: String { rawValue }

        /// Could not connect or the connection broke.
        public static let unreachable = Code(rawValue: "unreachable")
        /// 429 past the retry budget.
        public static let rateLimited = Code(rawValue: "rate_limited")
        /// 5xx past the retry budget.
        public static let serverError = Code(rawValue: "server_error")
        /// A 4xx other than 429: the request itself is wrong (bad key, bad model name …).
        public static let rejected = Code(rawValue: "rejected")
        /// The response could not be understood (malformed stream, cut mid-event …).
        public static let malformedResponse = Code(rawValue: "malformed_response")
        /// The run's deadline passed.
        public static let deadlineExceeded = Code(rawValue: "deadline_exceeded")
        public static let cancelled = Code(rawValue: "cancelled")
    }

    public var code: Code
    public var message: String
    /// The HTTP status, when there was one.
    public var status: Int?

    public init(_ code: Code, _ message: String, status: Int? = nil) {
        self.code = code
        self.message = message
        self.status = status
    }

    public var description: String {
        if let status { "\(message) (HTTP \(status))" } else { message }
    }
}

/// A language model behind a provider API. One streaming method: text deltas are reported as they
/// arrive through `onTextDelta`; the assembled response is returned at the end.
public protocol ModelClient: Sendable {
    /// A short name for messages, e.g. `openai:gpt-4o-mini`.
    var displayName: String { get }

    func complete(
        _ request: ModelRequest,
        deadline: ContinuousClock.Instant?,
        onTextDelta: @escaping @Sendable (String) -> Void
    ) async throws(ModelError) -> ModelResponse

    /// Whether the client sends ``ModelRequest/outputSchema`` to its server in a form the server
    /// enforces. Without it the agent asks for the shape in the system prompt. Default `false`.
    var supportsOutputSchema: Bool { get }

    /// Whether ``complete(_:deadline:onTextDelta:)`` itself ends by `deadline` — its transfer, waits
    /// and retries included — failing with ``ModelError/Code/deadlineExceeded``. The agent then calls
    /// it directly; otherwise it runs each call in a child task that it cancels at the deadline.
    /// Default `false`.
    var enforcesDeadline: Bool { get }
}

extension ModelClient {
    public var supportsOutputSchema: Bool { false }
    public var enforcesDeadline: Bool { false }
}

/// Prices per million tokens, from the configuration or `PriceTable`, to turn usage into USD.
public struct ModelPricing: Sendable, Hashable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double
    /// The price of input tokens read from the provider's prompt cache; `nil` bills them as input.
    public var cachedInputPerMillion: Double?
    /// The price of input tokens written to the prompt cache (Anthropic: 1.25 × input for the
    /// 5-minute cache); `nil` bills them as input.
    public var cacheWritePerMillion: Double?

    public init(inputPerMillion: Double = 0, outputPerMillion: Double = 0, cachedInputPerMillion: Double? = nil, cacheWritePerMillion: Double? = nil) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
        self.cachedInputPerMillion = cachedInputPerMillion
        self.cacheWritePerMillion = cacheWritePerMillion
    }

    /// USD for `usage`: its `cachedInputTokens` at the cached rate, its `cacheCreationInputTokens`
    /// at the cache-write rate (both are parts of `inputTokens`), the rest of the input at the input rate.
    public func cost(of usage: TokenUsage) -> Double {
        let input = max(usage.inputTokens, 0)
        let cached = min(max(usage.cachedInputTokens, 0), input)
        let written = min(max(usage.cacheCreationInputTokens, 0), input - cached)
        let plain = input - cached - written
        return (Double(plain) * inputPerMillion
            + Double(cached) * (cachedInputPerMillion ?? inputPerMillion)
            + Double(written) * (cacheWritePerMillion ?? inputPerMillion)
            + Double(max(usage.outputTokens, 0)) * outputPerMillion) / 1_000_000
    }
}
