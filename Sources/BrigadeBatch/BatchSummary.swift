import BrigadeCore

/// How a batch run ended and what it cost. The CLI prints ``description`` on stderr and writes
/// ``json`` to `--summary FILE`.
public struct BatchSummary: Sendable, Hashable, CustomStringConvertible {
    /// Items of the input (this shard's, when sharded).
    public var total: Int
    /// Final status counts over all `total` items, resumed ones included.
    public var ok: Int
    public var failed: Int
    public var skipped: Int
    /// Items already finished by an earlier run.
    public var resumed: Int
    /// Items the runner ran in this run.
    public var ran: Int
    /// Items left without a result line (the run was cancelled before they started).
    public var notStarted: Int
    /// Spend of the whole results file, earlier runs included.
    public var spent: BatchSpend
    /// Spend of this run alone.
    public var spentThisRun: BatchSpend
    /// Latency percentiles (nearest rank) over the items run in this run; `nil` when none ran.
    public var latencyP50: Duration?
    public var latencyP95: Duration?
    public var elapsed: Duration
    /// Why admission stopped early: `usd`, `input_tokens`, `output_tokens`, `wall_seconds`,
    /// `fail_fast`, `cancelled`, or `write_failed` (the results file could not be written: a full
    /// disk, a quota, an I/O error); `nil` when every item got its turn.
    public var stoppedBy: String?
    /// A torn last line that was cut from the results file at start.
    public var repair: BatchRepair?

    public init(
        total: Int, ok: Int, failed: Int, skipped: Int, resumed: Int, ran: Int, notStarted: Int,
        spent: BatchSpend, spentThisRun: BatchSpend, latencyP50: Duration?, latencyP95: Duration?,
        elapsed: Duration, stoppedBy: String?, repair: BatchRepair?
    ) {
        self.total = total
        self.ok = ok
        self.failed = failed
        self.skipped = skipped
        self.resumed = resumed
        self.ran = ran
        self.notStarted = notStarted
        self.spent = spent
        self.spentThisRun = spentThisRun
        self.latencyP50 = latencyP50
        self.latencyP95 = latencyP95
        self.elapsed = elapsed
        self.stoppedBy = stoppedBy
        self.repair = repair
    }

    /// Items run in this run per second of this run.
    public var itemsPerSecond: Double {
        let seconds = elapsed.inSeconds
        return seconds > 0 ? Double(ran) / seconds : 0
    }

    /// The `p`-th percentile (0 < p ≤ 100) by the nearest-rank method: the smallest value with at
    /// least p% of the values at or below it. `nil` for no values.
    public static func percentile(_ p: Double, of values: [Duration]) -> Duration? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// The summary as JSON, for `--summary FILE`.
    public var json: JSONValue {
        func ms(_ duration: Duration?) -> JSONValue { duration.map { .number(BatchRecord.milliseconds($0)) } ?? .null }
        func spend(_ spend: BatchSpend) -> JSONValue {
            ["usd": .number(spend.usd), "input_tokens": .integer(spend.inputTokens), "output_tokens": .integer(spend.outputTokens)]
        }
        var object: JSONObject = [
            "total": .integer(total), "ok": .integer(ok), "failed": .integer(failed), "skipped": .integer(skipped),
            "resumed": .integer(resumed), "ran": .integer(ran), "not_started": .integer(notStarted),
            "spent": spend(spent), "spent_this_run": spend(spentThisRun),
            "latency_p50_ms": ms(latencyP50), "latency_p95_ms": ms(latencyP95),
            "elapsed_seconds": .number(elapsed.inSeconds),
            "items_per_second": .number((itemsPerSecond * 1000).rounded() / 1000),
            "stopped_by": stoppedBy.map { .string($0) } ?? .null,
        ]
        object["repair"] = repair.map { ["line": .integer($0.line), "removed_bytes": .integer($0.removedBytes), "reason": .string($0.reason)] } ?? .null
        return .object(object)
    }

    /// Two or three lines for stderr.
    public var description: String {
        var text = "batch: \(ok) ok, \(failed) failed, \(skipped) skipped of \(total)"
        if resumed > 0 { text += " (\(resumed) from an earlier run)" }
        if notStarted > 0 { text += ", \(notStarted) \(stoppedBy == "write_failed" ? "not recorded" : "not started")" }
        if let stoppedBy { text += "; stopped by \(stoppedBy)" }
        text += "\nspent \(BatchFormat.usd(spent.usd)), \(BatchFormat.tokens(spent.inputTokens)) input + "
            + "\(BatchFormat.tokens(spent.outputTokens)) output tokens"
        if resumed > 0 { text += " (this run \(BatchFormat.usd(spentThisRun.usd)))" }
        text += "\n\(ran) run in \(BatchFormat.duration(elapsed)), \(BatchFormat.rate(itemsPerSecond)) items/s"
        if let latencyP50, let latencyP95 {
            text += ", latency p50 \(BatchFormat.duration(latencyP50)) p95 \(BatchFormat.duration(latencyP95))"
        }
        if let repair { text += "\n\(repair)" }
        return text
    }
}
