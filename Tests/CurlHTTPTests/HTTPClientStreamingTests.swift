import CurlHTTP
import Dispatch
import Testing

// Three minutes: the 64 MiB slow-reader test takes about a second alone, but it needs thousands of
// pause/resume round trips through the cooperative pool, which CPU-heavy suites can hold for tens
// of seconds on a loaded 2-core machine (it once passed 60 s in a full run under load 20).
@Suite("HTTPClient streaming", .timeLimit(.minutes(3)))
struct HTTPClientStreamingTests {
    /// Serves `total` pattern bytes per request as fast as the socket takes them; fulfils
    /// `sentAll` after the first complete body.
    static func bulkServer(total: Int, sentAll: Promise<Void>) throws -> RawServer {
        let block = Pattern.bytes(count: 251 * 1024)  // whole periods, so blocks repeat exactly
        return try RawServer { connection in
            while connection.readRequest() != nil {
                guard connection.send("HTTP/1.1 200 OK\r\nContent-Length: \(total)\r\n\r\n") else { return }
                var sent = 0
                while sent < total {
                    let count = min(block.count, total - sent)
                    guard connection.send(Array(block[..<count])) else { return }
                    sent += count
                }
                sentAll.fulfill()
            }
        }
    }

    @Test("A slow reader of 64 MiB pauses the transfer and keeps the buffer bounded")
    func backpressure() async throws {
        let total = 64 << 20
        let capacity = 64 * 1024
        let sentAll = Promise<Void>()
        let server = try Self.bulkServer(total: total, sentAll: sentAll)
        let client = HTTPClient(configuration: .init(streamBufferCapacity: capacity))
        defer { client.syncShutdown() }
        try await client.withStream(HTTPRequest(url: server.url + "/")) { head, body in
            #expect(head.status == 200)
            #expect(body.bufferCapacity == capacity)
            // Read nothing until the transfer pauses. Were the buffer unbounded, curl would take all
            // 64 MiB and the body would end instead; the checks below would then fail.
            await body.waitUntilPausedOrFinished()
            #expect(body.pauseCount == 1)
            #expect(!sentAll.isFulfilled)
            var received = 0
            var intact = true
            for try await chunk in body {
                if intact && !Pattern.matches(chunk, offset: received) { intact = false }
                received += chunk.count
                await Task.yield()
            }
            #expect(received == total)
            #expect(intact)
            #expect(body.pauseCount > 1)
            // One network read (16 KiB) may land past the capacity; allow a few times that.
            #expect(body.bufferedBytesHighWater <= capacity + 64 * 1024)
        }
        await sentAll.value
        await server.stop()
    }

    @Test("Time paused for a slow reader does not count as idle")
    func pausedIsNotIdle() async throws {
        let sentAll = Promise<Void>()
        let total = 8 << 20
        let server = try Self.bulkServer(total: total, sentAll: sentAll)
        let client = HTTPClient(configuration: .init(
            timeouts: .init(connect: .seconds(20), idle: .seconds(1)),
            streamBufferCapacity: 16 * 1024
        ))
        defer { client.syncShutdown() }
        let received = try await client.withStream(HTTPRequest(url: server.url + "/")) { _, body in
            await body.waitUntilPausedOrFinished()
            // A reader busy elsewhere for 2.5 idle periods (simulated work, not synchronisation).
            try await Task.sleep(for: .milliseconds(2500))
            return try await body.collect(upTo: total).count
        }
        #expect(received == total)
        await server.stop()
    }

    @Test("The head arrives before the body exists, and SSE events parse across chunked encoding")
    func serverSentEventsOverChunkedBody() async throws {
        let headSeen = DispatchSemaphore(value: 0)
        let events = "retry: 3000\n\n: comment\r\nid: 7\r\nevent: delta\r\ndata: {\"text\":\"hé\"}\r\n\r\ndata: a\ndata: b\n\ndata: [DONE]\n\n"
        let bytes = Array(events.utf8)
        let server = try RawServer { connection in
            guard connection.readRequest() != nil else { return }
            connection.send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
            // Hold the body back until the client has seen the head (a dedicated thread may block).
            headSeen.wait()
            // Awkward chunks: inside CRLF, inside the two-byte "é".
            var start = 0
            for end in [3, 20, 34, 50, 51, 52, 61, bytes.count] where end > start {
                let piece = bytes[start..<end]
                connection.send(String(piece.count, radix: 16) + "\r\n")
                connection.send(Array(piece) + Array("\r\n".utf8))
                start = end
            }
            connection.send("0\r\n\r\n")
            connection.waitForClose()
        }
        let client = HTTPClient()
        defer { client.syncShutdown() }
        let received = try await client.withStream(HTTPRequest(url: server.url + "/events")) { head, body in
            #expect(head.status == 200)
            #expect(head.headers["content-type"] == "text/event-stream")
            headSeen.signal()
            var events: [ServerSentEvent] = []
            for try await event in body.serverSentEvents() { events.append(event) }
            return events
        }
        #expect(received == [
            ServerSentEvent(event: "delta", data: "{\"text\":\"hé\"}", id: "7"),
            ServerSentEvent(data: "a\nb", id: "7"),
            ServerSentEvent(data: "[DONE]", id: "7"),
        ])
        await server.stop()
    }

    @Test("A stall mid-stream surfaces as idleTimeout from the iterator, after the bytes that came")
    func idleTimeoutWhileStreaming() async throws {
        let closed = Promise<Void>()
        let server = try HTTPClientTimeoutTests.stallingServer(closed: closed)
        let client = HTTPClient(configuration: .init(timeouts: .init(connect: .seconds(20), idle: .milliseconds(300))))
        defer { client.syncShutdown() }
        var received: [UInt8] = []
        let error = await httpError {
            try await client.withStream(HTTPRequest(url: server.url + "/")) { _, body in
                for try await chunk in body { received += chunk }
            }
        }
        #expect(error?.code == .idleTimeout)
        #expect(received == Array("0123456789".utf8))
        await closed.value
        await server.stop()
    }

    @MainActor
    @Test("withStream runs its closure in the caller's isolation, which may mutate local state")
    func fromMainActor() async throws {
        let server = try Self.bulkServer(total: 100_000, sentAll: Promise())
        let client = HTTPClient()
        defer { client.syncShutdown() }
        var total = 0
        let status = try await client.withStream(HTTPRequest(url: server.url + "/")) { head, body in
            MainActor.assertIsolated()
            for try await chunk in body { total += chunk.count }
            return head.status
        }
        #expect(status == 200)
        #expect(total == 100_000)
        await server.stop()
    }

    @Test("collect(upTo:) fails with responseTooLarge past its limit")
    func collectLimit() async throws {
        let server = try Self.bulkServer(total: 100_000, sentAll: Promise())
        let client = HTTPClient()
        defer { client.syncShutdown() }
        let error = await httpError {
            try await client.withStream(HTTPRequest(url: server.url + "/")) { _, body in try await body.collect(upTo: 1000) }
        }
        #expect(error?.code == .responseTooLarge)
        let whole = try await client.withStream(HTTPRequest(url: server.url + "/")) { _, body in
            try await body.collect(upTo: 100_000)
        }
        #expect(whole == Pattern.bytes(count: 100_000))
        await server.stop()
    }
}
