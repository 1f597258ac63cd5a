import BrigadeSync
import CurlHTTP
import FlyingFox
import FlyingSocks
import Foundation

/// A FlyingFox server on 127.0.0.1 at a random port with the endpoints the client tests need.
/// It records what it saw (requests in flight, connections, the last request) for assertions.
final class FlyingFoxServer: Sendable {
    struct Stats: Sendable {
        var inFlight = 0
        var maxInFlight = 0
        var completed = 0
        /// Client ports seen: one per TCP connection.
        var connections: Set<String> = []
    }

    struct RecordedRequest: Sendable {
        var method: String
        var headers: [String: [String]]
        var body: [UInt8]
    }

    let stats = LockedState(Stats())
    let lastRequest = LockedState<RecordedRequest?>(nil)
    private let barrier = RequestBarrier()
    private let server: HTTPServer

    init() throws {
        server = HTTPServer(
            address: try sockaddr_in.inet(ip4: "127.0.0.1", port: 0),
            timeout: 60,
            logger: .disabled
        )
    }

    /// Runs the server for the duration of `body`, which gets the base URL.
    func run<R: Sendable>(_ body: @Sendable (String) async throws -> R) async throws -> R {
        await installRoutes()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.server.run() }
            do {
                // No wall-clock limit of its own worth the name: binding 127.0.0.1:0 does not hang, and at the
                // suite's start (~1,000 tests queued on two pool threads) a 5 s wait timed out on servers that
                // were listening already; the suite's time limit catches a real hang.
                try await server.waitUntilListening(timeout: 60)
                guard case .ip4(_, let port) = await server.listeningAddress else {
                    throw POSIXFailure("listeningAddress", 0)
                }
                let result = try await body("http://127.0.0.1:\(port)")
                await server.stop()
                group.cancelAll()
                return result
            } catch {
                await server.stop()
                group.cancelAll()
                throw error
            }
        }
    }

    private func installRoutes() async {
        let stats = self.stats
        let lastRequest = self.lastRequest
        let barrier = self.barrier
        let noteConnection: @Sendable (FlyingFox.HTTPRequest) -> Void = { request in
            if case .ip4(_, let port)? = request.remoteAddress {
                stats.withLock { _ = $0.connections.insert("\(port)") }
            }
        }
        // Holds each request `ms` milliseconds (default 200) and counts how many overlap.
        await server.appendRoute("GET /delay") { request in
            noteConnection(request)
            let milliseconds = request.query["ms"].flatMap(Int.init) ?? 200
            stats.withLock {
                $0.inFlight += 1
                $0.maxInFlight = max($0.maxInFlight, $0.inFlight)
            }
            try? await Task.sleep(for: .milliseconds(milliseconds))
            stats.withLock {
                $0.inFlight -= 1
                $0.completed += 1
            }
            return FlyingFox.HTTPResponse(statusCode: .ok, body: Data("ok".utf8))
        }
        // Holds each request until `count` requests are held at once, then answers them all: only a
        // client that really has `count` requests in flight gets answers (a reusable barrier).
        await server.appendRoute("GET /gather") { request in
            noteConnection(request)
            let count = request.query["count"].flatMap(Int.init) ?? 2
            stats.withLock {
                $0.inFlight += 1
                $0.maxInFlight = max($0.maxInFlight, $0.inFlight)
            }
            await barrier.arrive(count: count)
            stats.withLock {
                $0.inFlight -= 1
                $0.completed += 1
            }
            return FlyingFox.HTTPResponse(statusCode: .ok, body: Data("ok".utf8))
        }
        // Records the request; answers with its body reversed and a few headers.
        await server.appendRoute("/echo") { request in
            noteConnection(request)
            let body = try await request.bodyData
            var headers: [String: [String]] = [:]
            for (name, value) in request.headers {
                headers[name.rawValue.lowercased(), default: []].append(value)
            }
            lastRequest.withLock {
                $0 = RecordedRequest(method: request.method.rawValue, headers: headers, body: Array(body))
            }
            var responseHeaders = FlyingFox.HTTPHeaders()
            responseHeaders.addValue("a=1", for: .setCookie)
            responseHeaders.addValue("b=2", for: .setCookie)
            responseHeaders.addValue(request.method.rawValue, for: FlyingFox.HTTPHeader("X-Echo-Method"))
            return FlyingFox.HTTPResponse(statusCode: .created, headers: responseHeaders, body: Data(body.reversed()))
        }
        // A body of `bytes` bytes (default 1 MiB) following the pattern i % 251.
        await server.appendRoute("GET /bytes") { request in
            noteConnection(request)
            let count = request.query["bytes"].flatMap(Int.init) ?? 1 << 20
            return FlyingFox.HTTPResponse(statusCode: .ok, body: Data(Pattern.bytes(count: count)))
        }
        await server.appendRoute("GET /status") { request in
            noteConnection(request)
            let code = request.query["code"].flatMap(Int.init) ?? 200
            return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(code, phrase: "Test"), body: Data("status \(code)".utf8))
        }
    }
}

/// Holds arrivals until `count` of them wait, then releases them all and starts over.
final class RequestBarrier: Sendable {
    private let waiting = LockedState<[CheckedContinuation<Void, Never>]>([])

    func arrive(count: Int) async {
        await withCheckedContinuation { continuation in
            let released = waiting.withLock { waiting -> [CheckedContinuation<Void, Never>] in
                waiting.append(continuation)
                guard waiting.count >= count else { return [] }
                defer { waiting = [] }
                return waiting
            }
            for waiter in released { waiter.resume() }
        }
    }
}

enum Pattern {
    /// Bytes `offset..<offset+count` of the repeating test pattern `i % 251`.
    static func bytes(count: Int, offset: Int = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: ($0 + offset) % 251) }
    }

    private static let reference = bytes(count: 251 + (1 << 20))

    /// Whether `chunk` (at most 1 MiB) equals the pattern bytes starting at `offset`.
    static func matches(_ chunk: [UInt8], offset: Int) -> Bool {
        let start = offset % 251
        guard chunk.count <= reference.count - start else { return chunk == bytes(count: chunk.count, offset: offset) }
        return chunk.withUnsafeBytes { actual in
            reference.withUnsafeBytes { expected in
                guard let actualBase = actual.baseAddress, let expectedBase = expected.baseAddress else {
                    return actual.isEmpty
                }
                return memcmp(actualBase, expectedBase + start, actual.count) == 0
            }
        }
    }
}
