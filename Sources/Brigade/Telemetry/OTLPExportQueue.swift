/// The exporter's queue as a pure state machine (no I/O, no clock): spans wait here until the export
/// task takes them in batches. Bounded: spans past ``capacity`` are dropped, never waited for, so a
/// slow collector cannot hold up a run or grow memory.
struct OTLPExportQueue: Sendable {
    /// The most spans waiting at once.
    let capacity: Int
    /// The most spans in one export request.
    let maxBatch: Int
    private(set) var pending: [JSONValue] = []
    /// Spans of the batch being sent.
    private(set) var inFlight = 0
    /// Spans refused because the queue was full (or closed).
    private(set) var dropped = 0
    /// After ``close()`` nothing more is accepted; the export task ends once the queue is empty.
    private(set) var isClosed = false
    /// Whether a failure was reported: only the first one is.
    private(set) var failureReported = false

    init(capacity: Int, maxBatch: Int) {
        precondition(capacity > 0 && maxBatch > 0)
        self.capacity = capacity
        self.maxBatch = maxBatch
    }

    /// Queues what fits and drops the rest, all or nothing per span (the oldest spans are kept).
    /// - Returns: how many spans were dropped.
    mutating func enqueue(_ spans: [JSONValue]) -> Int {
        let room = isClosed ? 0 : max(0, capacity - pending.count)
        let accepted = spans.prefix(room)
        pending.append(contentsOf: accepted)
        let refused = spans.count - accepted.count
        dropped += refused
        return refused
    }

    /// What the export task does next.
    enum Step: Sendable, Equatable {
        /// Send these spans, then call ``batchFinished()``.
        case send([JSONValue])
        /// Closed and empty: the export task ends.
        case stop
    }

    /// The next batch (oldest spans first, at most ``maxBatch``) when one is ready and none is in
    /// flight; `.stop` once closed and drained; `nil` to keep waiting.
    mutating func nextStep() -> Step? {
        guard inFlight == 0 else { return nil }
        if pending.isEmpty { return isClosed ? .stop : nil }
        let batch = Array(pending.prefix(maxBatch))
        pending.removeFirst(batch.count)
        inFlight = batch.count
        return .send(batch)
    }

    /// The batch in flight was sent, or dropped.
    mutating func batchFinished() {
        inFlight = 0
    }

    /// Nothing waiting and nothing in flight.
    var isIdle: Bool { pending.isEmpty && inFlight == 0 }

    mutating func close() {
        isClosed = true
    }

    /// `true` the first time only: the caller reports this failure; later ones stay silent.
    mutating func claimFailureReport() -> Bool {
        defer { failureReported = true }
        return !failureReported
    }
}
