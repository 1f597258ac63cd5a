/// A response body as it arrives: an `AsyncSequence` of byte chunks, handed to the closure of
/// ``HTTPClient/withStream(_:_:)``.
///
/// At most ``bufferCapacity`` bytes (plus one network read) are held ahead of the reader; past
/// that the transfer is paused until the reader catches up, so a slow reader bounds memory.
/// Iterate it inside the closure only: once the closure returns, the transfer ends (at once, or after
/// a moment's grace for the rest of the body; see ``HTTPClient/withStream(_:_:)``).
/// Iteration throws ``HTTPError`` (for example ``HTTPError/Code/idleTimeout``); cancelling the
/// reading task throws ``HTTPError/Code/cancelled`` and aborts the transfer.
public struct HTTPBodyStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    public typealias Failure = HTTPError

    let channel: BodyChannel

    init(channel: BodyChannel) {
        self.channel = channel
    }

    /// An iterator over the body's chunks.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(channel: channel)
    }

    /// The bytes buffered before the transfer is paused (``HTTPClient/Configuration/streamBufferCapacity``).
    public var bufferCapacity: Int { channel.capacity }

    /// The most bytes this stream ever held ahead of its reader; a diagnostic for memory bounds.
    public var bufferedBytesHighWater: Int { channel.bufferedBytesHighWater }

    /// How many times the transfer was paused because this stream's buffer was full (for tests).
    package var pauseCount: Int { channel.pauseCount }

    /// Returns once the transfer has been paused for the first time or has ended (for tests).
    package func waitUntilPausedOrFinished() async { await channel.pausedOrFinished.value }

    /// Reads the rest of the body into one array.
    /// - Parameter maxBytes: the most bytes to accept.
    /// - Throws: ``HTTPError/Code/responseTooLarge`` past `maxBytes`, or the transfer's error.
    public func collect(upTo maxBytes: Int) async throws(HTTPError) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = makeAsyncIterator()
        while let chunk = try await iterator.next() {
            guard bytes.count + chunk.count <= maxBytes else {
                throw HTTPError(.responseTooLarge, "the body is larger than \(maxBytes) bytes")
            }
            bytes += chunk
        }
        return bytes
    }

    /// Yields the body's chunks in order; throws ``HTTPError`` when the transfer fails.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: BodyChannel

        /// The next chunk of bytes, or `nil` at the end of the body.
        public mutating func next() async throws(HTTPError) -> [UInt8]? {
            try await channel.next().get()
        }

        /// The next chunk of bytes, or `nil` at the end of the body.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(HTTPError) -> [UInt8]? {
            try await channel.next().get()
        }
    }
}
