import Brigade

/// One scripted answer of the ``FakeModelServer``: text and/or tool calls, usage, and optionally a
/// fault or a delay instead of (or on the way to) a clean answer.
public struct FakeTurn: Sendable, Hashable {
    /// The assistant text, streamed in pieces of ``textPieceSize`` characters.
    public var text: String
    /// Tool calls, streamed after the text; arguments are split into fragments of
    /// ``argumentFragmentSize`` characters and (OpenAI) interleaved across calls by index.
    public var toolCalls: [FakeToolCall]
    /// Reported usage; `nil` computes one from the request size and the output size.
    public var usage: TokenUsage?
    /// Overrides the finish/stop reason on the wire (e.g. `"length"`, `"max_tokens"`).
    public var finishReason: String?
    /// A failure instead of the clean answer.
    public var fault: FakeFault?
    /// Delays before the response head and between stream events.
    public var latency: FakeLatency
    /// Deviations compatible servers show.
    public var quirks: FakeQuirks
    public var textPieceSize: Int
    public var argumentFragmentSize: Int
    /// Extra headers on a successful response (e.g. `x-ratelimit-remaining-requests`).
    public var headers: [String: String] = [:]
    /// Bytes recorded from a real server, sent as they are instead of rendering the turn.
    public var recorded: FakeRecordedResponse?
    /// Answers only once this many requests (counted over the server's life) have reached a gather
    /// barrier — so they provably were in flight at once. `nil`: no barrier.
    public var gather: Int?

    /// - Parameters:
    ///   - text: assistant text (default empty).
    ///   - toolCalls: tool calls (default none).
    ///   - usage: reported usage; `nil` computes one.
    ///   - finishReason: wire finish/stop reason override.
    ///   - fault: a failure to inject.
    ///   - latency: delays (default none).
    ///   - quirks: compatible-server deviations (default none).
    ///   - textPieceSize: characters per text delta (default 4).
    ///   - argumentFragmentSize: characters per argument fragment (default 3).
    public init(
        text: String = "",
        toolCalls: [FakeToolCall] = [],
        usage: TokenUsage? = nil,
        finishReason: String? = nil,
        fault: FakeFault? = nil,
        latency: FakeLatency = FakeLatency(),
        quirks: FakeQuirks = FakeQuirks(),
        textPieceSize: Int = 4,
        argumentFragmentSize: Int = 3
    ) {
        self.text = text
        self.toolCalls = toolCalls
        self.usage = usage
        self.finishReason = finishReason
        self.fault = fault
        self.latency = latency
        self.quirks = quirks
        self.textPieceSize = max(1, textPieceSize)
        self.argumentFragmentSize = max(1, argumentFragmentSize)
    }

    /// This turn, answered only once `count` requests have reached a gather barrier (``gather``).
    public func gathering(_ count: Int) -> FakeTurn {
        var turn = self
        turn.gather = count
        return turn
    }

    /// A plain text answer.
    public static func text(_ text: String, usage: TokenUsage? = nil) -> FakeTurn {
        FakeTurn(text: text, usage: usage)
    }

    /// An answer that calls tools.
    public static func toolCalls(_ calls: [FakeToolCall], text: String = "", usage: TokenUsage? = nil) -> FakeTurn {
        FakeTurn(text: text, toolCalls: calls, usage: usage)
    }

    /// A failure (a status, a hang, a broken stream …).
    public static func fault(_ fault: FakeFault) -> FakeTurn {
        FakeTurn(fault: fault)
    }

    /// A response recorded from a real server, played back byte for byte: `chunks` are written one
    /// after another (so a test can cut an event across writes).
    public static func recorded(
        _ chunks: [String], status: Int = 200, contentType: String = "text/event-stream", headers: [String: String] = [:]
    ) -> FakeTurn {
        var turn = FakeTurn()
        turn.recorded = FakeRecordedResponse(status: status, contentType: contentType, headers: headers, chunks: chunks)
        return turn
    }
}

/// A response played back as recorded: status, content type, headers and body chunks.
public struct FakeRecordedResponse: Sendable, Hashable {
    public var status: Int
    public var contentType: String
    public var headers: [String: String]
    /// Written one after another; their concatenation is the body.
    public var chunks: [String]

    public init(status: Int = 200, contentType: String = "text/event-stream", headers: [String: String] = [:], chunks: [String]) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.chunks = chunks
    }
}

/// One tool call in a ``FakeTurn``.
public struct FakeToolCall: Sendable, Hashable {
    public var name: String
    /// The raw arguments text (normally a JSON object; malformed JSON is allowed, to test that path).
    public var arguments: String
    /// The call id; `nil` generates `call_fake_<n>` (OpenAI) or `toolu_fake_<n>` (Anthropic).
    public var id: String?

    public init(name: String, arguments: String = "{}", id: String? = nil) {
        self.name = name
        self.arguments = arguments
        self.id = id
    }

    /// A call whose arguments are the JSON text of `arguments`.
    public init(name: String, json arguments: JSONValue, id: String? = nil) {
        self.init(name: name, arguments: arguments.jsonString, id: id)
    }
}

/// A failure the ``FakeModelServer`` injects for one request.
public enum FakeFault: Sendable, Hashable {
    /// An HTTP error status with a provider-style error body and extra headers.
    case status(Int, message: String, headers: [String: String] = [:])
    /// Never sends a response head; ends only when the client gives up or the server stops.
    case hang
    /// Sends the head and `afterEvents` events, then goes silent until the client gives up or the server stops.
    case stall(afterEvents: Int)
    /// Sends `afterEvents` whole events and half of the next, then closes the connection.
    case cutStream(afterEvents: Int)
    /// Sends `afterEvents` events, then a `data:` line that is not JSON, then the rest.
    case malformedChunk(afterEvents: Int)
    /// Sends `afterEvents` events, then an error event (Anthropic `event: error`, OpenAI
    /// `data: {"error": …}`) of the given type, and ends the stream.
    case errorEvent(afterEvents: Int, type: String, message: String)
    /// Never ends: sends the turn's events up to the first one containing `marker`, then that
    /// event again and again (pausing `latency.betweenEvents` between repeats) until the client
    /// goes away — a server ignoring `max_tokens`, or tool arguments that never end.
    case repeatEventForever(containing: String)
    /// Never ends: sends the head, then one `data:` line that never ends.
    case endlessLine
    /// Never ends: sends `data:` lines forever without the empty line that would end the event.
    case endlessEvent
    /// Never ends: sends `: keep-alive` comment lines forever, `latency.betweenEvents` apart.
    case keepAlivesForever

    /// 429 with `Retry-After` (seconds or an HTTP date) and/or `retry-after-ms`.
    public static func rateLimited(retryAfter: String? = nil, retryAfterMilliseconds: Int? = nil) -> FakeFault {
        var headers: [String: String] = [:]
        if let retryAfter { headers["Retry-After"] = retryAfter }
        if let retryAfterMilliseconds { headers["retry-after-ms"] = String(retryAfterMilliseconds) }
        return .status(429, message: "Rate limit reached for requests", headers: headers)
    }

    /// 500 Internal Server Error.
    public static let serverError = FakeFault.status(500, message: "The server had an error while processing your request.")
    /// Anthropic's 529 Overloaded.
    public static let overloaded = FakeFault.status(529, message: "Overloaded")
}

/// Delays the ``FakeModelServer`` adds to one answer.
public struct FakeLatency: Sendable, Hashable {
    /// Before the response head.
    public var beforeHead: Duration
    /// Between two stream events.
    public var betweenEvents: Duration
    /// After a stream's last event, before the end of the body (the chunked body's last chunk).
    public var beforeEnd: Duration

    public init(beforeHead: Duration = .zero, betweenEvents: Duration = .zero, beforeEnd: Duration = .zero) {
        self.beforeHead = beforeHead
        self.betweenEvents = betweenEvents
        self.beforeEnd = beforeEnd
    }
}

/// Ways compatible servers deviate from the official APIs, to exercise the clients' tolerance.
public struct FakeQuirks: Sendable, Hashable {
    /// No usage at all.
    public var omitUsage: Bool
    /// Tool calls without ids.
    public var omitToolCallIDs: Bool
    /// OpenAI: tool-call deltas without `index` (calls then arrive one after another, not interleaved).
    public var omitToolCallIndex: Bool
    /// OpenAI: no `data: [DONE]`.
    public var omitDone: Bool
    /// OpenAI: `"content": null` on role and tool-call chunks, plus chunks with `"choices": []`.
    public var nullContentAndEmptyChoices: Bool
    /// Unknown fields on every object (`"x_fake": …`), like vendor extensions.
    public var extraFields: Bool
    /// OpenAI: `finish_reason: "stop"` even when calling tools (older Ollama).
    public var stopInsteadOfToolCalls: Bool

    public init(
        omitUsage: Bool = false,
        omitToolCallIDs: Bool = false,
        omitToolCallIndex: Bool = false,
        omitDone: Bool = false,
        nullContentAndEmptyChoices: Bool = false,
        extraFields: Bool = false,
        stopInsteadOfToolCalls: Bool = false
    ) {
        self.omitUsage = omitUsage
        self.omitToolCallIDs = omitToolCallIDs
        self.omitToolCallIndex = omitToolCallIndex
        self.omitDone = omitDone
        self.nullContentAndEmptyChoices = nullContentAndEmptyChoices
        self.extraFields = extraFields
        self.stopInsteadOfToolCalls = stopInsteadOfToolCalls
    }
}
