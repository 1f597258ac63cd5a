import CurlHTTP
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Each limit fails with its own code. Limits are short (hundreds of milliseconds) and the other
/// limits long, so only the one under test can fire.
@Suite("HTTPClient timeouts", .timeLimit(.minutes(1)))
struct HTTPClientTimeoutTests {
    /// A server that answers with a head and 10 of 100 promised bytes, then stalls until the
    /// client closes; `closed` is fulfilled then.
    static func stallingServer(closed: Promise<Void>) throws -> RawServer {
        try RawServer { connection in
            guard connection.readRequest() != nil else { return }
            connection.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
            connection.waitForClose()
            closed.fulfill()
        }
    }

    @Test("No bytes after the first ones: idleTimeout, and the connection is closed")
    func idleTimeoutMidBody() async throws {
        let closed = Promise<Void>()
        let server = try Self.stallingServer(closed: closed)
        let client = HTTPClient(configuration: .init(timeouts: .init(connect: .seconds(20), idle: .milliseconds(300), total: .seconds(30))))
        defer { client.syncShutdown() }
        let error = await httpError { try await client.send(HTTPRequest(url: server.url + "/")) }
        #expect(error?.code == .idleTimeout)
        await closed.value
        #expect(client.activeTransferCount == 0)
        await server.stop()
    }

    @Test("A server that accepts but never answers: idleTimeout")
    func idleTimeoutWithoutAnswer() async throws {
        let closed = Promise<Void>()
        let server = try RawServer { connection in
            guard connection.readRequest() != nil else { return }
            connection.waitForClose()
            closed.fulfill()
        }
        let client = HTTPClient()
        defer { client.syncShutdown() }
        let request = HTTPRequest(url: server.url + "/", timeouts: .init(connect: .seconds(20), idle: .milliseconds(300)))
        let error = await httpError { try await client.send(request) }
        #expect(error?.code == .idleTimeout)
        await closed.value
        await server.stop()
    }

    @Test("The total timeout fails with deadlineExceeded")
    func totalTimeout() async throws {
        let closed = Promise<Void>()
        let server = try Self.stallingServer(closed: closed)
        let client = HTTPClient()
        defer { client.syncShutdown() }
        let request = HTTPRequest(url: server.url + "/", timeouts: .init(connect: .seconds(20), idle: .seconds(30), total: .milliseconds(300)))
        let error = await httpError { try await client.send(request) }
        #expect(error?.code == .deadlineExceeded)
        await closed.value
        await server.stop()
    }

    @Test("A request deadline fails with deadlineExceeded, also while streaming")
    func requestDeadline() async throws {
        let closed = Promise<Void>()
        let server = try Self.stallingServer(closed: closed)
        let client = HTTPClient(configuration: .init(timeouts: .init(connect: .seconds(20), idle: .seconds(30))))
        defer { client.syncShutdown() }
        let request = HTTPRequest(url: server.url + "/", deadline: .now + .milliseconds(300))
        let error = await httpError {
            try await client.withStream(request) { head, body in
                #expect(head.status == 200)
                var received: [UInt8] = []
                for try await chunk in body { received += chunk }
            }
        }
        #expect(error?.code == .deadlineExceeded)
        await closed.value
        await server.stop()
    }

    @Test("A deadline already past fails at once")
    func pastDeadline() async throws {
        let server = try Self.stallingServer(closed: Promise())
        let client = HTTPClient()
        defer { client.syncShutdown() }
        let request = HTTPRequest(url: server.url + "/", deadline: .now - .seconds(1))
        let error = await httpError { try await client.send(request) }
        #expect(error?.code == .deadlineExceeded)
        await server.stop()
    }

    @Test("No connection within the connect timeout: connectTimeout")
    func connectTimeout() async throws {
        // A listener with backlog 0 that never accepts: once one connection fills its accept
        // queue, Linux drops further SYNs, so the client's connect hangs until its timeout.
        let server = try RawServer(backlog: 0, accepts: false)
        var fillers = [try connectedSocket(port: server.port)]
        for _ in 0..<2 { fillers.append(try connectingSocket(port: server.port)) }
        defer { fillers.forEach(closeSocket) }

        let client = HTTPClient()
        defer { client.syncShutdown() }
        let request = HTTPRequest(url: server.url + "/", timeouts: .init(connect: .milliseconds(300), idle: .seconds(30), total: .seconds(30)))
        let error = await httpError { try await client.send(request) }
        #expect(error?.code == .connectTimeout)
        #expect(error?.curlCode == 28)

        // The same hang with a shorter deadline is a deadline, not a connect timeout.
        let withDeadline = HTTPRequest(url: server.url + "/", timeouts: .init(connect: .seconds(20), total: .milliseconds(300)))
        #expect(await httpError { try await client.send(withDeadline) }?.code == .deadlineExceeded)
        await server.stop()
    }
}

/// A socket whose connect to 127.0.0.1:`port` has completed (waits for it with `poll`).
func connectedSocket(port: UInt16) throws -> Int32 {
    let fd = try connectingSocket(port: port)
    var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
    guard poll(&descriptor, 1, -1) == 1 else { throw POSIXFailure("poll", errno) }
    return fd
}

/// A non-blocking socket with a connect to 127.0.0.1:`port` in progress.
func connectingSocket(port: UInt16) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    guard fd >= 0 else { throw POSIXFailure("socket", errno) }
    var address = RawServer.loopbackAddress(port: port)
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard result == 0 || errno == EINPROGRESS else {
        closeSocket(fd)
        throw POSIXFailure("connect", errno)
    }
    return fd
}
