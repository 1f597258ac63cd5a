import CurlHTTP
import Testing

/// Cancelling the calling task aborts the transfer: the call throws `.cancelled` and the server
/// sees its socket close. The idle timeout stays at its 120 s default, so a cancellation that did
/// not work would hang until the suite's time limit instead of passing.
@Suite("HTTPClient cancellation", .timeLimit(.minutes(1)))
struct HTTPClientCancellationTests {
    /// Sends a head and part of the body, fulfils `sentPart`, then waits for the client to close.
    static func partialBodyServer(sentPart: Promise<Void>, closed: Promise<Void>) throws -> RawServer {
        try RawServer { connection in
            guard connection.readRequest() != nil else { return }
            connection.send("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + String(repeating: "x", count: 5000))
            sentPart.fulfill()
            connection.waitForClose()
            closed.fulfill()
        }
    }

    @Test("Cancelling send mid-body throws cancelled and closes the connection")
    func cancelSend() async throws {
        let sentPart = Promise<Void>(), closed = Promise<Void>()
        let server = try Self.partialBodyServer(sentPart: sentPart, closed: closed)
        let client = HTTPClient()
        let task = Task { try await client.send(HTTPRequest(url: server.url + "/")) }
        await sentPart.value
        task.cancel()
        let error = await httpError { try await task.value }
        #expect(error?.code == .cancelled)
        await closed.value
        #expect(client.activeTransferCount == 0)
        await client.shutdown()
        #expect(client.liveTransferObjectCount == 0)
        await server.stop()
    }

    @Test("Cancelling a task reading a stream throws cancelled and closes the connection")
    func cancelStreamRead() async throws {
        let sentPart = Promise<Void>(), closed = Promise<Void>()
        let server = try Self.partialBodyServer(sentPart: sentPart, closed: closed)
        let client = HTTPClient()
        let firstChunk = Promise<Void>()
        let task = Task {
            try await client.withStream(HTTPRequest(url: server.url + "/")) { head, body in
                #expect(head.status == 200)
                var iterator = body.makeAsyncIterator()
                _ = try await iterator.next()
                firstChunk.fulfill()
                // The server sends no more than 5000 bytes, so this ends only by cancellation.
                while try await iterator.next() != nil {}
            }
        }
        await firstChunk.value
        task.cancel()
        let error = await httpError { try await task.value }
        #expect(error?.code == .cancelled)
        await closed.value
        #expect(client.activeTransferCount == 0)
        await client.shutdown()
        #expect(client.liveTransferObjectCount == 0)
        await server.stop()
    }

    @Test("Cancelling while waiting for the head throws cancelled")
    func cancelBeforeHead() async throws {
        let arrived = Promise<Void>(), closed = Promise<Void>()
        let server = try RawServer { connection in
            guard connection.readRequest() != nil else { return }
            arrived.fulfill()
            connection.waitForClose()
            closed.fulfill()
        }
        let client = HTTPClient()
        defer { client.syncShutdown() }
        let task = Task { try await client.withStream(HTTPRequest(url: server.url + "/")) { _, _ in 1 } }
        await arrived.value
        task.cancel()
        #expect(await httpError { try await task.value }?.code == .cancelled)
        await closed.value
        await server.stop()
    }

    @Test("Returning early from withStream cancels the transfer before withStream returns")
    func earlyReturnCancels() async throws {
        let sentPart = Promise<Void>(), closed = Promise<Void>()
        let server = try Self.partialBodyServer(sentPart: sentPart, closed: closed)
        let client = HTTPClient()
        defer { client.syncShutdown() }
        let status = try await client.withStream(HTTPRequest(url: server.url + "/")) { head, _ in head.status }
        #expect(status == 200)
        #expect(client.activeTransferCount == 0)
        await closed.value
        await server.stop()
    }

    @Test("Throwing from the withStream closure rethrows it and cancels the transfer")
    func throwingClosureCancels() async throws {
        struct Stop: Error {}
        let sentPart = Promise<Void>(), closed = Promise<Void>()
        let server = try Self.partialBodyServer(sentPart: sentPart, closed: closed)
        let client = HTTPClient()
        defer { client.syncShutdown() }
        await #expect(throws: Stop.self) {
            try await client.withStream(HTTPRequest(url: server.url + "/")) { _, _ in throw Stop() }
        }
        #expect(client.activeTransferCount == 0)
        await closed.value
        await server.stop()
    }

    @Test("A task cancelled before sending never reaches the server")
    func cancelledBeforeSend() async throws {
        let server = try RawServer()
        let client = HTTPClient()
        defer { client.syncShutdown() }
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.send(HTTPRequest(url: server.url + "/"))
        }
        #expect(await httpError { try await task.value }?.code == .cancelled)
        await server.stop()
        #expect(server.acceptedCount.withLock { $0 } == 0)
    }
}
