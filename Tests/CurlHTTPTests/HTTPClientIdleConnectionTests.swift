import BrigadeSync
import CurlHTTP
import Dispatch
import Testing

/// The loop keeps the socket of an idle keep-alive connection in its epoll set between transfers
/// (`CurlEvents.c`): a connection used again after a pause must still work, one its server closed
/// while idle must wake the loop once (not on every pass), and a descriptor number curl closed and
/// opened again for a new connection must be watched anew.
@Suite("HTTPClient idle keep-alive connections", .timeLimit(.minutes(1)))
struct HTTPClientIdleConnectionTests {
    static let timeouts = HTTPClient.Configuration.Timeouts(connect: .seconds(5), idle: .seconds(5))

    @Test("A keep-alive connection used again after idle pauses still carries requests")
    func reuseAfterIdle() async throws {
        let server = try RawServer { connection in
            while let request = connection.readRequest() {
                let path = request.head.split(separator: " ")[1]
                connection.send("HTTP/1.1 200 OK\r\nContent-Length: \(path.utf8.count)\r\n\r\n\(path)")
            }
        }
        let client = HTTPClient(configuration: .init(timeouts: Self.timeouts))
        defer { client.syncShutdown() }

        for index in 0..<4 {
            let response = try await client.send(HTTPRequest(url: server.url + "/r\(index)"))
            #expect(response.status == 200 && response.body == Array("/r\(index)".utf8))
            let streamed = try await client.withStream(HTTPRequest(url: server.url + "/s\(index)")) { head, body in
                (head.status, try await body.collect(upTo: 100))
            }
            #expect(streamed.0 == 200 && streamed.1 == Array("/s\(index)".utf8))
            try await Task.sleep(for: .milliseconds(150))
        }
        #expect(server.acceptedCount.value == 1)
        #expect(client.idleSocketWakeupCount == 0)
        await server.stop()
    }

    @Test("A connection its server closes while idle wakes the loop once; the next request opens a new one")
    func serverClosesIdleConnection() async throws {
        let closeNow = DispatchSemaphore(value: 0)
        let server = try RawServer { connection in
            guard connection.readRequest() != nil else { return }
            // Keep-alive as far as the client can tell; closed once the test says so.
            connection.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            closeNow.wait()
        }
        let client = HTTPClient(configuration: .init(timeouts: Self.timeouts))
        defer { client.syncShutdown() }

        let first = try await client.send(HTTPRequest(url: server.url + "/first"))
        #expect(first.status == 200 && first.body == Array("ok".utf8))
        closeNow.signal()
        // The end of the connection reaches the idle socket in the epoll set.
        let clock = ContinuousClock()
        let giveUp = clock.now.advanced(by: .seconds(10))
        while client.idleSocketWakeupCount == 0, clock.now < giveUp {
            try await Task.sleep(for: .milliseconds(10))
        }
        try #require(client.idleSocketWakeupCount == 1)
        // Taken out of the set, the closed socket no longer wakes the loop (level-triggered epoll
        // would report it on every pass otherwise).
        let passes = client.loopPassCount
        try await Task.sleep(for: .milliseconds(300))
        #expect(client.loopPassCount - passes <= 3)
        #expect(client.idleSocketWakeupCount == 1)

        closeNow.signal()
        let second = try await client.send(HTTPRequest(url: server.url + "/second"))
        #expect(second.status == 200 && second.body == Array("ok".utf8))
        #expect(server.acceptedCount.value == 2)
        await server.stop()
    }

    @Test("Connections curl closes after each response free descriptor numbers that new connections reuse")
    func closedConnectionsReuseDescriptors() async throws {
        let server = try RawServer { connection in
            guard connection.readRequest() != nil else { return }
            connection.send("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
        }
        let client = HTTPClient(configuration: .init(timeouts: Self.timeouts))
        defer { client.syncShutdown() }

        for index in 0..<20 {
            let response = try await client.send(HTTPRequest(url: server.url + "/\(index)"))
            #expect(response.status == 200 && response.body == Array("ok".utf8))
        }
        // Some requests streamed, with the reader stopping before the end: each connection is
        // still closed by curl, and the next one gets its descriptor watched again.
        for index in 0..<5 {
            let status = try await client.withStream(HTTPRequest(url: server.url + "/s\(index)")) { head, _ in head.status }
            #expect(status == 200)
            let response = try await client.send(HTTPRequest(url: server.url + "/after\(index)"))
            #expect(response.status == 200)
        }
        #expect(server.acceptedCount.value == 30)
        #expect(client.idleSocketWakeupCount == 0)
        await server.stop()
    }

    @Test("Sockets of refused connection attempts, closed without a word to the loop, do not stop new ones being watched")
    func refusedAttemptsBetweenRequests() async throws {
        let (refusing, refusedPort) = try RawServer.refusingPort()
        defer { closeSocket(refusing) }
        let server = try RawServer { connection in
            while connection.readRequest() != nil {
                connection.send("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
                return
            }
        }
        let client = HTTPClient(configuration: .init(timeouts: Self.timeouts))
        defer { client.syncShutdown() }

        for index in 0..<10 {
            let refused = await httpError { try await client.send(HTTPRequest(url: "http://127.0.0.1:\(refusedPort)/\(index)")) }
            #expect(refused?.code == .connectionFailed)
            let response = try await client.send(HTTPRequest(url: server.url + "/\(index)"))
            #expect(response.status == 200 && response.body == Array("ok".utf8))
        }
        #expect(server.acceptedCount.value == 10)
        await server.stop()
    }
}
