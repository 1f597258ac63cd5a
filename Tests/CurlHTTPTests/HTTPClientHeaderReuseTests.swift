import BrigadeSync
import CurlHTTP
import Testing

/// A client hands the header lines of its last request to the next one with the same headers, and
/// its loop reuses their `curl_slist` (issue 17): what goes on the wire must stay exactly what each
/// request says.
@Suite("HTTPClient header reuse", .timeLimit(.minutes(1)))
struct HTTPClientHeaderReuseTests {
    /// A server that records every request head as bytes and answers 204 on keep-alive connections.
    private static func recordingServer(_ heads: LockedState<[[UInt8]]>) throws -> RawServer {
        try RawServer { connection in
            while let request = connection.readRequest() {
                heads.withLock { $0.append(Array(request.head.utf8)) }
                guard connection.send("HTTP/1.1 204 No Content\r\n\r\n") else { return }
            }
        }
    }

    private static func contains(_ head: [UInt8], _ line: String) -> Bool {
        head.firstRange(of: Array(("\r\n" + line + "\r\n").utf8)) != nil
    }

    /// Header values that `String`'s `==` calls equal (canonically equivalent) but whose bytes differ
    /// are sent each as given, in turn, on one connection.
    @Test func equalLookingHeadersWithOtherBytesAreSentAsGiven() async throws {
        let heads = LockedState<[[UInt8]]>([])
        let server = try Self.recordingServer(heads)
        let client = HTTPClient(configuration: .init(userAgent: "reuse-test"))
        defer { client.syncShutdown() }
        let decomposed = "Cafe\u{301}", precomposed = "Caf\u{E9}"
        #expect(decomposed == precomposed)
        let values = [decomposed, decomposed, precomposed, precomposed, decomposed]
        for value in values {
            let response = try await client.send(HTTPRequest(url: server.url + "/", headers: ["X-Name": value, "Accept": "text/plain"]))
            #expect(response.status == 204)
        }
        let recorded = heads.withLock { $0 }
        try #require(recorded.count == values.count)
        for (head, value) in zip(recorded, values) {
            let expected = Array("\r\nX-Name: ".utf8) + Array(value.utf8) + Array("\r\n".utf8)
            #expect(head.firstRange(of: expected) != nil, "\(value.unicodeScalars.map(\.value)): \(String(decoding: head, as: UTF8.self))")
            #expect(Self.contains(head, "Accept: text/plain"))
            #expect(Self.contains(head, "User-Agent: reuse-test"))
        }
        await server.stop()
    }

    /// Many requests with the same headers at once, then other headers, a bad header (still refused
    /// after the same headers passed), and the first headers again: every request carries its own.
    @Test func concurrentRequestsSharingHeadersThenOthers() async throws {
        let heads = LockedState<[[UInt8]]>([])
        let server = try Self.recordingServer(heads)
        let client = HTTPClient(configuration: .init(maxConnectionsPerHost: 8))
        defer { client.syncShutdown() }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<24 {
                group.addTask {
                    let headers: HTTPHeaders = index < 16 ? ["Authorization": "Bearer one", "X-Set": "a"] : ["X-Set": "b"]
                    return try await client.send(HTTPRequest(method: "POST", url: server.url + "/\(index)", headers: headers, body: [1])).status
                }
            }
            for try await status in group { #expect(status == 204) }
        }
        await #expect(throws: HTTPError.self) {
            _ = try await client.send(HTTPRequest(url: server.url + "/bad", headers: ["Authorization": "Bearer one", "X-Set": "a\r\nX-Injected: 1"]))
        }
        #expect(try await client.send(HTTPRequest(url: server.url + "/again", headers: ["Authorization": "Bearer one", "X-Set": "a"])).status == 204)
        let recorded = heads.withLock { $0 }
        try #require(recorded.count == 25)
        for head in recorded {
            let path = String(decoding: head.prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self)
            let text = String(decoding: head, as: UTF8.self)
            #expect(path == "POST" || path == "GET", "\(text)")
            let target = text.split(separator: " ")[1]
            let isFirstSet = target == "/again" || Int(target.dropFirst()).map { $0 < 16 } == true
            #expect(Self.contains(head, isFirstSet ? "X-Set: a" : "X-Set: b"), "\(text)")
            #expect(Self.contains(head, "Authorization: Bearer one") == isFirstSet, "\(text)")
            #expect(!text.contains("X-Injected"))
        }
        await server.stop()
    }
}
