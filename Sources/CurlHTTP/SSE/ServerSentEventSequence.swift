/// The events of a `text/event-stream` body, parsed as its chunks arrive.
///
/// Made by ``_Concurrency/AsyncSequence/serverSentEvents()`` on any sequence of byte chunks, such
/// as ``HTTPBodyStream``. It throws what the underlying sequence throws; at the end of the
/// stream an unfinished event is discarded, as the HTML standard says.
public struct ServerSentEventSequence<Base: AsyncSequence>: AsyncSequence where Base.Element == [UInt8] {
    public typealias Element = ServerSentEvent
    public typealias Failure = Base.Failure

    let base: Base

    /// An iterator over the events.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator())
    }

    /// Reads chunks from the base sequence and yields the events they complete.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        var parser = ServerSentEventParser()
        var pending: [ServerSentEvent] = []
        var pendingIndex = 0
        var isFinished = false

        /// The next event, or `nil` once the base sequence ends.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(Base.Failure) -> ServerSentEvent? {
            while true {
                if pendingIndex < pending.count {
                    defer { pendingIndex += 1 }
                    return pending[pendingIndex]
                }
                if isFinished { return nil }
                guard let chunk = try await base.next(isolation: actor) else {
                    parser.finish()
                    isFinished = true
                    return nil
                }
                pending = parser.feed(chunk)
                pendingIndex = 0
            }
        }

        /// The next event, or `nil` once the base sequence ends.
        public mutating func next() async throws(Base.Failure) -> ServerSentEvent? {
            try await next(isolation: nil)
        }
    }
}

extension ServerSentEventSequence: Sendable where Base: Sendable {}

extension AsyncSequence where Element == [UInt8] {
    /// Parses this sequence of byte chunks as a `text/event-stream`.
    public func serverSentEvents() -> ServerSentEventSequence<Self> {
        ServerSentEventSequence(base: self)
    }
}
