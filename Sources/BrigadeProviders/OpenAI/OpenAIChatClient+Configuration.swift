import BrigadeCore

extension OpenAIChatClient {
    /// Everything an ``OpenAIChatClient`` needs to know about the server and how to talk to it.
    public struct Configuration: Sendable, Hashable {
        /// The API root that `/chat/completions` is appended to, e.g. `https://api.openai.com/v1`,
        /// `http://127.0.0.1:8000/v1` (vLLM), `http://127.0.0.1:11434/v1` (Ollama).
        public var baseURL: String {
            didSet { isOpenAIHost = Self.isOpenAIHost(baseURL) }
        }
        /// Sent as `Authorization: Bearer …`; `nil` or empty sends no `Authorization` header (local servers).
        public var apiKey: String?
        /// The `model` field.
        public var model: String
        /// `true` asks for a server-sent-event stream (`stream: true`), `false` for one JSON response.
        public var streaming: Bool
        /// Which field carries ``ModelRequest/maxOutputTokens``.
        public var maxTokensParameter: MaxTokensParameter
        /// How a request with ``ModelRequest/toolsEnabled`` `false` is encoded.
        public var disabledTools: DisabledToolsEncoding
        /// The `parallel_tool_calls` value sent with tools; `nil` leaves the field out (for servers that reject it).
        public var parallelToolCalls: Bool?
        /// Sends `stream_options: {"include_usage": true}` when streaming (some old servers reject it).
        public var includeStreamUsage: Bool
        /// Extra request headers (e.g. `OpenAI-Organization`, OpenRouter's `HTTP-Referer`).
        public var extraHeaders: [String: String]
        /// Retries for 429, 5xx and connection failures.
        public var retryPolicy: RetryPolicy
        /// The longest silence allowed while waiting for response bytes.
        public var idleTimeout: Duration
        /// Caps on one response's size and length (see ``ModelResponseLimits``).
        public var responseLimits: ModelResponseLimits
        /// Proactive limits of the endpoint's shared ``RateLimiter`` (none by default; the limiter
        /// still follows the provider's rate-limit headers and `Retry-After`).
        public var rateLimits = RateLimits()
        /// Whether the model must call tools on the first turn after a user message (``ToolChoice``).
        public var toolChoice = ToolChoice.auto

        /// - Parameters:
        ///   - baseURL: API root; `/chat/completions` is appended (a trailing `/` is ignored).
        ///   - apiKey: bearer token; `nil` for servers without authentication.
        ///   - model: model name.
        ///   - streaming: stream the response (default `true`).
        ///   - maxTokensParameter: default `.automatic` (see ``MaxTokensParameter``).
        ///   - disabledTools: default `.omitTools`.
        ///   - parallelToolCalls: default `true`.
        ///   - includeStreamUsage: default `true`.
        ///   - extraHeaders: default none.
        ///   - retryPolicy: default ``RetryPolicy/init(maxRetries:initialBackoff:maxBackoff:multiplier:maxServerDelay:)``'s defaults.
        ///   - idleTimeout: default 120 s.
        ///   - responseLimits: default ``ModelResponseLimits/init(maxLineBytes:maxEventBytes:maxToolArgumentBytes:maxResponseBytes:)``'s defaults.
        public init(
            baseURL: String = "https://api.openai.com/v1",
            apiKey: String?,
            model: String,
            streaming: Bool = true,
            maxTokensParameter: MaxTokensParameter = .automatic,
            disabledTools: DisabledToolsEncoding = .omitTools,
            parallelToolCalls: Bool? = true,
            includeStreamUsage: Bool = true,
            extraHeaders: [String: String] = [:],
            retryPolicy: RetryPolicy = RetryPolicy(),
            idleTimeout: Duration = .seconds(120),
            responseLimits: ModelResponseLimits = ModelResponseLimits()
        ) {
            self.baseURL = baseURL
            self.isOpenAIHost = Self.isOpenAIHost(baseURL)
            self.apiKey = apiKey
            self.model = model
            self.streaming = streaming
            self.maxTokensParameter = maxTokensParameter
            self.disabledTools = disabledTools
            self.parallelToolCalls = parallelToolCalls
            self.includeStreamUsage = includeStreamUsage
            self.extraHeaders = extraHeaders
            self.retryPolicy = retryPolicy
            self.idleTimeout = idleTimeout
            self.responseLimits = responseLimits
        }

        /// `{baseURL}/chat/completions`.
        public var endpoint: String {
            var base = baseURL
            while base.hasSuffix("/") { base.removeLast() }
            return base + "/chat/completions"
        }

        /// The field name `.automatic` resolves to for this base URL.
        var maxTokensField: String {
            switch maxTokensParameter {
            case .maxCompletionTokens: "max_completion_tokens"
            case .maxTokens: "max_tokens"
            case .automatic: isOpenAIHost ? "max_completion_tokens" : "max_tokens"
            }
        }

        /// Whether `baseURL` is OpenAI's or Azure OpenAI's, derived when `baseURL` is set, not per request.
        private(set) var isOpenAIHost: Bool

        private static func isOpenAIHost(_ baseURL: String) -> Bool {
            let lower = baseURL.lowercased()
            return lower.hasPrefix("https://api.openai.com") || lower.contains(".openai.azure.com")
        }
    }

    /// Which request field carries the output-token limit.
    public enum MaxTokensParameter: Sendable, Hashable {
        /// `max_completion_tokens` for `api.openai.com` and Azure OpenAI (their reasoning models
        /// reject `max_tokens`), `max_tokens` for every other server — compatible servers
        /// (llama.cpp, Ollama, LM Studio, older vLLM) often only know the older name.
        case automatic
        /// Always `max_completion_tokens` (OpenAI's current name).
        case maxCompletionTokens
        /// Always `max_tokens` (deprecated by OpenAI, understood by every compatible server).
        case maxTokens
    }

    /// How a request without tools (``ModelRequest/toolsEnabled`` `false`) is encoded.
    public enum DisabledToolsEncoding: Sendable, Hashable {
        /// Leave `tools`, `tool_choice` and `parallel_tool_calls` out. Earlier tool calls and tool
        /// messages stay in the history (the Chat Completions API accepts that). Works everywhere,
        /// including servers that ignore `tool_choice` (Ollama).
        case omitTools
        /// Send the tools with `tool_choice: "none"`: the model still sees the tool descriptions.
        case toolChoiceNone
    }
}
