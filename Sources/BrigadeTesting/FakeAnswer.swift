import Brigade

/// What the ``FakeModelServer`` answers for one request, before HTTP framing: status, headers and
/// body — the same values the server itself sends, so that another server can send the same bytes.
///
/// The benchmarks' lean model server (Benchmarks/BenchSupport) uses it to answer exactly like this
/// server at a fraction of the CPU. It covers what needs no timing inside the body: clean turns
/// (``init(turn:request:sequence:)``) and error answers (``error(api:status:message:headers:)``).
public struct FakeAnswer: Sendable {
    /// The body: one JSON text (sent with a `Content-Length`), or server-sent events, which the
    /// server writes one at a time as the chunks of a chunked body.
    public enum Body: Sendable, Hashable {
        case json(String)
        case events([String])
    }

    public var status: Int
    /// The status line's reason phrase (`OK`, `Too Many Requests` …).
    public var reasonPhrase: String
    /// The answer's headers in the order the server sets them; a later name replaces an earlier
    /// one compared without case, keeping the earlier spelling. Framing headers
    /// (`Content-Length`, `Transfer-Encoding`, `Connection`) are the HTTP layer's.
    public var headers: [(name: String, value: String)]
    public var body: Body

    /// The answer to `request` for a clean `turn`, the `sequence`-th request the server received.
    ///
    /// `nil` when the turn's answer needs more than a status, headers and events: a fault, a gather
    /// barrier, recorded bytes, or pauses between events or before the end.
    public init?(turn: FakeTurn, request: FakeModelRequest, sequence: Int) {
        guard turn.fault == nil, turn.gather == nil, turn.recorded == nil,
            turn.latency.betweenEvents == .zero, turn.latency.beforeEnd == .zero
        else { return nil }
        self = Self.rendered(Self.rendering(turn, request: request, sequence: sequence), turn: turn)
    }

    /// An error answer in `api`'s style (`{"error": …}` for OpenAI, `{"type": "error", …}` for Anthropic).
    public static func error(api: FakeModelRequest.API, status: Int, message: String, headers: [String: String] = [:]) -> FakeAnswer {
        let body = switch api {
        case .openAIChat: FakeOpenAIWire.errorBody(status: status, message: message)
        case .anthropicMessages: FakeAnthropicWire.errorBody(status: status, message: message)
        }
        return json(status: status, body: body, headers: headers)
    }

    static func json(status: Int, body: String, headers: [String: String]) -> FakeAnswer {
        FakeAnswer(status: status, reasonPhrase: phrase(status), headers: [("Content-Type", "application/json")] + headers.map { ($0.key, $0.value) }, body: .json(body))
    }

    /// The answer for `rendering`, a rendering of `turn`: JSON or an event stream.
    static func rendered(_ rendering: FakeRendering, turn: FakeTurn) -> FakeAnswer {
        if let body = rendering.body { return json(status: 200, body: body, headers: turn.headers) }
        let headers = turn.headers.map { ($0.key, $0.value) } + [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")]
        return FakeAnswer(status: 200, reasonPhrase: "OK", headers: headers, body: .events(rendering.events))
    }

    static func rendering(_ turn: FakeTurn, request: FakeModelRequest, sequence: Int) -> FakeRendering {
        switch request.api {
        case .openAIChat: FakeOpenAIWire.render(turn, request: request, sequence: sequence)
        case .anthropicMessages: FakeAnthropicWire.render(turn, request: request, sequence: sequence)
        }
    }

    private init(status: Int, reasonPhrase: String, headers: [(name: String, value: String)], body: Body) {
        self.status = status
        self.reasonPhrase = reasonPhrase
        self.headers = headers
        self.body = body
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 421: "Misdirected Request"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        case 529: "Overloaded"
        default: "Status \(status)"
        }
    }
}
