/// How a batch runs.
public struct BatchConfiguration: Sendable, Hashable {
    /// How many items run at once (at least 1).
    public var concurrency: Int
    /// The global budget over the whole batch. USD and tokens count the whole results file, so spend
    /// of earlier runs carries over on resume; wall time counts this run only.
    public var budget: BatchBudget
    /// The budget of items that do not set their own (per dimension).
    public var defaultItemBudget: BatchBudget
    /// Run only this shard's items.
    public var shard: BatchShard?
    /// Stop starting new items after the first failure (the rest are recorded as skipped, `fail_fast`).
    public var failFast: Bool
    /// On resume, run the items whose earlier result is `failed` again (skipped items always run again).
    public var retryFailed: Bool
    /// The least time between two ``BatchEvent/progress(_:)`` events.
    public var progressInterval: Duration

    public init(
        concurrency: Int = 4,
        budget: BatchBudget = .unlimited,
        defaultItemBudget: BatchBudget = .unlimited,
        shard: BatchShard? = nil,
        failFast: Bool = false,
        retryFailed: Bool = false,
        progressInterval: Duration = .milliseconds(250)
    ) {
        self.concurrency = concurrency
        self.budget = budget
        self.defaultItemBudget = defaultItemBudget
        self.shard = shard
        self.failFast = failFast
        self.retryFailed = retryFailed
        self.progressInterval = progressInterval
    }
}

/// Runs the items of a batch through a ``BatchItemRunner``, a bounded number at once, under a global
/// budget, appending one result line per item to a results file that makes the batch resumable.
///
/// A results file is the batch's memory: running again with the same file skips every item it
/// already holds (by id) and counts their spend toward the budget; skipped items (and, with
/// ``BatchConfiguration/retryFailed``, failed ones) are removed from it and run again. Lines are
/// appended with one `write(2)` and synced off the engine's task, the lines of items that finish
/// meanwhile together (group commit); an item is counted and reported as recorded only once its
/// line is synced, so a `kill -9` at any moment loses no item reported done and duplicates none (an
/// item finished but not yet synced runs again on resume); a torn last line is cut at the next start.
public struct BatchEngine: Sendable {
    public let runner: any BatchItemRunner
    public let configuration: BatchConfiguration

    public init(runner: any BatchItemRunner, configuration: BatchConfiguration = BatchConfiguration()) {
        self.runner = runner
        self.configuration = configuration
    }

    /// Runs the batch until every item of the input (of the configured shard) has a result line,
    /// the budget or fail-fast stops admission, or the calling task is cancelled.
    ///
    /// On cancellation no new item starts, items in flight are cancelled (their results are written
    /// only when they still succeeded), and the summary says `stoppedBy: "cancelled"`; items without a
    /// line run on the next resume.
    ///
    /// - Parameters:
    ///   - input: The parsed input.
    ///   - resultsPath: The results file; created when missing, resumed when present. Locked while running.
    ///   - inputPath: The input file's path, only to refuse a results path that names the same file.
    ///   - onEvent: Called from the calling task, one event at a time, in order.
    /// - Returns: The summary (also delivered as ``BatchEvent/finished(_:)``).
    /// - Throws: ``BatchError`` with code `invalidOption` (bad concurrency, results file = input file),
    ///   `resultsInUse`, `corruptResults`, `duplicateIDs` (in the results file), or `io` (a write or
    ///   sync failed — a full disk, a quota, an I/O error: the run stops, cancels items in flight, cuts
    ///   the file back to its last synced line, and the error's ``BatchError/summary`` (also delivered
    ///   as ``BatchEvent/finished(_:)``) says `stoppedBy: "write_failed"` and counts exactly the
    ///   lines on disk; resuming runs every other item). Item failures never throw.
    public func run(
        _ input: BatchInput,
        resultsPath: String,
        inputPath: String? = nil,
        onEvent: @escaping @Sendable (BatchEvent) -> Void = { _ in }
    ) async throws(BatchError) -> BatchSummary {
        guard configuration.concurrency >= 1 else {
            throw BatchError(.invalidOption, "concurrency must be at least 1, not \(configuration.concurrency)")
        }
        if let inputPath, let inputFile = BatchFile.identity(inputPath), let resultsFile = BatchFile.identity(resultsPath),
            inputFile == resultsFile
        {
            throw BatchError(.invalidOption, "the results file \(resultsPath) is the input file", path: resultsPath)
        }
        let retryFailed = configuration.retryFailed
        let file = try BatchResultsFile(path: resultsPath) { record in
            record.status == .skipped || (retryFailed && record.status == .failed)
        }
        var run = BatchRun(
            entries: input.entries(in: configuration.shard),
            file: file,
            configuration: configuration,
            onEvent: onEvent
        )
        return try await run.execute(runner: runner)
    }
}
