import BrigadeSync
import FlyingFox
import FlyingSocks
#if canImport(Glibc)
import Brigade
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where hung and stalled responses wait: until their task is cancelled or the server stops.
final class FakeModelServerGate: Sendable {
    private let signal = OneShotSignal()

    /// Suspends until ``open()`` or cancellation.
    func wait() async {
        await signal.wait()
    }

    /// Releases every waiter, present and future.
    func open() {
        signal.fire()
    }
}

/// Errors the fake server throws at FlyingFox to make it drop a connection.
enum FakeModelServerAbort: Error {
    case streamCut
    case stopped
}

/// The FlyingFox server under the fake model server and the fake collector.
enum LocalHTTPServer {
    /// Starts a server on 127.0.0.1 at a random port, running in a task of its own, and waits until it listens.
    /// Hangs are scripted, so FlyingFox's own timeout is a day (it must not answer them with a 500).
    static func start() async throws -> (http: HTTPServer, port: UInt16, task: Task<Void, Never>) {
        let http = HTTPServer(config: HTTPServer.Configuration(
            address: try sockaddr_in.inet(ip4: "127.0.0.1", port: 0), timeout: 24 * 3600, logger: .disabled))
        let task = Task { _ = try? await http.run() }
        do {
            try await http.waitUntilListening(timeout: 10)
        } catch {
            task.cancel()
            throw error
        }
        guard case .ip4(_, let port)? = await http.listeningAddress else {
            task.cancel()
            throw FakeModelServerAbort.stopped
        }
        return (http, port, task)
    }
}
