import Brigade
import Synchronization

/// The `tools/call` requests `brigade mcp serve` is running, each with the stream that tells it the
/// client cancelled it (`notifications/cancelled`). Ids the client reuses or never sent are ignored.
final class MCPRunningCalls: Sendable {
    private let running = Mutex<[JSONValue: AsyncStream<Void>.Continuation]>([:])

    /// Records a request; the stream yields once when the client cancels it.
    func register(_ id: JSONValue) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        running.withLock { $0[id] = continuation }
        return stream
    }

    /// The client cancelled the request `id`.
    func cancel(_ id: JSONValue) {
        running.withLock { $0[id] }?.yield(())
    }

    /// The request `id` ended (answered or cancelled).
    func finish(_ id: JSONValue) {
        running.withLock { $0.removeValue(forKey: id) }?.finish()
    }
}
