import BrigadeCore
import CurlHTTP

/// Reads what a Streamable HTTP MCP server answers to one POST (or sends on its GET stream): a JSON
/// body (one message or an array of them), or an SSE stream whose `message` events each carry one.
/// Every message goes to `receive`; the one answering `awaiting` ends the read. Bodies are read within
/// ``MCPServer/maxMessageBytes`` (a JSON body, an SSE line or event), so memory stays bounded whatever
/// the server sends; a stream that never answers ends when the caller's task is cancelled.
struct MCPHTTPAnswerReader {
    let server: MCPServer
    /// The id of the request this POST carries; `nil` for a notification, a response or the GET stream.
    let awaiting: JSONValue?
    let receive: @Sendable (JSONRPCMessage) -> Void
    /// The head arrived: a failure after it broke a running exchange.
    var gotHead = false
    /// The result of the awaited request, once it arrived.
    private(set) var answer: JSONValue?
    private(set) var answered = false
    /// Messages passed on so far.
    private(set) var delivered = 0
    /// The first piece of data that was not JSON-RPC.
    private var garbage: String?

    init(server: MCPServer, awaiting: JSONValue?, receive: @escaping @Sendable (JSONRPCMessage) -> Void) {
        self.server = server
        self.awaiting = awaiting
        self.receive = receive
    }

    var name: String { server.config.name }

    /// The answer to a POST.
    mutating func read(_ head: HTTPResponseHead, _ body: HTTPBodyStream) async throws -> MCPHTTPTransport.Outcome {
        guard (200..<300).contains(head.status) else {
            let redirect = (300..<400).contains(head.status) ? " (redirects are not followed: set `url` to the address that answers)" : ""
            return .failed(MCPError("MCP server '\(name)' answered HTTP \(head.status)\(redirect)" + (await Self.excerpt(body)).map { ": `\($0)`" }.orEmpty))
        }
        guard awaiting != nil else { return .accepted }
        if head.status == 202 { return .failed(MCPError("MCP server '\(name)' accepted the request (HTTP 202) without answering it")) }
        if isEventStream(head) {
            try await readEvents(body)
            return answered ? .answered : .failed(MCPError("MCP server '\(name)' ended its event stream without answering the request" + garbageNote))
        }
        guard Self.mediaType(head) == "application/json" else {
            let type = head.headers["Content-Type"] ?? "none"
            return .failed(MCPError(
                "MCP server '\(name)' answered with Content-Type `\(type.quotedForError(limit: 80))`, not JSON or an event stream"
                    + (await Self.excerpt(body)).map { ": `\($0)`" }.orEmpty))
        }
        let bytes = try await body.collect(upTo: MCPServer.maxMessageBytes)
        guard let json = try? JSONValue(parsing: bytes) else {
            return .failed(MCPError("MCP server '\(name)' answered with a body that is not JSON: `\(Self.text(bytes))`"))
        }
        for item in json.arrayValue ?? [json] { take(item, raw: bytes) }
        return answered ? .answered : .failed(MCPError("MCP server '\(name)' answered without a response to the request" + garbageNote))
    }

    /// Passes on the messages of an SSE stream until it ends or the awaited answer arrived.
    mutating func readEvents(_ body: HTTPBodyStream) async throws {
        let limits = ServerSentEventParser.Limits(maxLineBytes: MCPServer.maxMessageBytes, maxEventBytes: MCPServer.maxMessageBytes)
        for try await event in body.serverSentEvents(limits: limits) {
            guard event.event == "message", !event.data.isEmpty else { continue }
            let bytes = Array(event.data.utf8)
            guard let json = try? JSONValue(parsing: bytes) else {
                noteGarbage(bytes)
                continue
            }
            for item in json.arrayValue ?? [json] { take(item, raw: bytes) }
            if answered { return }
        }
    }

    private mutating func take(_ item: JSONValue, raw: [UInt8]) {
        guard let message = try? JSONRPCMessage(json: item) else {
            noteGarbage(raw)
            return
        }
        switch message {
        case .response(let id, let result) where id == awaiting:
            answer = result
            answered = true
        case .failure(let id, _) where id == awaiting:
            answered = true
        default:
            break
        }
        receive(message)
    }

    private mutating func noteGarbage(_ bytes: [UInt8]) {
        let text = Self.text(bytes)
        if garbage == nil {
            garbage = text
            server.logger.warning("MCP server sent data that is not JSON-RPC", metadata: ["server": "\(name)", "data": "\(server.redact(text))"])
        }
    }

    private var garbageNote: String {
        garbage.map { "; it sent data that is not JSON-RPC: `\($0)`" } ?? ""
    }

    func isEventStream(_ head: HTTPResponseHead) -> Bool { Self.mediaType(head) == "text/event-stream" }

    /// The failure of an exchange, in words for the model.
    func describe(_ error: any Error) -> MCPError {
        guard let error = error as? HTTPError else { return MCPError("MCP server '\(name)': \(error)") }
        switch error.code {
        case .responseTooLarge:
            return MCPError("MCP server '\(name)' sent an answer past the \(MCPServer.maxMessageBytes)-byte limit of a message: \(error.message)")
        case .cancelled:
            return MCPError("MCP server '\(name)': the request was cancelled")
        default:
            if gotHead { return MCPError("MCP server '\(name)' stopped while the call ran: the connection broke: \(error.message)") }
            return MCPError("MCP server '\(name)' could not be reached at \(server.config.url ?? ""): \(error.message)")
        }
    }

    /// `type/subtype` of the Content-Type, lowercased, without parameters.
    static func mediaType(_ head: HTTPResponseHead) -> String {
        let value = head.headers["Content-Type"] ?? ""
        return String(value.prefix { $0 != ";" }.filter { $0 != " " && $0 != "\t" }).lowercased()
    }

    /// The start of a body, for an error message (at most 2 KiB are read).
    static func excerpt(_ body: HTTPBodyStream) async -> String? {
        var bytes: [UInt8] = []
        var iterator = body.makeAsyncIterator()
        while bytes.count < 2048, let chunk = try? await iterator.next() { bytes += chunk.prefix(2048 - bytes.count) }
        let text = text(bytes)
        return text.isEmpty ? nil : text
    }

    static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix(2048), as: UTF8.self).trimmingTrailingWhitespace.quotedForError(limit: 200)
    }
}

extension Optional where Wrapped == String {
    fileprivate var orEmpty: String { self ?? "" }
}
