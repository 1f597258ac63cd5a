import Brigade
import BrigadeSync
import FlyingFox
import FlyingSocks
import Foundation

/// A real HTTP server on 127.0.0.1 at a random port that speaks the OpenAI Chat Completions API
/// (`…/chat/completions`) and the Anthropic Messages API (`…/messages`), streamed or not as each
/// request asks, answering from a script.
///
/// Script it with a queue of ``FakeTurn``s (``enqueue(_:)``), consumed one per request, and/or a
/// ``respond(with:)`` closure used when the queue is empty (for batches answered generically).
/// Every request is recorded (``requests``) for assertions. Turns can inject faults: error
/// statuses with `Retry-After`, hangs, stalls, cut streams, malformed chunks, error events, latency.
///
/// ```swift
/// try await withFakeModelServer { server in
///     server.enqueue(.text("Hello"))
///     let client = OpenAIChatClient(baseURL: server.openAIBaseURL, apiKey: "k", model: "m", httpClient: http)
///     …
/// }
/// ```
public final class FakeModelServer: Sendable {
    private struct State {
        var queue: [FakeTurn] = []
        var respond: (@Sendable (FakeModelRequest) -> FakeTurn)?
        var requests: [FakeModelRequest] = []
        var requestCount = 0
        /// Requests that reached a ``FakeTurn/gather`` barrier so far.
        var gathered = 0
        var inFlight = 0
        var maxInFlight = 0
        var timings: [FakeRequestTiming] = []
        var runTask: Task<Void, Never>?
        var rateLimit = FakeRateLimitState()
    }

    private let http: HTTPServer
    private let state = LockedState(State())
    private let gate = FakeModelServerGate()
    private let recordsRequests: Bool
    private let connections: AcceptedConnections
    /// The port the server listens on, at 127.0.0.1.
    public let port: UInt16

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// The base URL for an OpenAI-compatible client: `http://127.0.0.1:<port>/v1`.
    public var openAIBaseURL: String { baseURL + "/v1" }
    /// The base URL for an Anthropic client: `http://127.0.0.1:<port>`.
    public var anthropicBaseURL: String { baseURL }

    private init(http: HTTPServer, port: UInt16, recordsRequests: Bool, connections: AcceptedConnections) {
        self.http = http
        self.port = port
        self.recordsRequests = recordsRequests
        self.connections = connections
    }

    /// Starts a server; stop it with ``stop()``. Prefer ``withFakeModelServer(recordsRequests:_:)``.
    ///
    /// The server runs in a task of its own until ``stop()`` (an unscoped lifetime is what this
    /// entry point is for: REPL tests and the `fake-model-server` executable).
    /// - Parameter recordsRequests: keep every request for ``requests`` (default `true`; turn it
    ///   off for very large batches).
    /// - Throws: when the socket cannot be bound or the server does not come up.
    public static func start(recordsRequests: Bool = true) async throws -> FakeModelServer {
        let connections = AcceptedConnections()
        let (http, port, task) = try await LocalHTTPServer.start(counting: connections)
        disableNagle(onListenerAt: port)
        let server = FakeModelServer(http: http, port: port, recordsRequests: recordsRequests, connections: connections)
        server.state.withLock { $0.runTask = task }
        await http.appendRoute("*") { [weak server] request in
            guard let server else { throw FakeModelServerAbort.stopped }
            return try await server.handle(request)
        }
        return server
    }

    /// Stops the server: releases hung and stalled responses, closes every connection, and waits
    /// for the server task to end.
    public func stop() async {
        gate.open()
        await http.stop(timeout: 0)
        let task = state.withLock { $0.runTask }
        task?.cancel()
        await task?.value
    }

    /// Appends turns to the queue; each request consumes the first one.
    public func enqueue(_ turns: FakeTurn...) { enqueue(contentsOf: turns) }

    /// Appends turns to the queue; each request consumes the first one.
    public func enqueue(contentsOf turns: [FakeTurn]) {
        state.withLock { $0.queue += turns }
    }

    /// Sets the closure that answers requests when the queue is empty (`nil` removes it).
    public func respond(with responder: (@Sendable (FakeModelRequest) -> FakeTurn)?) {
        state.withLock { $0.respond = responder }
    }

    /// The requests received so far, in arrival order (empty when recording is off).
    public var requests: [FakeModelRequest] { state.withLock { $0.requests } }

    /// The most requests the server was answering at once (a buffered answer ends when its body is
    /// handed over; a stream's end is not counted).
    public var maxConcurrentRequests: Int { state.withLock { $0.maxInFlight } }

    /// How many TCP connections the server accepted so far: a client that keeps its connections alive
    /// sends many requests over one.
    public var connectionCount: Int { connections.value }

    /// How many requests arrived, recorded or not.
    public var requestCount: Int { state.withLock { $0.requestCount } }

    /// When each answered request arrived and when its answer's head was ready (after the turn's
    /// ``FakeLatency/beforeHead``), in the order answered; kept even when recording is off.
    public var timings: [FakeRequestTiming] { state.withLock { $0.timings } }

    /// Forgets the timings so far (for a harness that checks one round of requests at a time).
    public func clearTimings() {
        state.withLock { $0.timings.removeAll() }
    }

    /// Suspends until at least `count` requests have arrived (or the calling task is cancelled).
    ///
    /// For tests that must act while a request is in flight, e.g. cancel a client stuck on a hang.
    public func waitForRequests(count: Int) async {
        try? await state.wait(until: { $0.requestCount >= count })
    }

    /// Enforces `limits` from now on, like a provider: requests past one get a 429 (``rateLimitRejections``).
    /// The server also refuses requests while its own headers said none are left (see ``FakeTurn/headers``).
    public func enforceRateLimits(_ limits: FakeRateLimit...) {
        state.withLock { $0.rateLimit.limits = limits }
    }

    /// Requests refused with a 429 for a rate limit (``enforceRateLimits(_:)`` or announced in headers).
    public var rateLimitRejections: Int { state.withLock { $0.rateLimit.rejected } }

    /// Turns still queued.
    public var pendingTurnCount: Int { state.withLock { $0.queue.count } }

    private func handle(_ httpRequest: FlyingFox.HTTPRequest) async throws -> FlyingFox.HTTPResponse {
        let bodyText = String(decoding: try await httpRequest.bodyData, as: UTF8.self)
        let api: FakeModelRequest.API
        if httpRequest.path.hasSuffix("/chat/completions") {
            api = .openAIChat
        } else if httpRequest.path.hasSuffix("/messages") {
            api = .anthropicMessages
        } else {
            return Self.response(FakeAnswer.error(api: .openAIChat, status: 404, message: "fake model server: no API at \(httpRequest.path)"))
        }
        var headers: [String: String] = [:]
        for (name, value) in httpRequest.headers { headers[name.rawValue.lowercased()] = value }
        if let host = headers["host"], !host.hasSuffix(":\(port)") {
            // A request meant for another server: refuse it rather than consume a scripted turn.
            return Self.response(FakeAnswer.error(api: .openAIChat, status: 421, message: "fake model server on port \(port) got a request for \(host)"))
        }
        let request = FakeModelRequest(api: api, method: httpRequest.method.rawValue, path: httpRequest.path, headers: headers, bodyText: bodyText)

        let arrival = ContinuousClock.now
        defer { state.withLock { $0.inFlight -= 1 } }
        let refused = state.withLock { state in
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
            state.requestCount += 1
            return state.rateLimit.refuses(now: arrival)
        }
        if refused {
            return errorResponse(api: api, status: 429, message: "fake model server: rate limit exceeded", headers: ["retry-after-ms": "50"])
        }
        let (queued, responder, sequence) = state.withLock { state in
            if recordsRequests { state.requests.append(request) }
            let queued: FakeTurn? = state.queue.isEmpty ? nil : state.queue.removeFirst()
            return (queued, state.respond, state.requestCount)
        }
        let turn = queued ?? responder?(request)  // the closure runs outside the lock: it may call the server
        guard let turn else {
            return errorResponse(api: api, status: 500, message: "fake model server: no scripted turn left for request \(sequence)", headers: [:])
        }
        if let count = turn.gather, let failure = await gather(count) {
            return errorResponse(api: api, status: 500, message: failure, headers: [:])
        }
        if !turn.headers.isEmpty {
            let now = ContinuousClock.now
            state.withLock { $0.rateLimit.announce(turn.headers, now: now) }
        }
        if turn.latency.beforeHead > .zero { try await Task.sleep(for: turn.latency.beforeHead) }
        let answered = ContinuousClock.now
        state.withLock { $0.timings.append(FakeRequestTiming(arrival: arrival, answered: answered)) }
        switch turn.fault {
        case .status(let status, let message, let extraHeaders)?:
            return errorResponse(api: api, status: status, message: message, headers: extraHeaders)
        case .hang?:
            await gate.wait()
            throw FakeModelServerAbort.stopped
        default:
            break
        }
        if let recorded = turn.recorded {
            var recordedHeaders = HTTPHeaders()
            recordedHeaders[HTTPHeader("Content-Type")] = recorded.contentType
            for (name, value) in recorded.headers { recordedHeaders[HTTPHeader(name)] = value }
            let body = FakeEventBody(steps: recorded.chunks.map { .send(Array($0.utf8)) }, gate: gate)
            return FlyingFox.HTTPResponse(
                statusCode: HTTPStatusCode(recorded.status, phrase: FakeAnswer.phrase(recorded.status)), headers: recordedHeaders, body: HTTPBodySequence(from: body))
        }
        let rendering = FakeAnswer.rendering(turn, request: request, sequence: sequence)
        let answer = FakeAnswer.rendered(rendering, turn: turn)
        guard case .events = answer.body else { return Self.response(answer) }
        let body = FakeEventBody(rendering: rendering, turn: turn, gate: gate)
        return FlyingFox.HTTPResponse(
            statusCode: HTTPStatusCode(answer.status, phrase: answer.reasonPhrase), headers: Self.headers(answer), body: HTTPBodySequence(from: body))
    }

    /// Holds the request until `count` requests have reached a gather barrier — proof that they were
    /// in flight at once. A minute without them is a failure (the message says how many came).
    private func gather(_ count: Int) async -> String? {
        state.withLock { $0.gathered += 1 }
        let reached = await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await self.state.wait(until: { $0.gathered >= count })) != nil }
            group.addTask {
                try? await Task.sleep(for: .seconds(60))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if reached { return nil }
        return "fake model server: only \(state.withLock { $0.gathered }) of \(count) requests arrived together"
    }

    private func errorResponse(api: FakeModelRequest.API, status: Int, message: String, headers: [String: String]) -> FlyingFox.HTTPResponse {
        Self.response(FakeAnswer.error(api: api, status: status, message: message, headers: headers))
    }

    /// A JSON answer (an event stream's body is played by ``FakeEventBody``).
    private static func response(_ answer: FakeAnswer) -> FlyingFox.HTTPResponse {
        let body = if case .json(let text) = answer.body { text } else { "" }
        return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(answer.status, phrase: answer.reasonPhrase), headers: headers(answer), body: Data(body.utf8))
    }

    private static func headers(_ answer: FakeAnswer) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for (name, value) in answer.headers { headers[HTTPHeader(name)] = value }
        return headers
    }
}

/// Runs `body` with a started ``FakeModelServer`` and stops the server afterwards, even when
/// `body` throws.
///
/// - Parameters:
///   - recordsRequests: keep every request for ``FakeModelServer/requests`` (default `true`).
///   - body: the code using the server.
/// - Returns: what `body` returns.
/// - Throws: what `body` throws, or the server's start failure.
public func withFakeModelServer<Result: Sendable>(
    recordsRequests: Bool = true,
    _ body: (FakeModelServer) async throws -> Result
) async throws -> Result {
    let server = try await FakeModelServer.start(recordsRequests: recordsRequests)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// Sets `TCP_NODELAY` on this process's listening socket at `port`; Linux copies it to every
/// socket accepted from it.
///
/// FlyingFox sets no `TCP_NODELAY` and writes a response head and each stream event separately, so
/// the first event waits for the client's delayed ACK (40 ms on Linux) whenever the connection is
/// not in quick-ACK mode — in these benchmarks, the first model call of nearly every run. That stall
/// belongs to the fake server, not to Brigade, so the server removes it (FlyingFox offers no hook
/// to set socket options before `listen`, hence the search among this process's descriptors).
func disableNagle(onListenerAt port: UInt16) {
    for descriptor in Int32(3)..<Int32(1024) {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0, address.sin_family == sa_family_t(AF_INET), UInt16(bigEndian: address.sin_port) == port else { continue }
        var listening: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) == 0, listening == 1 else { continue }
        var on: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }
}
