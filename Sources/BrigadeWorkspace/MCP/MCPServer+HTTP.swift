import BrigadeSync

extension MCPServer {
    /// Runs one Streamable HTTP session to its end: the poster of the outbox, the handshake, then the
    /// tool listings and the GET stream, all children of this task. The session ends when the
    /// handshake fails or at shutdown (which cancels this task); the server is then sent DELETE.
    /// A server that goes away mid-session is not an end: each call that cannot reach it fails on its
    /// own, and a server that comes back without the session gets a new one (``MCPHTTPTransport``).
    func runHTTPSession() async {
        let (messages, outbox) = AsyncStream<JSONRPCMessage>.makeStream()
        let connection = MCPConnection(serverName: config.name, outbox: outbox)
        let session = MCPSessionNotes()
        let startedAt = ContinuousClock.now
        let ended = OneShotSignal()
        let (refreshes, refresh) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let transport = MCPHTTPTransport(server: self, connection: connection, refresh: refresh)
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await transport.send(messages) }
            tasks.addTask {
                guard await self.handshake(connection, session: session, abort: { ended.fire() }) else { return }
                await withTaskGroup(of: Void.self) { listening in
                    listening.addTask { await transport.listen() }
                    for await _ in refreshes { await self.listTools(connection, session: session) }
                    listening.cancelAll()
                }
            }
            // Returns when the handshake failed, or at once when shutdown cancels this task.
            await ended.wait()
            refresh.finish()
            outbox.finish()
            tasks.cancelAll()
        }
        await transport.endSession()
        finishProcess(connection: connection, reason: session.problem ?? "ended its session", ranFor: ContinuousClock.now - startedAt)
    }
}
