import BrigadeCore

extension AnthropicClient {
    /// Everything an ``AnthropicClient`` needs to know about the server and how to talk to it.
    public struct Configuration: Sendable, Hashable {
        /// The API root, e.g. `https://api.anthropic.com`; `/v1/messages` is appended (only
        /// `/messages` when the root already ends in `/v1`).
        public var baseURL: String
        /// Sent as `x-api-key`; `nil` or empty sends none (for proxies that add it).
        public var apiKey: String?
        /// The `model` field.
        public var model: String
        /// The `anthropic-version` header.
        public var apiVersion: String
        /// `true` asks for a server-sent-event stream (`stream: true`), `false` for one JSON response.
        public var streaming: Bool
        /// Extra request headers (e.g. `anthropic-beta`).
        public var extraHeaders: [String: String]
        /// Retries for 429, 5xx (529 included) and connection failures.
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
        /// Prompt-cache breakpoints (``PromptCaching``); off by default here, on by default for
        /// model profiles of config.yaml (`prompt_caching:`).
        public var promptCaching = PromptCaching.off

        /// - Parameters:
        ///   - baseURL: API root (default `https://api.anthropic.com`).
        ///   - apiKey: the `x-api-key` value.
        ///   - model: model name, e.g. `claude-sonnet-4-5`.
        ///   - apiVersion: default `2023-06-01`.
        ///   - streaming: stream the response (default `true`).
        ///   - extraHeaders: default none.
        ///   - retryPolicy: default ``RetryPolicy/init(maxRetries:initialBackoff:maxBackoff:multiplier:maxServerDelay:)``'s defaults.
        ///   - idleTimeout: default 120 s.
        ///   - responseLimits: default ``ModelResponseLimits/init(maxLineBytes:maxEventBytes:maxToolArgumentBytes:maxResponseBytes:)``'s defaults.
        public init(
            baseURL: String = "https://api.anthropic.com",
            apiKey: String?,
            model: String,
            apiVersion: String = "2023-06-01",
            streaming: Bool = true,
            extraHeaders: [String: String] = [:],
            retryPolicy: RetryPolicy = RetryPolicy(),
            idleTimeout: Duration = .seconds(120),
            responseLimits: ModelResponseLimits = ModelResponseLimits()
        ) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.model = model
            self.apiVersion = apiVersion
            self.streaming = streaming
            self.extraHeaders = extraHeaders
            self.retryPolicy = retryPolicy
            self.idleTimeout = idleTimeout
            self.responseLimits = responseLimits
        }

        /// `{baseURL}/v1/messages`.
        public var endpoint: String {
            var base = baseURL
            while base.hasSuffix("/") { base.removeLast() }
            return base.hasSuffix("/v1") ? base + "/messages" : base + "/v1/messages"
        }
    }
}
