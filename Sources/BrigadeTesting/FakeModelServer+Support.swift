import BrigadeSync
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
