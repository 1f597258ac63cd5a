import Synchronization
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
    /// - Parameter connections: counts the connections the server accepts (none: nothing is logged).
    static func start(counting connections: AcceptedConnections? = nil) async throws -> (http: HTTPServer, port: UInt16, task: Task<Void, Never>) {
        let logger: any Logging = if let connections { connections } else { .disabled as DisabledLogger }
        let http = HTTPServer(config: HTTPServer.Configuration(
            address: try sockaddr_in.inet(ip4: "127.0.0.1", port: 0), timeout: 24 * 3600, logger: logger))
        let task = Task { _ = try? await http.run() }
        do {
            // No wall-clock limit of its own worth the name: binding 127.0.0.1:0 does not hang, and at the
            // suite's start (~1,000 tests queued on two pool threads) a 5 s wait timed out on servers that
            // were listening already; the suite's time limit catches a real hang.
            try await http.waitUntilListening(timeout: 60)
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

/// Counts the connections a FlyingFox server accepts, through the one thing it reports about them: its
/// log (`"<id> open connection"`, once per accepted connection). Everything else it logs is dropped.
final class AcceptedConnections: Logging {
    private let count = Mutex(0)

    var value: Int { count.withLock { $0 } }

    func logInfo(_ info: @autoclosure () -> String) {
        if info().hasSuffix(" open connection") { count.withLock { $0 += 1 } }
    }

    func logDebug(_ debug: @autoclosure () -> String) {}
    func logWarning(_ warning: @autoclosure () -> String) {}
    func logError(_ error: @autoclosure () -> String) {}
    func logCritical(_ critical: @autoclosure () -> String) {}
}
