import CurlHTTP
import Testing

@Suite("HTTPClient requests", .timeLimit(.minutes(1)))
struct HTTPClientRequestTests {
    @Test("POST body and headers round trip; response headers keep repeated values")
    func postRoundTrip() async throws {
        let server = try FlyingFoxServer()
        let client = HTTPClient()
        defer { client.syncShutdown() }
        let body: [UInt8] = Array("{\"a\":1}".utf8) + [0, 255, 10, 13]
        try await server.run { base in
            let response = try await client.send(HTTPRequest(
                method: "POST",
                url: base + "/echo",
                headers: ["Content-Type": "application/json", "X-Custom": "one", "Authorization": "Bearer t"],
                body: body
            ))
            #expect(response.status == 201)
            #expect(response.body == body.reversed())
            #expect(response.headers.values(for: "set-cookie") == ["a=1", "b=2"])
            #expect(response.headers["X-ECHO-METHOD"] == "POST")
            #expect(response.headers["content-length"] == String(body.count))
        }
        let recorded = try #require(server.lastRequest.withLock { $0 })
        #expect(recorded.method == "POST")
        #expect(recorded.body == body)
        #expect(recorded.headers["content-type"] == ["application/json"])
        #expect(recorded.headers["x-custom"] == ["one"])
        #expect(recorded.headers["authorization"] == ["Bearer t"])
        #expect(recorded.headers["expect"] == nil)
        #expect(recorded.headers["user-agent"] == ["brigade"])
    }

    @Test("Request headers go out in order, repeated names included, empty values kept")
    func requestHeadersOnTheWire() async throws {
        let head = Promise<String>()
        let server = try RawServer { connection in
            guard let request = connection.readRequest() else { return }
            head.fulfill(request.head)
            connection.send("HTTP/1.1 204 No Content\r\n\r\n")
        }
        let client = HTTPClient(configuration: .init(userAgent: "test-agent/1"))
        defer { client.syncShutdown() }
        var headers: HTTPHeaders = ["X-Multi": "one"]
        headers.add(name: "x-multi", value: "two")
        headers.add(name: "X-Empty", value: "")
        let response = try await client.send(HTTPRequest(url: server.url + "/path?q=1", headers: headers))
        #expect(response.status == 204)
        #expect(response.body.isEmpty)
        let lines = await head.value.split(separator: "\r\n").map(String.init)
        #expect(lines.first == "GET /path?q=1 HTTP/1.1")
        #expect(lines.filter { $0.lowercased().hasPrefix("x-multi:") } == ["X-Multi: one", "x-multi: two"])
        #expect(lines.contains("X-Empty:"))
        #expect(lines.contains("User-Agent: test-agent/1"))
        #expect(!lines.contains { $0.lowercased().hasPrefix("accept-encoding") })
        await server.stop()
    }

    @Test("A POST without Content-Type sends none, and no Expect even for a large body")
    func postWithoutContentType() async throws {
        let server = try FlyingFoxServer()
        let client = HTTPClient()
        defer { client.syncShutdown() }
        let body = Pattern.bytes(count: 2 << 20)
        try await server.run { base in
            let response = try await client.send(HTTPRequest(method: "PUT", url: base + "/echo", body: body))
            #expect(response.status == 201)
            #expect(response.body.count == body.count)
        }
        let recorded = try #require(server.lastRequest.withLock { $0 })
        #expect(recorded.method == "PUT")
        #expect(recorded.body == body)
        #expect(recorded.headers["content-type"] == nil)
        #expect(recorded.headers["expect"] == nil)
    }

    @Test("Error statuses are responses; other methods go out as given")
    func statusesAndMethods() async throws {
        let server = try FlyingFoxServer()
        let client = HTTPClient()
        defer { client.syncShutdown() }
        try await server.run { base in
            let notFound = try await client.send(HTTPRequest(url: base + "/status?code=404"))
            #expect(notFound.status == 404)
            #expect(notFound.bodyText == "status 404")
            let deleted = try await client.send(HTTPRequest(method: "DELETE", url: base + "/echo"))
            #expect(deleted.status == 201)
            #expect(server.lastRequest.withLock { $0?.method } == "DELETE")
        }
    }

    @Test("Sequential requests reuse one connection")
    func sequentialReuse() async throws {
        let server = try FlyingFoxServer()
        let client = HTTPClient()
        defer { client.syncShutdown() }
        try await server.run { base in
            for _ in 0..<5 {
                let response = try await client.send(HTTPRequest(url: base + "/delay?ms=1"))
                #expect(response.bodyText == "ok")
            }
        }
        #expect(server.stats.withLock { $0.connections.count } == 1)
    }

    @Test("A body over maxBodyBytes fails with responseTooLarge; one at the limit succeeds")
    func maxBodyBytes() async throws {
        let server = try FlyingFoxServer()
        let client = HTTPClient()
        defer { client.syncShutdown() }
        try await server.run { base in
            let error = await httpError { try await client.send(HTTPRequest(url: base + "/bytes?bytes=100000"), maxBodyBytes: 99_999) }
            #expect(error?.code == .responseTooLarge)
            let exact = try await client.send(HTTPRequest(url: base + "/bytes?bytes=100000"), maxBodyBytes: 100_000)
            #expect(exact.body == Pattern.bytes(count: 100_000))
        }
        #expect(client.activeTransferCount == 0)
    }

    @Test("Refused connections fail with connectionFailed")
    func connectionRefused() async throws {
        // A bound port that nothing listens on.
        let (fd, port) = try RawServer.refusingPort()
        defer { closeSocket(fd) }
        let client = HTTPClient()
        defer { client.syncShutdown() }
        let error = await httpError { try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/")) }
        #expect(error?.code == .connectionFailed)
        #expect(error?.curlCode == 7)
        #expect(error?.message.isEmpty == false)
    }

    @Test(
        "Malformed requests fail with invalidRequest before anything is sent",
        arguments: [
            HTTPRequest(url: "not a url"),
            HTTPRequest(url: "ftp://127.0.0.1/file"),
            HTTPRequest(url: "file:///etc/passwd"),
            HTTPRequest(url: "http://"),
            HTTPRequest(url: "http://exa mple.com/"),
            HTTPRequest(url: "https://127.0.0.1/\u{0}"),
            HTTPRequest(method: "GE T", url: "http://127.0.0.1/"),
            HTTPRequest(method: "", url: "http://127.0.0.1/"),
            HTTPRequest(url: "http://127.0.0.1/", headers: ["X-Evil": "a\r\nInjected: yes"]),
            HTTPRequest(url: "http://127.0.0.1/", headers: ["Bad Name": "v"]),
            HTTPRequest(url: "http://127.0.0.1/", timeouts: .init(connect: .zero)),
            HTTPRequest(url: "http://127.0.0.1/", timeouts: .init(idle: .seconds(-1))),
        ]
    )
    func invalidRequests(request: HTTPRequest) async throws {
        let client = HTTPClient()
        defer { client.syncShutdown() }
        let error = await httpError { try await client.send(request) }
        #expect(error?.code == .invalidRequest)
        let streamError = await httpError { try await client.withStream(request) { _, _ in } }
        #expect(streamError?.code == .invalidRequest)
    }

    @Test("A client that sent to some URLs (the ones it remembers as valid, and more) still rejects malformed ones")
    func validationAfterUse() async throws {
        let server = try FlyingFoxServer()
        let client = HTTPClient()
        defer { client.syncShutdown() }
        try await server.run { base in
            // More distinct URLs than the client remembers, then the first again.
            for ms in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1] {
                let response = try await client.send(HTTPRequest(url: base + "/delay?ms=\(ms)"))
                #expect(response.bodyText == "ok")
            }
            for url in ["not a url", base + "/\u{0}", "ftp" + base.drop(while: { $0 != ":" }) + "/", "http://", "http://exa mple.com/"] {
                let error = await httpError { try await client.send(HTTPRequest(url: url)) }
                #expect(error?.code == .invalidRequest, "\(url)")
                let streamError = await httpError { try await client.withStream(HTTPRequest(url: url)) { _, _ in } }
                #expect(streamError?.code == .invalidRequest, "\(url)")
            }
            let again = try await client.send(HTTPRequest(url: base + "/delay?ms=1"))
            #expect(again.bodyText == "ok")
        }
    }

    @Test("Shutting down fails transfers in flight and later requests as shut down, ends the loop thread; nothing leaks")
    func shutdown() async throws {
        let requestArrived = Promise<Void>()
        let server = try RawServer { connection in
            guard connection.readRequest() != nil else { return }
            requestArrived.fulfill()
            connection.waitForClose()
        }
        let client = HTTPClient()
        async let pending = httpError { try await client.send(HTTPRequest(url: server.url + "/")) }
        await requestArrived.value
        #expect(!client.loopHasEnded)
        await client.shutdown()
        #expect(client.loopHasEnded)
        let inFlight = await pending
        #expect(inFlight?.code == .shutDown)
        #expect(inFlight?.message == "the HTTP client was shut down")
        let late = await httpError { try await client.send(HTTPRequest(url: server.url + "/")) }
        #expect(late?.code == .shutDown)
        #expect(late?.message == "the HTTP client is shut down")
        #expect(client.activeTransferCount == 0)
        #expect(client.liveTransferObjectCount == 0)
        await client.shutdown()
        client.syncShutdown()
        #expect(client.loopHasEnded)
        await server.stop()
    }
}
