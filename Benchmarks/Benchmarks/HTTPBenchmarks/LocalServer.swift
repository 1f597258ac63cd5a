import CurlHTTP
import FlyingFox
import Foundation
import Synchronization

/// A FlyingFox server on 127.0.0.1 at a random port with a `/delay?ms=N` endpoint, and a warm
/// client for it; started in a benchmark's setup and stopped in its teardown.
final class LocalServer: Sendable {
    static let shared = LocalServer()

    private struct Running {
        var server: HTTPServer
        var task: Task<Void, any Error>
        var baseURL: String
    }

    private let running = Mutex<Running?>(nil)
    let client = HTTPClient(configuration: .init(maxConnectionsPerHost: 100, maxCachedConnections: 100))

    var baseURL: String { running.withLock { $0?.baseURL ?? "http://127.0.0.1:1" } }

    func start() async throws {
        let server = HTTPServer(address: try sockaddr_in.inet(ip4: "127.0.0.1", port: 0), timeout: 60, logger: .disabled)
        await server.appendRoute("GET /delay") { request in
            let milliseconds = request.query["ms"].flatMap(Int.init) ?? 200
            try await Task.sleep(for: .milliseconds(milliseconds))
            return FlyingFox.HTTPResponse(statusCode: .ok, body: Data("ok".utf8))
        }
        // The server runs until teardown; a benchmark harness has no enclosing scope to hold it.
        let task = Task { try await server.run() }
        try await server.waitUntilListening()
        guard case .ip4(_, let port) = await server.listeningAddress else {
            task.cancel()
            throw CancellationError()
        }
        running.withLock { $0 = Running(server: server, task: task, baseURL: "http://127.0.0.1:\(port)") }
    }

    func stop() async {
        guard let current = running.withLock({ state in defer { state = nil }; return state }) else { return }
        await current.server.stop()
        current.task.cancel()
    }
}
