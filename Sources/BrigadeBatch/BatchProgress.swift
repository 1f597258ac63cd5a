/// A snapshot of a running batch, for progress displays.
public struct BatchProgress: Sendable, Hashable {
    /// Items of this run's input (this shard's, when sharded).
    public var total: Int
    /// Items finished, resumed ones included.
    public var done: Int
    /// Items that an earlier run had already finished.
    public var resumed: Int
    public var ok: Int
    public var failed: Int
    public var skipped: Int
    public var inFlight: Int
    /// Time since this run started.
    public var elapsed: Duration
    /// Spend of the whole results file, earlier runs included.
    public var spent: BatchSpend
    /// The global budget.
    public var budget: BatchBudget

    public init(
        total: Int, done: Int, resumed: Int = 0, ok: Int = 0, failed: Int = 0, skipped: Int = 0, inFlight: Int = 0,
        elapsed: Duration = .zero, spent: BatchSpend = BatchSpend(), budget: BatchBudget = .unlimited
    ) {
        self.total = total
        self.done = done
        self.resumed = resumed
        self.ok = ok
        self.failed = failed
        self.skipped = skipped
        self.inFlight = inFlight
        self.elapsed = elapsed
        self.spent = spent
        self.budget = budget
    }

    /// Items finished by this run per second of this run; zero before any finished.
    public var itemsPerSecond: Double {
        let seconds = elapsed.inSeconds
        let finished = done - resumed
        return seconds > 0 && finished > 0 ? Double(finished) / seconds : 0
    }

    /// The time left at the current rate; `nil` while the rate is unknown.
    public var estimatedTimeRemaining: Duration? {
        let left = total - done
        if left <= 0 { return .zero }
        let rate = itemsPerSecond
        guard rate > 0 else { return nil }
        return .seconds(Double(left) / rate)
    }

    /// The fraction done, from 0 to 1 (1 for an empty batch).
    public var fractionDone: Double { total == 0 ? 1 : min(1, Double(done) / Double(total)) }
}

/// What the engine reports while it runs, in order, from the task that called ``BatchEngine/run(_:resultsPath:inputPath:onEvent:)``.
public enum BatchEvent: Sendable {
    /// The results file is open (and repaired if needed); resumed items are counted.
    case started(BatchProgress, repair: BatchRepair?)
    /// A line was appended to the results file (every item, as it finishes).
    case recorded(BatchRecord)
    /// A progress snapshot, at most once per ``BatchConfiguration/progressInterval``, and once at the end.
    case progress(BatchProgress)
    /// The batch ended (completed, stopped by its budget or fail-fast, or cancelled).
    case finished(BatchSummary)
}
