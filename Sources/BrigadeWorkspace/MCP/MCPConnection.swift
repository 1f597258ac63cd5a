import BrigadeCore
import Synchronization
/// The client side of one live MCP session: numbered requests awaiting their responses, and an outbox
/// of messages for the server (sent, in order, by the one task that owns the transport: the writer of
/// a server's stdin, or the poster of a Streamable HTTP server's requests).
///
/// A request whose task is cancelled (the dispatcher's timeout, the run's cancellation) stops waiting
/// at once and sends `notifications/cancelled` for it. When the session ends (the server exited,
/// shutdown) every waiting request fails with the reason.
final class MCPConnection: Sendable {
    private enum Slot {
        /// Sent; nobody waits yet.
        case sent
        case waiting(CheckedContinuation<JSONValue, any Error>)
        case finished(Result<JSONValue, any Error>)
    }

    private struct State {
        var nextID = 0
        var pending: [Int: Slot] = [:]
        var closedReason: String?
    }

    let serverName: String
    private let outbox: AsyncStream<JSONRPCMessage>.Continuation
    private let state = Mutex(State())

    /// - Parameter outbox: where messages for the server go; finished when the session closes.
    init(serverName: String, outbox: AsyncStream<JSONRPCMessage>.Continuation) {
        self.serverName = serverName
        self.outbox = outbox
    }

    /// Sends a request and waits for its result.
    /// - Throws: ``MCPError`` (`remote` for the server's JSON-RPC error, `closed` when the session
    ///   ended first) or `CancellationError` when the calling task is cancelled.
    func request(_ method: String, params: JSONValue?) async throws -> JSONValue {
        let id: Int = try state.withLock { state throws(MCPError) in
            if let reason = state.closedReason { throw MCPError.closed(server: serverName, reason: reason) }
            state.nextID += 1
            state.pending[state.nextID] = .sent
            return state.nextID
        }
        outbox.yield(.request(id: .integer(id), method: method, params: params))
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let early: Result<JSONValue, any Error>? = state.withLock { state in
                    switch state.pending[id] {
                    case .sent:
                        state.pending[id] = .waiting(continuation)
                        return nil
                    case .finished(let result):
                        state.pending[id] = nil
                        return result
                    case .waiting, nil:
                        // Removed by cancellation (or closed) before we got here.
                        if let reason = state.closedReason { return .failure(MCPError.closed(server: serverName, reason: reason)) }
                        return .failure(CancellationError())
                    }
                }
                if let early { continuation.resume(with: early) }
            }
        } onCancel: {
            cancel(id)
        }
    }

    /// Sends a notification (no answer expected).
    func notify(_ method: String, params: JSONValue? = nil) {
        outbox.yield(.notification(method: method, params: params))
    }

    /// Sends an answer to a request of the server.
    func reply(_ message: JSONRPCMessage) {
        outbox.yield(message)
    }

    private func cancel(_ id: Int) {
        let (wasPending, waiter): (Bool, CheckedContinuation<JSONValue, any Error>?) = state.withLock { state in
            guard let slot = state.pending.removeValue(forKey: id) else { return (false, nil) }
            if case .waiting(let continuation) = slot { return (true, continuation) }
            return (true, nil)
        }
        guard wasPending else { return }
        notify("notifications/cancelled", params: ["requestId": .integer(id), "reason": "the call was cancelled or timed out"])
        waiter?.resume(throwing: CancellationError())
    }

    /// Delivers a response (or error) from the server to its request; unknown ids are ignored (a
    /// response to a cancelled request may still come).
    func deliver(id: JSONValue, _ result: Result<JSONValue, any Error>) {
        guard let number = id.intValue else { return }
        let waiter: CheckedContinuation<JSONValue, any Error>? = state.withLock { state in
            switch state.pending[number] {
            case .sent:
                state.pending[number] = .finished(result)
                return nil
            case .waiting(let continuation):
                state.pending[number] = nil
                return continuation
            case .finished, nil:
                return nil
            }
        }
        waiter?.resume(with: result)
    }

    /// Ends the session: every waiting request fails with `reason`, later ones fail at once.
    func close(reason: String) {
        let waiters: [CheckedContinuation<JSONValue, any Error>] = state.withLock { state in
            guard state.closedReason == nil else { return [] }
            state.closedReason = reason
            var waiters: [CheckedContinuation<JSONValue, any Error>] = []
            for (id, slot) in state.pending {
                switch slot {
                case .waiting(let continuation):
                    waiters.append(continuation)
                    state.pending[id] = nil
                case .sent:
                    state.pending[id] = .finished(.failure(MCPError.closed(server: serverName, reason: reason)))
                case .finished:
                    break
                }
            }
            return waiters
        }
        outbox.finish()
        for waiter in waiters { waiter.resume(throwing: MCPError.closed(server: serverName, reason: reason)) }
    }

    var isClosed: Bool { state.withLock { $0.closedReason != nil } }
}

/// Why talking to an MCP server failed.
public struct MCPError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    static func closed(server: String, reason: String) -> MCPError {
        MCPError("MCP server '\(server)' \(reason)")
    }

    static func remote(server: String, _ error: JSONRPCError) -> MCPError {
        MCPError("MCP server '\(server)' answered with an error: \(error)")
    }

    public var description: String { message }
}
