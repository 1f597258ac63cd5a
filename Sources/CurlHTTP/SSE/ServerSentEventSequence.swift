/// The events of a `text/event-stream` body, parsed as its chunks arrive.
///
/// Made by ``_Concurrency/AsyncSequence/serverSentEvents()`` on any sequence of byte chunks, such
/// as ``HTTPBodyStream``. It throws what the underlying sequence throws, and
/// ``HTTPError/Code/responseTooLarge`` when a line or an event passes the parser's
/// ``ServerSentEventParser/Limits``; at the end of the stream an unfinished event is discarded,
/// as the HTML standard says.
public struct ServerSentEventSequence<Base: AsyncSequence>: AsyncSequence where Base.Element == [UInt8] {
    public typealias Element = ServerSentEvent
    public typealias Failure = any Error

    let base: Base
    let limits: ServerSentEventParser.Limits

    /// An iterator over the events.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), parser: ServerSentEventParser(limits: limits))
    }

    /// Reads chunks from the base sequence and yields the events they complete.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        var parser: ServerSentEventParser
        var pending: [ServerSentEvent] = []
        var pendingIndex = 0
        var isFinished = false

        /// The next event, or `nil` once the base sequence ends.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws -> ServerSentEvent? {
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
                pending = try parser.feed(chunk)
                pendingIndex = 0
            }
        }

        /// The next event, or `nil` once the base sequence ends.
        public mutating func next() async throws -> ServerSentEvent? {
            try await next(isolation: nil)
        }
    }
}

extension ServerSentEventSequence: Sendable where Base: Sendable {}

extension AsyncSequence where Element == [UInt8] {
    /// Parses this sequence of byte chunks as a `text/event-stream`.
    /// - Parameter limits: the caps on line and event size (generous by default).
    public func serverSentEvents(limits: ServerSentEventParser.Limits = ServerSentEventParser.Limits()) -> ServerSentEventSequence<Self> {
        ServerSentEventSequence(base: self, limits: limits)
    }
}
