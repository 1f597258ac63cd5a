import BrigadeCore
import CurlHTTP

/// A ``ModelClient`` for the Anthropic Messages API (`POST {baseURL}/v1/messages`).
///
/// Streams by default, assembling tool calls from `input_json_delta` fragments with
/// an internal stream assembler; retries 429, 5xx (529 "overloaded" included) and connection
/// failures with ``RetryPolicy``. See `docs/providers.md`.
public struct AnthropicClient: ModelClient {
    public var configuration: Configuration {
        didSet {
            provider = ProviderLabel.describe(api: "Anthropic", officialHost: "api.anthropic.com", baseURL: configuration.baseURL)
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
    /// The system prompt's JSON, encoded once for all requests with the same prompt.
    private let systemText = EncodedJSONCache<String>.text()
    /// Called before each retry with the failure and the wait, e.g. to tell the user.
    public var onRetry: (@Sendable (ModelRetryEvent) -> Void)?

    /// - Parameters:
    ///   - configuration: server, model and behaviour.
    ///   - httpClient: the HTTP client to use (default: `HTTPClient.shared`, the one client of the process).
    ///   - onRetry: called before each retry.
    public init(configuration: Configuration, httpClient: HTTPClient = .shared, onRetry: (@Sendable (ModelRetryEvent) -> Void)? = nil) {
        self.configuration = configuration
        self.provider = ProviderLabel.describe(api: "Anthropic", officialHost: "api.anthropic.com", baseURL: configuration.baseURL)
        self.rateLimiter = Self.rateLimiter(configuration, provider: provider)
        self.httpClient = httpClient
        self.onRetry = onRetry
    }

    /// - Parameters:
    ///   - baseURL: API root; `/v1/messages` is appended (default `https://api.anthropic.com`).
    ///   - apiKey: the `x-api-key` value.
    ///   - model: model name.
    ///   - streaming: stream the response (default `true`).
    ///   - retryPolicy: retries (default 3 retries, 0.5 s initial backoff, honouring `Retry-After`).
    ///   - httpClient: the HTTP client to use (default: `HTTPClient.shared`, the one client of the process).
    ///   - onRetry: called before each retry.
    public init(
        baseURL: String = "https://api.anthropic.com",
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

    /// `anthropic:<model>`.
    public var displayName: String { "anthropic:\(configuration.model)" }

    /// The JSON body this client sends for `request`.
    public func requestBody(for request: ModelRequest) -> JSONValue {
        AnthropicRequestEncoder.body(for: request, configuration: configuration)
    }

    /// The HTTP request this client sends for `request` (without deadline and timeouts).
    public func httpRequest(for request: ModelRequest) -> HTTPRequest {
        var headers: HTTPHeaders = ["content-type": "application/json", "anthropic-version": configuration.apiVersion]
        headers.add(name: "accept", value: configuration.streaming ? "text/event-stream" : "application/json")
        if let apiKey = configuration.apiKey, !apiKey.isEmpty {
            headers.add(name: "x-api-key", value: apiKey)
        }
        for (name, value) in configuration.extraHeaders.sorted(by: { $0.key < $1.key }) {
            headers.replaceOrAdd(name: name, value: value)
        }
        return HTTPRequest(method: "POST", url: configuration.endpoint, headers: headers, body: AnthropicRequestEncoder.bodyBytes(for: request, configuration: configuration, systemText: systemText))
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
    /// `true`: a forced `final_answer` tool whose input is the answer.
    public var supportsOutputSchema: Bool { true }

    /// `true`: the transfer carries the deadline, and rate-limit waits and retries stop at it.
    public var enforcesDeadline: Bool { true }

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
        let response = try await transport.perform(
            httpRequest(for: request), streaming: configuration.streaming, maxOutputTokens: request.maxOutputTokens, deadline: deadline,
            decoder: AnthropicDecoding(), onTextDelta: onTextDelta
        )
        guard let schema = request.outputSchema else { return response }
        let answer = AnthropicRequestEncoder.answer(in: response, schema: schema)
        if answer.toolCalls.isEmpty, !answer.text.isEmpty, answer.text != response.text { onTextDelta(answer.text) }
        return answer
    }
}

struct AnthropicDecoding: ModelResponseDecoding {
    func makeStreamDecoder(maxToolArgumentBytes: Int) -> AnthropicStreamAssembler { AnthropicStreamAssembler(maxToolArgumentBytes: maxToolArgumentBytes) }
    func decode(body: [UInt8]) throws(ModelError) -> ModelResponse { try AnthropicResponseDecoder.response(from: body) }
}

extension AnthropicStreamAssembler: ModelStreamDecoding {
    var isFinished: Bool { isComplete }

    mutating func consume(event: ServerSentEventBatch.Event) throws(ModelError) -> String? {
        try consume(event: event.event, data: event.dataText)
    }
}
