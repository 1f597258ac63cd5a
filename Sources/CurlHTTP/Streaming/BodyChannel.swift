import Synchronization

/// What the write callback does with a chunk offered to a streaming consumer.
enum OfferResult {
    /// The channel took the bytes.
    case accepted
    /// The buffer is full: return `CURL_WRITEFUNC_PAUSE` so curl keeps the bytes and stops reading.
    case pause
}

/// The bounded hand-off between the loop thread (producer) and the task reading a body (consumer).
///
/// The producer ``offer(_:)``s chunks; once ``capacity`` bytes are buffered it is told to pause.
/// Bytes offered while the reader has not yet taken the newest buffered chunk are added to that
/// chunk (up to half the capacity), so a reader that comes after several writes takes them at once.
/// The consumer takes chunks with ``next()``; when it has drained the buffer to half the capacity
/// while the producer is paused, it asks the loop (once) to resume the transfer.
final class BodyChannel: Sendable {
    private struct State {
        var chunks: [[UInt8]] = []
        var firstChunk = 0
        var bufferedBytes = 0
        var highWater = 0
        var isPaused = false
        var pauseCount = 0
        var isResumeRequested = false
        var end: Result<Void, HTTPError>?
        var waiter: CheckedContinuation<Result<[UInt8]?, HTTPError>, Never>?
        /// Whether ``waiter`` is set: the write path tests this flag, as testing the optional
        /// continuation copies and destroys it (about 250 instructions per write).
        var hasWaiter = false

        mutating func popChunk() -> [UInt8]? {
            guard firstChunk < chunks.count else { return nil }
            let chunk = chunks[firstChunk]
            chunks[firstChunk] = []
            firstChunk += 1
            if firstChunk == chunks.count {
                chunks.removeAll(keepingCapacity: true)
                firstChunk = 0
            } else if firstChunk >= 64 && firstChunk * 2 >= chunks.count {
                chunks.removeFirst(firstChunk)
                firstChunk = 0
            }
            bufferedBytes -= chunk.count
            return chunk
        }
    }

    /// Bytes buffered before the producer is paused.
    let capacity: Int
    /// The most bytes a buffered chunk grows to by taking later writes: half the capacity (so that
    /// the reader taking one chunk moves the buffer by at most half), at most 64 KiB.
    private let mergeLimit: Int
    /// What a new buffered chunk reserves, so that the writes added to it rarely grow it again: a
    /// streamed model answer of a few kilobytes (2.4 KB for the batch benchmark's 12 events) fits.
    private static let initialChunkCapacity = 4096
    private let state = Mutex(State())
    private let requestResume: @Sendable () -> Void
    private let requestCancel: @Sendable () -> Void

    /// - Parameters:
    ///   - capacity: bytes to buffer before pausing (at least 1).
    ///   - requestResume: asks the loop to unpause the transfer; called at most once per pause.
    ///   - requestCancel: asks the loop to cancel the transfer.
    init(capacity: Int, requestResume: @escaping @Sendable () -> Void, requestCancel: @escaping @Sendable () -> Void) {
        self.capacity = max(1, capacity)
        self.mergeLimit = Swift.min(64 * 1024, Swift.max(1, capacity / 2))
        self.requestResume = requestResume
        self.requestCancel = requestCancel
    }

    /// The most bytes that were ever buffered at once.
    var bufferedBytesHighWater: Int { state.withLock { $0.highWater } }

    /// How many times the producer was paused.
    var pauseCount: Int { state.withLock { $0.pauseCount } }

    /// Fulfilled the first time the producer is paused, or when the body ends.
    let pausedOrFinished = Promise<Void>()

    // MARK: Producer (loop thread)

    /// Offers bytes from the write callback.
    func offer(_ bytes: UnsafeRawBufferPointer) -> OfferResult {
        // The lock returns a plain value (no enum with payloads, which costs outlined copies and
        // metadata look-ups on every write); a waiting reader is taken out with `waiter`.
        var waiter: CheckedContinuation<Result<[UInt8]?, HTTPError>, Never>?
        let isFull: Bool = state.withLock { state in
            if state.bufferedBytes >= capacity {
                if !state.isPaused {
                    state.isPaused = true
                    state.pauseCount += 1
                }
                return true
            }
            if state.hasWaiter {
                state.hasWaiter = false
                swap(&waiter, &state.waiter)
                return false
            }
            // A response often comes in many small writes (one per chunk of a chunked body): while
            // the reader has not taken the newest chunk, add to it, so the reader gets them in one.
            if state.firstChunk < state.chunks.count,
                state.chunks[state.chunks.count - 1].count + bytes.count <= mergeLimit
            {
                state.chunks[state.chunks.count - 1].append(contentsOf: bytes)
            } else {
                var chunk: [UInt8] = []
                chunk.reserveCapacity(Swift.max(bytes.count, Swift.min(Self.initialChunkCapacity, mergeLimit)))
                chunk.append(contentsOf: bytes)
                state.chunks.append(chunk)
            }
            state.bufferedBytes += bytes.count
            state.highWater = max(state.highWater, state.bufferedBytes)
            return false
        }
        if isFull {
            pausedOrFinished.fulfill(())
            return .pause
        }
        waiter?.resume(returning: .success([UInt8](bytes)))
        return .accepted
    }

    /// Called by the loop right before it unpauses the transfer.
    func clearPause() {
        state.withLock { state in
            state.isPaused = false
            state.isResumeRequested = false
        }
    }

    /// Ends the body: the consumer gets the buffered chunks, then `nil` or the error.
    func finish(_ result: Result<Void, HTTPError>) {
        let waiter = state.withLock { state in
            if state.end == nil { state.end = result }
            state.hasWaiter = false
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: result.map { nil })
        pausedOrFinished.fulfill(())
    }

    // MARK: Consumer (any task)

    /// The next buffered chunk, or the end once everything buffered was taken; `nil` when the reader
    /// has to wait. `shouldResume` is set when the paused transfer should go on.
    private func take(_ state: inout State, shouldResume: inout Bool) -> Result<[UInt8]?, HTTPError>? {
        if let chunk = state.popChunk() {
            if state.isPaused && !state.isResumeRequested && state.bufferedBytes <= capacity / 2 {
                state.isResumeRequested = true
                shouldResume = true
            }
            return .success(chunk)
        }
        if let end = state.end {
            // Report a failure once; afterwards the sequence just ends.
            state.end = .success(())
            return end.map { nil }
        }
        return nil
    }

    /// The next chunk, `nil` at the end, or the transfer's error. Cancelling the waiting task
    /// returns ``HTTPError/Code/cancelled`` at once and cancels the transfer.
    func next() async -> Result<[UInt8]?, HTTPError> {
        if Task.isCancelled {
            requestCancel()
            return .failure(HTTPError(.cancelled, "the task reading the body was cancelled"))
        }
        // A chunk already buffered (or the end) is taken without a continuation: the common case
        // while the transfer runs ahead of the reader.
        var shouldResume = false
        let buffered = state.withLock { state in take(&state, shouldResume: &shouldResume) }
        if shouldResume { requestResume() }
        if let buffered { return buffered }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                var shouldResume = false
                let ready: Result<[UInt8]?, HTTPError>? = state.withLock { state in
                    if let ready = take(&state, shouldResume: &shouldResume) { return ready }
                    state.waiter = continuation
                    state.hasWaiter = true
                    return nil
                }
                if shouldResume { requestResume() }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.hasWaiter = false
                defer { state.waiter = nil }
                return state.waiter
            }
            requestCancel()
            waiter?.resume(returning: .failure(HTTPError(.cancelled, "the task reading the body was cancelled")))
        }
    }
}
