import BrigadeSync
import CurlHTTP
import Testing

/// The loop keeps the easy handle of a transfer that ended cleanly and resets it for the next
/// request: nothing of one request (method, body, headers, pinned addresses) may reach the next.
@Suite("HTTPClient easy handle reuse", .timeLimit(.minutes(1)))
struct HTTPClientHandleReuseTests {
    /// Serves every request on a connection with `200` and a short body, recording each
    /// request's head and body in arrival order.
    static func recordingServer(_ recorded: LockedState<[(head: String, body: [UInt8])]>) throws -> RawServer {
        try RawServer { connection in
            while let request = connection.readRequest() {
                recorded.withLock { $0.append((request.head, request.body)) }
                let isHead = request.head.hasPrefix("HEAD ")
                connection.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" + (isHead ? "" : "ok"))
            }
        }
    }

    /// The request line and the header lines of `head`, without the empty line that ends it.
    static func lines(_ head: String) -> [String] {
        head.split(separator: "\r\n").map(String.init)
    }

    static func header(_ name: String, in head: String) -> [String] {
        lines(head).dropFirst().filter { $0.lowercased().hasPrefix(name.lowercased() + ":") }
    }

    @Test("Sequential requests share one easy handle, and each carries only its own method, body and headers")
    func sequentialRequestsCarryNothingOver() async throws {
        let recorded = LockedState<[(head: String, body: [UInt8])]>([])
        let server = try Self.recordingServer(recorded)
        let client = HTTPClient()
        defer { client.syncShutdown() }

        var first = HTTPRequest(
            method: "POST",
            url: server.url + "/first",
            headers: ["Content-Type": "application/json", "X-First": "1", "User-Agent": "first-agent"],
            body: Array("{\"n\":1}".utf8)
        )
        first.pinnedAddresses = .init(host: "127.0.0.1", port: Int(server.port), addresses: ["127.0.0.1"])
        let post = try await client.send(first)
        #expect(post.status == 200 && post.body == Array("ok".utf8))
        let get = try await client.send(HTTPRequest(url: server.url + "/second", headers: ["X-Second": "2"]))
        #expect(get.status == 200 && get.body == Array("ok".utf8))
        let delete = try await client.send(HTTPRequest(method: "DELETE", url: server.url + "/third"))
        #expect(delete.status == 200)
        let head = try await client.send(HTTPRequest(method: "HEAD", url: server.url + "/fourth"))
        #expect(head.status == 200 && head.body.isEmpty)
        let streamed = try await client.withStream(HTTPRequest(url: server.url + "/fifth")) { head, body in
            (head.status, try await body.collect(upTo: 100))
        }
        #expect(streamed.0 == 200 && streamed.1 == Array("ok".utf8))
        let put = try await client.send(HTTPRequest(method: "PUT", url: server.url + "/sixth", body: Array("six".utf8)))
        #expect(put.status == 200)

        #expect(client.createdEasyHandleCount == 1)
        #expect(server.acceptedCount.value == 1)
        let requests = recorded.value
        try #require(requests.count == 6)

        #expect(Self.lines(requests[0].head).first == "POST /first HTTP/1.1")
        #expect(requests[0].body == Array("{\"n\":1}".utf8))
        #expect(Self.header("X-First", in: requests[0].head) == ["X-First: 1"])

        let second = requests[1].head
        #expect(Self.lines(second).first == "GET /second HTTP/1.1")
        #expect(requests[1].body.isEmpty)
        #expect(Self.header("X-Second", in: second) == ["X-Second: 2"])
        #expect(Self.header("User-Agent", in: second) == ["User-Agent: brigade"])
        for gone in ["X-First", "Content-Type", "Content-Length", "Transfer-Encoding"] {
            #expect(Self.header(gone, in: second).isEmpty, "\(gone) leaked into the GET")
        }

        let third = requests[2].head
        #expect(Self.lines(third).first == "DELETE /third HTTP/1.1")
        #expect(Self.header("X-Second", in: third).isEmpty)
        #expect(Self.header("Content-Length", in: third).isEmpty)

        #expect(Self.lines(requests[3].head).first == "HEAD /fourth HTTP/1.1")
        #expect(Self.lines(requests[4].head).first == "GET /fifth HTTP/1.1")
        #expect(Self.header("Content-Length", in: requests[4].head).isEmpty)

        let sixth = requests[5].head
        #expect(Self.lines(sixth).first == "PUT /sixth HTTP/1.1")
        #expect(requests[5].body == Array("six".utf8))
        #expect(Self.header("Content-Length", in: sixth) == ["Content-Length: 3"])
        #expect(client.liveTransferObjectCount == 0)
        await server.stop()
    }

    @Test("A failed or cancelled transfer's handle is not reused; the next request is its own")
    func requestAfterFailureAndCancellation() async throws {
        let recorded = LockedState<[(head: String, body: [UInt8])]>([])
        let stalled = Promise<Void>()
        let server = try RawServer { connection in
            while let request = connection.readRequest() {
                recorded.withLock { $0.append((request.head, request.body)) }
                if request.head.hasPrefix("POST /cut ") {
                    // Promises 10 bytes, sends 3, closes: curl fails the transfer.
                    connection.send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
                    return
                }
                if request.head.hasPrefix("POST /stall ") {
                    stalled.fulfill(())
                    connection.waitForClose()
                    return
                }
                connection.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            }
        }
        let client = HTTPClient()
        defer { client.syncShutdown() }

        let cut = await httpError {
            try await client.send(HTTPRequest(method: "POST", url: server.url + "/cut", headers: ["X-Cut": "1"], body: [1, 2, 3]))
        }
        #expect(cut != nil)
        let afterCut = try await client.send(HTTPRequest(url: server.url + "/after-cut"))
        #expect(afterCut.status == 200 && afterCut.body == Array("ok".utf8))
        // The failed transfer's handle was freed, so the next request needed a new one.
        #expect(client.createdEasyHandleCount == 2)

        let stalling = Task {
            try await client.send(HTTPRequest(method: "POST", url: server.url + "/stall", headers: ["X-Stall": "1"], body: [9]))
        }
        await stalled.value
        stalling.cancel()
        let cancelled = await httpError { try await stalling.value }
        #expect(cancelled?.code == .cancelled)
        // The stalled request took the kept handle; cancelling it freed that one too.
        let afterCancel = try await client.send(HTTPRequest(url: server.url + "/after-cancel", headers: ["X-Last": "1"]))
        #expect(afterCancel.status == 200)
        #expect(client.createdEasyHandleCount == 3)
        // And a clean transfer's handle serves the next one.
        _ = try await client.send(HTTPRequest(url: server.url + "/again"))
        #expect(client.createdEasyHandleCount == 3)

        let requests = recorded.value
        let last = try #require(requests.first { $0.head.hasPrefix("GET /after-cancel ") })
        #expect(last.body.isEmpty)
        #expect(Self.header("X-Last", in: last.head) == ["X-Last: 1"])
        for gone in ["X-Stall", "X-Cut", "Content-Length", "Content-Type"] {
            #expect(Self.header(gone, in: last.head).isEmpty, "\(gone) leaked into the next request")
        }
        let afterCutHead = try #require(requests.first { $0.head.hasPrefix("GET /after-cut ") })
        #expect(Self.header("X-Cut", in: afterCutHead.head).isEmpty)
        #expect(client.liveTransferObjectCount == 0)
        await server.stop()
    }
}
