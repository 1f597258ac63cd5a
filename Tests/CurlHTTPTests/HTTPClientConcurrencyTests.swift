import CurlHTTP
import Testing

@Suite("HTTPClient concurrency", .timeLimit(.minutes(1)))
struct HTTPClientConcurrencyTests {
    @Test("100 concurrent requests overlap, and a second round reuses the connections")
    func hundredConcurrentRequests() async throws {
        let server = try FlyingFoxServer()
        let client = HTTPClient(configuration: .init(maxConnectionsPerHost: 100, maxCachedConnections: 100))
        defer { client.syncShutdown() }
        let connectionsPerRound = try await server.run { base in
            var connections: [Int] = []
            for _ in 0..<2 {
                try await withThrowingTaskGroup(of: HTTPResponse.self) { group in
                    // The server answers only once all 100 are held at once: they must overlap.
                    for _ in 0..<100 {
                        group.addTask { try await client.send(HTTPRequest(url: base + "/gather?count=100")) }
                    }
                    for try await response in group {
                        #expect(response.status == 200)
                        #expect(response.bodyText == "ok")
                    }
                }
                connections.append(server.stats.withLock { $0.connections.count })
            }
            return connections
        }
        let stats = server.stats.withLock { $0 }
        #expect(stats.completed == 200)
        #expect(stats.maxInFlight == 100)
        // Round one opens one connection per request; round two opens none.
        #expect(connectionsPerRound[0] == 100)
        #expect(connectionsPerRound[1] == connectionsPerRound[0])
        #expect(client.activeTransferCount == 0)
    }

    @Test("maxConnectionsPerHost bounds the connections, and the extra requests wait")
    func connectionLimit() async throws {
        let server = try FlyingFoxServer()
        let client = HTTPClient(configuration: .init(maxConnectionsPerHost: 4))
        defer { client.syncShutdown() }
        try await server.run { base in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await client.send(HTTPRequest(url: base + "/delay?ms=20")).status }
                }
                for try await status in group { #expect(status == 200) }
            }
        }
        let stats = server.stats.withLock { $0 }
        #expect(stats.completed == 20)
        #expect(stats.maxInFlight <= 4)
        #expect(stats.connections.count <= 4)
    }
}
