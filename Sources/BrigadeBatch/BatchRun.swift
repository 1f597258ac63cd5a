/// The state of one run of ``BatchEngine``: which entries are pending, the ledger, the counts.
/// Lives in the calling task; child tasks only run items and leave ``Finished`` values in
/// ``completions``, where the results writer leaves a ``Written`` value for each synced write.
struct BatchRun {
    struct Finished: Sendable {
        var index: Int
        var outcome: BatchItemOutcome
        var latency: Duration
        var reserve: BatchSpend
    }

    /// Records whose lines were written and synced (or failed to be), numbered in order of writing.
    struct Written: Sendable {
        var sequence: Int
        var records: [BatchRecord]
        var result: Result<Void, BatchError>
    }

    let entries: [BatchInputEntry]
    let file: BatchResultsFile
    let configuration: BatchConfiguration
    let onEvent: @Sendable (BatchEvent) -> Void
    let clock = ContinuousClock()
    var start: ContinuousClock.Instant
    var ledger: BatchLedger
    /// Indexes into `entries` of the items without a result line, in input order.
    var pending: [Int] = []
    var nextPending = 0
    var inFlight = 0
    var ok = 0, failed = 0, skipped = 0, resumed = 0, ran = 0
    var spentThisRun = BatchSpend()
    var latencies: [Duration] = []
    var stoppedBy: String?
    /// Set when admission stopped for a reason that records the remaining items as skipped.
    var skipReason: String?
    var writeError: BatchError?
    /// The number of the next write queued, and of the next whose records are reported: outcomes
    /// that arrive early wait in `writtenAhead`, so records are counted and reported in file order.
    var nextWrite = 0, nextReported = 0
    /// Writes queued whose outcome has not arrived yet.
    var writesInFlight = 0
    var writtenAhead: [Int: Written] = [:]
    var lastProgress: ContinuousClock.Instant?
    let completions = BatchCompletions()

    init(entries: [BatchInputEntry], file: BatchResultsFile, configuration: BatchConfiguration, onEvent: @escaping @Sendable (BatchEvent) -> Void) {
        self.entries = entries
        self.file = file
        self.configuration = configuration
        self.onEvent = onEvent
        start = clock.now
        ledger = BatchLedger(limits: configuration.budget)
        var finished: [BatchItemID: BatchItemStatus] = [:]
        for record in file.records {
            finished[record.id] = record.status
            ledger.carry(BatchSpend(record), latency: record.latency, countsTowardAverage: Self.ran(record))
        }
        for (index, entry) in entries.enumerated() {
            switch finished[entry.id] {
            case .ok?: ok += 1; resumed += 1
            case .failed?: failed += 1; resumed += 1
            case .skipped?: skipped += 1; resumed += 1
            case nil: pending.append(index)
            }
        }
    }

    /// Whether a record is of an item the runner ran (and so informs the average spend).
    static func ran(_ record: BatchRecord) -> Bool {
        record.status != .skipped && record.stopReason != "invalid_input"
    }

    mutating func execute(runner: any BatchItemRunner) async throws(BatchError) -> BatchSummary {
        start = clock.now
        onEvent(.started(progress, repair: file.repair))
        await withDiscardingTaskGroup { group in
            admit(into: &group, runner: runner)
            while inFlight > 0 || writesInFlight > 0 {
                let taken = await completions.next()
                report(taken.written)
                complete(taken.finished)
                if writeError != nil { group.cancelAll() }
                admit(into: &group, runner: runner)
            }
        }
        if writeError != nil { stoppedBy = "write_failed" }
        reportProgress(force: true)
        let summary = self.summary
        onEvent(.finished(summary))
        if var writeError {
            writeError.summary = summary
            throw writeError
        }
        return summary
    }

    var elapsed: Duration { clock.now - start }

    var progress: BatchProgress {
        BatchProgress(
            total: entries.count, done: ok + failed + skipped, resumed: resumed, ok: ok, failed: failed, skipped: skipped,
            inFlight: inFlight, elapsed: elapsed, spent: ledger.spent, budget: configuration.budget
        )
    }

    var summary: BatchSummary {
        BatchSummary(
            total: entries.count, ok: ok, failed: failed, skipped: skipped, resumed: resumed, ran: ran,
            notStarted: entries.count - ok - failed - skipped, spent: ledger.spent, spentThisRun: spentThisRun,
            latencyP50: BatchSummary.percentile(50, of: latencies), latencyP95: BatchSummary.percentile(95, of: latencies),
            elapsed: elapsed, stoppedBy: stoppedBy, repair: file.repair
        )
    }

    /// Starts pending items while the window and the budget allow; records malformed lines as they come
    /// and, once admission has stopped for budget or fail-fast, every remaining item as skipped.
    mutating func admit(into group: inout DiscardingTaskGroup, runner: any BatchItemRunner) {
        var records: [BatchRecord] = []
        admission: while nextPending < pending.count, skipReason == nil, writeError == nil {
            let index = pending[nextPending]
            switch entries[index] {
            case .malformed(let malformed):
                records.append(BatchRecord(malformed: malformed))
                nextPending += 1
                if configuration.failFast { stop(by: "fail_fast", skipping: "fail_fast") }
            case .item(let item):
                if Task.isCancelled {
                    stoppedBy = stoppedBy ?? "cancelled"
                    break admission
                }
                guard inFlight < configuration.concurrency else { break admission }
                let budget = item.budget.filling(from: configuration.defaultItemBudget)
                switch ledger.admit(budget, elapsedSeconds: elapsed.inSeconds) {
                case .admit(let narrowed, let reserve):
                    group.addTask { [completions] in
                        let started = ContinuousClock.now
                        let outcome = await Self.run(item, budget: narrowed, with: runner)
                        completions.add(Finished(index: index, outcome: outcome, latency: ContinuousClock.now - started, reserve: reserve))
                    }
                    inFlight += 1
                    nextPending += 1
                case .wait:
                    break admission
                case .exhausted(let dimension):
                    stop(by: dimension.rawValue, skipping: "budget")
                }
            }
        }
        if let skipReason, writeError == nil {
            for index in pending[nextPending...] {
                switch entries[index] {
                case .malformed(let malformed): records.append(BatchRecord(malformed: malformed))
                case .item(let item): records.append(BatchRecord(skipped: item, reason: skipReason))
                }
            }
            nextPending = pending.count
        }
        write(records)
    }

    mutating func stop(by reason: String, skipping skipReason: String) {
        stoppedBy = stoppedBy ?? reason
        self.skipReason = self.skipReason ?? skipReason
    }

    /// Books finished items and writes their lines in one append (leaving out, once the run is
    /// cancelled, the items that did not succeed: they run again on resume).
    mutating func complete(_ batch: [Finished]) {
        var records: [BatchRecord] = []
        for finished in batch {
            inFlight -= 1
            guard case .item(let item) = entries[finished.index] else { continue }
            let outcome = finished.outcome
            let spend = BatchSpend(usd: outcome.costUSD, inputTokens: outcome.usage.inputTokens, outputTokens: outcome.usage.outputTokens)
            ledger.settle(reserve: finished.reserve, spent: spend, latency: finished.latency, countsTowardAverage: true)
            spentThisRun = spentThisRun + spend
            ran += 1
            latencies.append(finished.latency)
            if Task.isCancelled && !outcome.succeeded {
                stoppedBy = stoppedBy ?? "cancelled"
                continue
            }
            records.append(BatchRecord(item: item, outcome: outcome, latency: finished.latency))
            if !outcome.succeeded && configuration.failFast { stop(by: "fail_fast", skipping: "fail_fast") }
        }
        write(records)
    }

    /// Queues records to be appended in one write and synced; the writer hands the outcome to
    /// ``report(_:)`` through ``completions``. Admission goes on meanwhile: an item counts as recorded
    /// (and is reported) only once its line is on disk, and one that is not yet there when the process
    /// dies simply runs again on resume.
    mutating func write(_ records: [BatchRecord]) {
        guard !records.isEmpty, writeError == nil else { return }
        let sequence = nextWrite
        nextWrite += 1
        writesInFlight += 1
        var lines: [UInt8] = []
        lines.reserveCapacity(records.count * 512)
        for record in records { record.appendJSONLine(to: &lines) }
        file.writer.enqueue(lines) { [completions] result in
            completions.add(Written(sequence: sequence, records: records, result: result))
        }
    }

    /// Counts and reports the records of synced writes, in the order they were written; a failed
    /// write stops the run.
    mutating func report(_ written: [Written]) {
        writesInFlight -= written.count
        for entry in written { writtenAhead[entry.sequence] = entry }
        while let entry = writtenAhead.removeValue(forKey: nextReported) {
            nextReported += 1
            switch entry.result {
            case .failure(let error):
                writeError = writeError ?? error
            case .success:
                for record in entry.records {
                    switch record.status {
                    case .ok: ok += 1
                    case .failed: failed += 1
                    case .skipped: skipped += 1
                    }
                    onEvent(.recorded(record))
                    // After each record (as often as the interval allows), also when one sync
                    // brought several.
                    reportProgress(force: false)
                }
            }
        }
    }

    mutating func reportProgress(force: Bool) {
        let now = clock.now
        if !force, let lastProgress, now - lastProgress < configuration.progressInterval { return }
        lastProgress = now
        onEvent(.progress(progress))
    }

    /// Runs one item, cancelling it when it outlives its wall-time budget.
    static func run(_ item: BatchItem, budget: BatchBudget, with runner: any BatchItemRunner) async -> BatchItemOutcome {
        guard let wall = budget.wallSeconds else { return await runner.run(item, budget: budget) }
        return await withTaskGroup(of: BatchItemOutcome?.self) { group in
            group.addTask { await runner.run(item, budget: budget) }
            group.addTask {
                try? await Task.sleep(for: .seconds(wall))
                return nil
            }
            var timedOut = false
            while let result = await group.next() {
                if let outcome = result {
                    group.cancelAll()
                    guard timedOut, !outcome.succeeded else { return outcome }
                    var late = outcome
                    late.stopReason = "wall_seconds"
                    late.error = "exceeded its wall-time budget of \(BatchFormat.fixed(wall, 3))s" + (outcome.error.map { ": \($0)" } ?? "")
                    return late
                }
                if !Task.isCancelled {
                    timedOut = true
                    group.cancelAll()
                }
            }
            return .failure("the runner returned no outcome")
        }
    }
}
