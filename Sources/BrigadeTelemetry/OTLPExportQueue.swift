import BrigadeCore

/// The exporter's queue as a pure state machine (no I/O, no clock): finished runs wait here until the
/// export task turns them into spans (off the run's path), and spans wait until it sends them in
/// batches. Bounded: runs past ``runCapacity`` and spans past ``capacity`` are dropped, never waited
/// for, so a slow collector cannot hold up a run or grow memory.
struct OTLPExportQueue<Run: Sendable>: Sendable {
    /// The most spans waiting at once.
    let capacity: Int
    /// The most spans in one export request.
    let maxBatch: Int
    /// The most finished runs waiting to be turned into spans.
    let runCapacity: Int
    private(set) var pendingRuns: [Run] = []
    /// A run is being turned into spans.
    private(set) var isBuilding = false
    private(set) var pending: [JSONValue] = []
    /// Spans of the batch being sent.
    private(set) var inFlight = 0
    /// Spans refused because the queue was full (or closed).
    private(set) var dropped = 0
    /// Runs refused because too many were waiting (or the queue was closed).
    private(set) var droppedRuns = 0
    /// After ``close()`` nothing more is accepted; the export task ends once the queue is empty.
    private(set) var isClosed = false
    /// Whether a failure was reported: only the first one is.
    private(set) var failureReported = false

    init(capacity: Int, maxBatch: Int, runCapacity: Int = 256) {
        precondition(capacity > 0 && maxBatch > 0 && runCapacity > 0)
        self.capacity = capacity
        self.maxBatch = maxBatch
        self.runCapacity = runCapacity
    }

    /// Queues a finished run to be turned into spans. - Returns: `false` when it was dropped.
    mutating func enqueue(run: Run) -> Bool {
        guard !isClosed, pendingRuns.count < runCapacity else {
            droppedRuns += 1
            return false
        }
        pendingRuns.append(run)
        return true
    }

    /// Queues what fits and drops the rest, all or nothing per span (the oldest spans are kept).
    /// Spans of a run being built are accepted after ``close()``: the run was accepted before it.
    /// - Returns: how many spans were dropped.
    mutating func enqueue(_ spans: [JSONValue]) -> Int {
        let room = isClosed && !isBuilding ? 0 : max(0, capacity - pending.count)
        let accepted = spans.prefix(room)
        pending.append(contentsOf: accepted)
        let refused = spans.count - accepted.count
        dropped += refused
        return refused
    }

    /// What the export task does next.
    enum Step: Sendable {
        /// Turn this run into spans, ``enqueue(_:)`` them, then call ``runBuilt()``.
        case build(Run)
        /// Send these spans, then call ``batchFinished()``.
        case send([JSONValue])
        /// Closed and empty: the export task ends.
        case stop
    }

    /// The next run to build, else the next batch (oldest spans first, at most ``maxBatch``), when
    /// nothing is in progress; `.stop` once closed and drained; `nil` to keep waiting.
    mutating func nextStep() -> Step? {
        guard inFlight == 0, !isBuilding else { return nil }
        if !pendingRuns.isEmpty {
            isBuilding = true
            return .build(pendingRuns.removeFirst())
        }
        if pending.isEmpty { return isClosed ? .stop : nil }
        let batch = Array(pending.prefix(maxBatch))
        pending.removeFirst(batch.count)
        inFlight = batch.count
        return .send(batch)
    }

    /// The run taken by `.build` was turned into spans (and they were queued).
    mutating func runBuilt() {
        isBuilding = false
    }

    /// The batch in flight was sent, or dropped.
    mutating func batchFinished() {
        inFlight = 0
    }

    /// Nothing waiting and nothing in progress.
    var isIdle: Bool { pendingRuns.isEmpty && !isBuilding && pending.isEmpty && inFlight == 0 }

    /// What is still to do: spans queued or in flight, and runs not yet built (for the message when
    /// they are abandoned).
    var leftOver: (spans: Int, runs: Int) { (pending.count + inFlight, pendingRuns.count + (isBuilding ? 1 : 0)) }

    mutating func close() {
        isClosed = true
    }

    /// `true` the first time only: the caller reports this failure; later ones stay silent.
    mutating func claimFailureReport() -> Bool {
        defer { failureReported = true }
        return !failureReported
    }
}

extension OTLPExportQueue.Step: Equatable where Run: Equatable {}
