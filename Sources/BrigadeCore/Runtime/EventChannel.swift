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
        await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
            let immediate: Element?? = state.withLock { state in
                if state.head < state.buffer.count {
                    let element = state.buffer[state.head]
                    state.head += 1
                    if state.head == state.buffer.count {
                        state.buffer.removeAll(keepingCapacity: true)
                        state.head = 0
                    }
                    return .some(element)
                }
                if state.finished { return .some(nil) }
                state.consumer = continuation
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }
}
