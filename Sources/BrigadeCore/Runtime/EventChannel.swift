import Synchronization
/// An unbounded, multi-producer, single-consumer queue of events.
///
/// Unlike `AsyncStream`, `next()` does not end when the consuming task is cancelled: a cancelled run
/// still delivers every event it emitted, ending with `finished`. The consumer ends after `finish()`.
final class EventChannel<Element: Sendable>: Sendable {
    private struct State {
        var buffer: [Element] = []
        var head = 0
        var finished = false
        var consumer: CheckedContinuation<Element?, Never>?

        /// The oldest buffered element; `.some(nil)` once finished and drained; `nil` when the
        /// consumer has to wait.
        mutating func take() -> Element?? {
            if head < buffer.count {
                let element = buffer[head]
                head += 1
                if head == buffer.count {
                    buffer.removeAll(keepingCapacity: true)
                    head = 0
                }
                return .some(element)
            }
            return finished ? .some(nil) : nil
        }
    }

    private let state = Mutex(State())

    /// Adds an element; ignored after `finish()`. Never suspends, callable from any thread.
    func send(_ element: Element) {
        let consumer: CheckedContinuation<Element?, Never>? = state.withLock { state in
            guard !state.finished else { return nil }
            if let consumer = state.consumer {
                state.consumer = nil
                return consumer
            }
            state.buffer.append(element)
            return nil
        }
        consumer?.resume(returning: element)
    }

    /// Ends the channel: the consumer receives what is buffered, then `nil`.
    func finish() {
        let consumer: CheckedContinuation<Element?, Never>? = state.withLock { state in
            state.finished = true
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume(returning: nil)
    }

    /// The next element, or `nil` once the channel is finished and drained. One consumer at a time.
    func next() async -> Element? {
        // An element already buffered is taken without a continuation (the common case while events
        // arrive faster than the consumer takes them).
        if let ready = state.withLock({ $0.take() }) { return ready }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
            let immediate: Element?? = state.withLock { state in
                if let ready = state.take() { return ready }
                state.consumer = continuation
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }
}
