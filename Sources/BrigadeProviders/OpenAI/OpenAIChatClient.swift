import BrigadeCore
import CurlHTTP

/// A ``ModelClient`` for the OpenAI Chat Completions API (`POST {baseURL}/chat/completions`) and
/// the servers that copy it: vLLM, llama.cpp's server, Ollama, LM Studio, OpenRouter and others.
///
/// Streams by default (`stream: true` with `stream_options.include_usage`), assembling tool calls
/// from their deltas with an internal stream assembler; retries 429, 5xx and connection failures
/// with ``RetryPolicy``. See `docs/providers.md` for settings per server.
public struct OpenAIChatClient: ModelClient {
    public var configuration: Configuration {
        didSet {
            provider = ProviderLabel.describe(api: "OpenAI", officialHost: "api.openai.com", baseURL: configuration.baseURL)
            rateLimiter = Self.rateLimiter(configuration, provider: provider)
        }
    }
    /// How errors name the server (``ProviderLabel``), derived from `configuration.baseURL` once,
    /// not on every model call.
    private var provider: String
    /// The endpoint's shared ``RateLimiter``, looked up when the configuration is set, not on every
    /// model call (the lookup hashes the key and takes a process-wide lock).
    private var rateLimiter: RateLimiter
    /// The HTTP client requests go through (share one between model clients).
    public let httpClient: HTTPClient
    /// The system prompt's and the tool list's JSON, encoded once for all requests that send the same.
    private let caches = OpenAIRequestEncoder.Caches()
    /// Called before each retry with the failure and the wait, e.g. to tell the user.
    public var onRetry: (@Sendable (ModelRetryEvent) -> Void)?

    /// - Parameters:
    ///   - configuration: server, model and behaviour.
    ///   - httpClient: the HTTP client to use (default: `HTTPClient.shared`, the one client of the process).
    ///   - onRetry: called before each retry.
    public init(configuration: Configuration, httpClient: HTTPClient = .shared, onRetry: (@Sendable (ModelRetryEvent) -> Void)? = nil) {
        self.configuration = configuration
        self.provider = ProviderLabel.describe(api: "OpenAI", officialHost: "api.openai.com", baseURL: configuration.baseURL)
        self.rateLimiter = Self.rateLimiter(configuration, provider: provider)
        self.httpClient = httpClient
        self.onRetry = onRetry
    }

    /// - Parameters:
    ///   - baseURL: API root; `/chat/completions` is appended (default `https://api.openai.com/v1`).
    ///   - apiKey: bearer token; `nil` for servers without authentication.
    ///   - model: model name.
    ///   - streaming: stream the response (default `true`).
    ///   - retryPolicy: retries (default 3 retries, 0.5 s initial backoff, honouring `Retry-After`).
    ///   - httpClient: the HTTP client to use (default: `HTTPClient.shared`, the one client of the process).
    ///   - onRetry: called before each retry.
    public init(
        baseURL: String = "https://api.openai.com/v1",
        apiKey: String?,
        model: String,
        streaming: Bool = true,
        retryPolicy: RetryPolicy = RetryPolicy(),
        httpClient: HTTPClient = .shared,
        onRetry: (@Sendable (ModelRetryEvent) -> Void)? = nil
    ) {
        self.init(
            configuration: Configuration(baseURL: baseURL, apiKey: apiKey, model: model, streaming: streaming, retryPolicy: retryPolicy),
            httpClient: httpClient,
            onRetry: onRetry
        )
    }

    /// `openai:<model>`.
    public var displayName: String { "openai:\(configuration.model)" }

    /// `true`: `response_format: {"type": "json_schema", …}`.
    public var supportsOutputSchema: Bool { true }

    /// `true`: the transfer carries the deadline, and rate-limit waits and retries stop at it.
    public var enforcesDeadline: Bool { true }

    /// The JSON body this client sends for `request`.
    public func requestBody(for request: ModelRequest) -> JSONValue {
        OpenAIRequestEncoder.body(for: request, configuration: configuration)
    }

    /// The HTTP request this client sends for `request` (without deadline and timeouts).
    public func httpRequest(for request: ModelRequest) -> HTTPRequest {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        headers.add(name: "Accept", value: configuration.streaming ? "text/event-stream" : "application/json")
        if let apiKey = configuration.apiKey, !apiKey.isEmpty {
            headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        }
        for (name, value) in configuration.extraHeaders.sorted(by: { $0.key < $1.key }) {
            headers.replaceOrAdd(name: name, value: value)
        }
        return HTTPRequest(method: "POST", url: configuration.endpoint, headers: headers, body: OpenAIRequestEncoder.bodyBytes(for: request, configuration: configuration, caches: caches))
    }

    private static func rateLimiter(_ configuration: Configuration, provider: String) -> RateLimiter {
        RateLimiter.shared(endpoint: configuration.endpoint, apiKey: configuration.apiKey, name: provider, limits: configuration.rateLimits)
    }

    /// Sends `request`, streaming text deltas to `onTextDelta`, and returns the assembled answer.
    ///
    /// - Throws: ``ModelError``: `.rateLimited` / `.serverError` / `.unreachable` after the
    ///   retries, `.rejected` for other 4xx (with the server's message), `.malformedResponse`,
    ///   `.deadlineExceeded` when `deadline` passes, `.cancelled` when the task is cancelled.
    ///   Messages never contain the API key.
    public func complete(
        _ request: ModelRequest,
        deadline: ContinuousClock.Instant?,
        onTextDelta: @escaping @Sendable (String) -> Void
    ) async throws(ModelError) -> ModelResponse {
        let transport = ModelTransport(
            http: httpClient,
            provider: provider, apiKey: configuration.apiKey,
            retryPolicy: configuration.retryPolicy, idleTimeout: configuration.idleTimeout,
            limits: configuration.responseLimits, onRetry: onRetry,
            rateLimiter: rateLimiter
        )
        return try await transport.perform(
            httpRequest(for: request), streaming: configuration.streaming, maxOutputTokens: request.maxOutputTokens, deadline: deadline,
            decoder: OpenAIDecoding(), onTextDelta: onTextDelta
        )
    }
}

struct OpenAIDecoding: ModelResponseDecoding {
    func makeStreamDecoder(maxToolArgumentBytes: Int) -> OpenAIStreamAssembler { OpenAIStreamAssembler(maxToolArgumentBytes: maxToolArgumentBytes) }
    func decode(body: [UInt8]) throws(ModelError) -> ModelResponse { try OpenAIResponseDecoder.response(from: body) }
}

extension OpenAIStreamAssembler: ModelStreamDecoding {
    var isFinished: Bool { isDone }

    mutating func consume(event: ServerSentEventBatch.Event) throws(ModelError) -> String? {
        try consume(data: event.data)
    }
}
