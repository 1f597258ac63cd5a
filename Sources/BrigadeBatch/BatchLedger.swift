/// Money and tokens spent (or reserved).
public struct BatchSpend: Sendable, Hashable {
    public var usd: Double
    public var inputTokens: Int
    public var outputTokens: Int

    public init(usd: Double = 0, inputTokens: Int = 0, outputTokens: Int = 0) {
        self.usd = usd
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    /// The spend of one finished item.
    public init(_ record: BatchRecord) {
        self.init(usd: record.costUSD, inputTokens: record.usage.inputTokens, outputTokens: record.usage.outputTokens)
    }

    public var totalTokens: Int { inputTokens + outputTokens }

    public static func + (lhs: BatchSpend, rhs: BatchSpend) -> BatchSpend {
        BatchSpend(usd: lhs.usd + rhs.usd, inputTokens: lhs.inputTokens + rhs.inputTokens, outputTokens: lhs.outputTokens + rhs.outputTokens)
    }

    public static func - (lhs: BatchSpend, rhs: BatchSpend) -> BatchSpend {
        BatchSpend(usd: lhs.usd - rhs.usd, inputTokens: lhs.inputTokens - rhs.inputTokens, outputTokens: lhs.outputTokens - rhs.outputTokens)
    }
}

/// A dimension of a budget, named as in the input and the summary.
package enum BatchBudgetDimension: String, Sendable, Hashable {
    case usd
    case inputTokens = "input_tokens"
    case outputTokens = "output_tokens"
    case wallSeconds = "wall_seconds"
}

/// The global budget's books: what finished items spent, what items in flight reserved, and the
/// admission rule. A pure state machine; the engine feeds it and follows its answers.
///
/// **Admission rule.** An item's *reserve* in each dimension is its own limit there (its per-item
/// budget, else the batch's default item budget); when it has none, the average spend of the items
/// that ran so far (resumed ones included); before any item ran, zero. An item is admitted when, in
/// every dimension the global budget limits, `limit − spent − reserved by items in flight` is above
/// zero and at least the item's reserve (for wall time: `elapsed < limit` and `elapsed + reserve <= limit`).
/// When money or tokens do not fit and items are in flight, admission waits for them to finish (they
/// may spend less than they reserved); when nothing is in flight, or wall time does not fit, the budget
/// is exhausted for good and every item not yet started is skipped. The admitted item's own budget
/// is narrowed to what the global budget has left for it.
struct BatchLedger {
    enum Admission: Equatable {
        /// Start the item with this budget; hand `reserve` back to ``settle(reserve:spent:latency:countsTowardAverage:)``.
        case admit(budget: BatchBudget, reserve: BatchSpend)
        /// Wait for an item in flight to finish, then ask again.
        case wait(BatchBudgetDimension)
        /// No more items start.
        case exhausted(BatchBudgetDimension)
    }

    let limits: BatchBudget
    private(set) var spent = BatchSpend()
    private(set) var reserved = BatchSpend()
    private(set) var inFlight = 0
    private(set) var exhaustedBy: BatchBudgetDimension?
    private var averaged = 0
    private var averagedSpend = BatchSpend()
    private var averagedSeconds = 0.0

    /// Money is compared with this tolerance so that sums of decimal prices do not refuse an exact fit.
    static let usdTolerance = 1e-9

    init(limits: BatchBudget) { self.limits = limits }

    /// Counts an item finished in an earlier run.
    mutating func carry(_ spend: BatchSpend, latency: Duration, countsTowardAverage: Bool) {
        spent = spent + spend
        if countsTowardAverage { average(spend, latency) }
    }

    /// The reserve of an item with this (effective) budget, and its expected wall seconds.
    func reserve(for budget: BatchBudget) -> (spend: BatchSpend, seconds: Double) {
        let count = Double(max(averaged, 1))
        func mean(_ total: Int) -> Int { averaged == 0 ? 0 : Int((Double(total) / count).rounded(.up)) }
        let spend = BatchSpend(
            usd: budget.usd ?? (averaged == 0 ? 0 : averagedSpend.usd / count),
            inputTokens: budget.inputTokens ?? mean(averagedSpend.inputTokens),
            outputTokens: budget.outputTokens ?? mean(averagedSpend.outputTokens)
        )
        return (spend, budget.wallSeconds ?? (averaged == 0 ? 0 : averagedSeconds / count))
    }

    /// Decides whether an item with this effective budget starts now.
    mutating func admit(_ budget: BatchBudget, elapsedSeconds: Double) -> Admission {
        if let exhaustedBy { return .exhausted(exhaustedBy) }
        let (reserve, seconds) = reserve(for: budget)
        let remaining = BatchSpend(
            usd: limits.usd.map { $0 - spent.usd - reserved.usd } ?? .infinity,
            inputTokens: limits.inputTokens.map { $0 - spent.inputTokens - reserved.inputTokens } ?? .max,
            outputTokens: limits.outputTokens.map { $0 - spent.outputTokens - reserved.outputTokens } ?? .max
        )
        if let wall = limits.wallSeconds, elapsedSeconds >= wall || elapsedSeconds + seconds > wall {
            return stop(.wallSeconds)
        }
        let tolerance = Self.usdTolerance
        if remaining.usd <= tolerance || reserve.usd > remaining.usd + tolerance { return wait(or: .usd) }
        if remaining.inputTokens <= 0 || reserve.inputTokens > remaining.inputTokens { return wait(or: .inputTokens) }
        if remaining.outputTokens <= 0 || reserve.outputTokens > remaining.outputTokens { return wait(or: .outputTokens) }

        var narrowed = budget
        if limits.usd != nil { narrowed.usd = min(budget.usd ?? .infinity, max(remaining.usd, 0)) }
        if limits.inputTokens != nil { narrowed.inputTokens = min(budget.inputTokens ?? .max, remaining.inputTokens) }
        if limits.outputTokens != nil { narrowed.outputTokens = min(budget.outputTokens ?? .max, remaining.outputTokens) }
        if let wall = limits.wallSeconds { narrowed.wallSeconds = min(budget.wallSeconds ?? .infinity, wall - elapsedSeconds) }
        reserved = reserved + reserve
        inFlight += 1
        return .admit(budget: narrowed, reserve: reserve)
    }

    /// Books a finished item: releases its reserve and adds what it spent.
    mutating func settle(reserve: BatchSpend, spent spend: BatchSpend, latency: Duration, countsTowardAverage: Bool) {
        inFlight -= 1
        reserved = inFlight == 0 ? BatchSpend() : reserved - reserve
        spent = spent + spend
        if countsTowardAverage { average(spend, latency) }
    }

    private mutating func wait(or dimension: BatchBudgetDimension) -> Admission {
        inFlight > 0 ? .wait(dimension) : stop(dimension)
    }

    private mutating func stop(_ dimension: BatchBudgetDimension) -> Admission {
        exhaustedBy = dimension
        return .exhausted(dimension)
    }

    private mutating func average(_ spend: BatchSpend, _ latency: Duration) {
        averaged += 1
        averagedSpend = averagedSpend + spend
        averagedSeconds += latency.inSeconds
    }
}
