import BrigadeCore
import BrigadeSync
import CurlHTTP
import Logging
import Synchronization

/// One session with a Streamable HTTP MCP server (MCP 2025-03-26 and 2025-06-18, "Streamable HTTP"):
/// every message of the connection's outbox is a POST to the server's one URL, and the answer to a
/// request comes back as one JSON body or as an SSE stream that may carry the server's own
/// notifications and requests first.
///
/// - The session id the server gives in the `initialize` answer's `Mcp-Session-Id` header goes with
///   every later request, with `MCP-Protocol-Version`. A 404 to a request carrying it means the server
///   forgot the session (it restarted): the transport initializes a new session, once, and sends the
///   request again.
/// - Requests are posted at once, each in its own child task; notifications and responses in order
///   (the server must see `notifications/initialized` before the next request). A cancelled request's
///   `notifications/cancelled` also ends its POST.
/// - ``listen()`` keeps the optional GET stream for notifications not tied to a request; a server
///   that answers it with 405 does not offer one.
/// - ``endSession()`` sends DELETE with the session id at shutdown.
///
/// Nothing is ever sent anywhere but the configured URL: curl follows no redirect, so a 3xx is an error.
final class MCPHTTPTransport: Sendable {
    private struct State {
        var sessionID: String?
        var protocolVersion: String?
        /// The POSTs of requests still running, by request id: firing one ends that POST.
        var aborts: [Int: OneShotSignal] = [:]
        var renewal: Renewal?
    }

    /// One re-initialization after a 404, awaited by every request that met the 404.
    private final class Renewal: Sendable {
        let replacing: String?
        let done = OneShotSignal()
        let result = Mutex<Result<Void, MCPError>?>(nil)
        init(replacing: String?) { self.replacing = replacing }
    }

    /// What one POST came to.
    enum Outcome {
        /// The request's response (or error) arrived and was delivered.
        case answered
        /// A notification or response was accepted.
        case accepted
        /// HTTP 404 to a request that carried this session id.
        case sessionExpired(String)
        case failed(MCPError)
    }

    let server: MCPServer
    let connection: MCPConnection
    /// Where the server's own messages go (``MCPServer/receive(_:connection:refresh:)``).
    let receive: @Sendable (JSONRPCMessage) -> Void
    /// Asks for a new `tools/list` (after a new session).
    let refresh: AsyncStream<Void>.Continuation
    let client: HTTPClient
    private let state = Mutex(State())

    /// Longest wait for a notification's or response's POST, and for the DELETE at shutdown.
    static let shortExchange: Duration = .seconds(10)

    init(server: MCPServer, connection: MCPConnection, refresh: AsyncStream<Void>.Continuation, client: HTTPClient = .shared) {
        self.server = server
        self.connection = connection
        self.refresh = refresh
        self.client = client
        self.receive = { [server] message in server.receive(message, connection: connection, refresh: refresh) }
    }

    var name: String { server.config.name }
    var url: String { server.config.url ?? "" }
    var sessionID: String? { state.withLock { $0.sessionID } }

    // MARK: Sending

    /// Posts every message of the outbox until it finishes (the session closed) or the task is cancelled.
    func send(_ messages: AsyncStream<JSONRPCMessage>) async {
        await withDiscardingTaskGroup { posts in
            for await message in messages {
                switch message {
                case .request(let id, _, _):
                    let abort = OneShotSignal()
                    if let number = id.intValue { state.withLock { $0.aborts[number] = abort } }
                    posts.addTask { await self.postRequest(message, id: id, abort: abort) }
                case .notification("notifications/cancelled", let params):
                    await postInOrder(message)
                    if let number = params?["requestId"]?.intValue {
                        state.withLock { $0.aborts.removeValue(forKey: number) }?.fire()
                    }
                default:
                    await postInOrder(message)
                }
            }
        }
    }

    /// A request's POST, ended early when its cancellation is sent; a failure goes to the waiting request.
    private func postRequest(_ message: JSONRPCMessage, id: JSONValue, abort: OneShotSignal) async {
        defer { if let number = id.intValue { state.withLock { _ = $0.aborts.removeValue(forKey: number) } } }
        await withTaskGroup(of: Void.self) { race in
            race.addTask {
                if case .failed(let error) = await self.exchange(message, awaiting: id) {
                    self.connection.deliver(id: id, .failure(error))
                }
            }
            race.addTask { await abort.wait() }
            await race.next()
            race.cancelAll()
        }
    }

    /// A notification or response: posted before the next one; a failure is logged.
    private func postInOrder(_ message: JSONRPCMessage) async {
        if case .failed(let error) = await exchange(message, awaiting: nil) {
            server.logger.warning("MCP server did not accept a message", metadata: ["server": "\(name)", "reason": "\(server.redact(error.message))"])
        }
    }

    /// One POST, and after a 404 on the session a new session and the same POST once more.
    private func exchange(_ message: JSONRPCMessage, awaiting id: JSONValue?) async -> Outcome {
        let outcome = await post(message, awaiting: id)
        guard case .sessionExpired(let old) = outcome else { return outcome }
        if case .failure(let error) = await renewSession(replacing: old) { return .failed(error) }
        let again = await post(message, awaiting: id)
        if case .sessionExpired = again {
            return .failed(MCPError("MCP server '\(name)' answered HTTP 404 (no such session) again, right after a new session began"))
        }
        return again
    }

    /// Sends one message and reads the answer: a JSON body or an SSE stream (for a request), nothing
    /// of interest (for a notification or response).
    func post(_ message: JSONRPCMessage, awaiting id: JSONValue?) async -> Outcome {
        let isInitialize: Bool
        if case .request(_, "initialize", _) = message { isInitialize = true } else { isInitialize = false }
        var headers = headers(accept: "application/json, text/event-stream", inSession: !isInitialize)
        headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        let session = headers["Mcp-Session-Id"]
        let request = HTTPRequest(
            method: "POST", url: url, headers: headers, body: Array(message.json.jsonString.utf8),
            // A call may think quietly for as long as its timeout allows: the caller's cancellation ends it.
            timeouts: .init(connect: .seconds(10), idle: nil, total: id == nil ? Self.shortExchange : nil)
        )
        var reader = MCPHTTPAnswerReader(server: server, awaiting: id, receive: receive)
        do {
            return try await client.withStream(request) { head, body in
                if head.status == 404, !isInitialize, let session { return .sessionExpired(session) }
                if isInitialize, (200..<300).contains(head.status) {
                    state.withLock { $0.sessionID = head.headers["Mcp-Session-Id"] }
                }
                reader.gotHead = true
                let outcome = try await reader.read(head, body)
                if isInitialize, case .answered = outcome, let version = reader.answer?["protocolVersion"]?.stringValue {
                    state.withLock { $0.protocolVersion = version }
                }
                return outcome
            }
        } catch {
            return .failed(reader.describe(error))
        }
    }

    /// The configured headers, `Accept`, and in a session its id and protocol version.
    private func headers(accept: String, inSession: Bool) -> HTTPHeaders {
        var headers = HTTPHeaders(server.config.headers.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) })
        headers.replaceOrAdd(name: "Accept", value: accept)
        guard inSession else { return headers }
        let (session, version) = state.withLock { ($0.sessionID, $0.protocolVersion) }
        if let session { headers.replaceOrAdd(name: "Mcp-Session-Id", value: session) }
        if let version { headers.replaceOrAdd(name: "MCP-Protocol-Version", value: version) }
        return headers
    }

    // MARK: Sessions

    /// Starts a new session after the server forgot `old`: `initialize` without a session id, then
    /// `notifications/initialized`, then a new tool listing. Requests that met the same 404 wait for
    /// the one renewal; a request that met it after the renewal just sends again.
    func renewSession(replacing old: String?) async -> Result<Void, MCPError> {
        enum Role { case done, wait(Renewal), lead(Renewal) }
        let role: Role = state.withLock { state in
            if state.sessionID != old { return .done }
            if let renewal = state.renewal, renewal.replacing == old { return .wait(renewal) }
            let renewal = Renewal(replacing: old)
            state.renewal = renewal
            return .lead(renewal)
        }
        switch role {
        case .done:
            return .success(())
        case .wait(let renewal):
            await renewal.done.wait()
            return renewal.result.withLock { $0 } ?? .failure(MCPError("MCP server '\(name)': the call was cancelled while a new session began"))
        case .lead(let renewal):
            server.logger.info("MCP server forgot its session; starting a new one", metadata: ["server": "\(name)"])
            let result = await initializeSession()
            renewal.result.withLock { $0 = result }
            state.withLock { state in
                if state.renewal === renewal { state.renewal = nil }
                if case .failure = result, state.sessionID == old { state.sessionID = nil }
            }
            renewal.done.fire()
            if case .success = result { refresh.yield(()) }
            return result
        }
    }

    private func initializeSession() async -> Result<Void, MCPError> {
        let request = JSONRPCMessage.request(id: .string("brigade-new-session"), method: "initialize", params: MCPServer.initializeParams)
        switch await post(request, awaiting: .string("brigade-new-session")) {
        case .failed(let error):
            return .failure(MCPError("MCP server '\(name)' forgot the session (HTTP 404) and a new one failed: \(server.unnamed(error))"))
        case .answered, .accepted, .sessionExpired:
            _ = await post(.notification(method: "notifications/initialized", params: nil), awaiting: nil)
            return .success(())
        }
    }

    /// Keeps the server's GET stream open while the session lasts, for notifications not tied to a
    /// request (`tools/list_changed` after a change made elsewhere). A server that answers 405 (or
    /// another 4xx) offers none; a broken stream is opened again after a pause (1 s, doubling to 30 s).
    func listen() async {
        var pause: Duration = .seconds(1)
        while !Task.isCancelled {
            let headers = headers(accept: "text/event-stream", inSession: true)
            let session = headers["Mcp-Session-Id"]
            let request = HTTPRequest(method: "GET", url: url, headers: headers, timeouts: .init(connect: .seconds(10), idle: nil, total: nil))
            var reader = MCPHTTPAnswerReader(server: server, awaiting: nil, receive: receive)
            enum Step { case stop, again, renew(String) }
            let step: Step
            do {
                step = try await client.withStream(request) { head, body in
                    if head.status == 404, let session { return .renew(session) }
                    guard head.status == 200, reader.isEventStream(head) else { return .stop }
                    reader.gotHead = true
                    try await reader.readEvents(body)
                    return .again
                }
            } catch {
                step = .again
            }
            switch step {
            case .stop: return
            case .renew(let old): _ = await renewSession(replacing: old)
            case .again: break
            }
            if reader.delivered > 0 { pause = .seconds(1) }
            do { try await Task.sleep(for: pause) } catch { return }
            pause = min(pause * 2, .seconds(30))
        }
    }

    /// Ends the session on the server (DELETE with its id; a 405 or any failure is fine). Runs even
    /// when the calling task is cancelled (shutdown cancels the session's task).
    func endSession() async {
        let headers = headers(accept: "application/json, text/event-stream", inSession: true)
        guard headers.contains("Mcp-Session-Id") else { return }
        let request = HTTPRequest(method: "DELETE", url: url, headers: headers, timeouts: .init(connect: .seconds(2), idle: nil, total: .seconds(2)))
        let client = self.client
        // Unstructured so that the shutdown's cancellation does not stop the DELETE; awaited at once.
        _ = await Task { try? await client.send(request, maxBodyBytes: 64 * 1024) }.value
    }
}
