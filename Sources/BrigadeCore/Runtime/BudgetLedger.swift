import Synchronization
/// A ``Budget`` shared by the tasks of one run (the agent loop and the dispatcher's call tasks).
///
/// Each method locks, reads the ledger's clock where the state machine needs an instant, and forwards
/// to the ``Budget`` of the same name.
public final class BudgetLedger: Sendable {
    private let state: Mutex<Budget>
    /// Where the ledger reads the current instant.
    public let clock: any RuntimeClock
    /// The ledger this one's slice was carved from; `nil` for a root ledger.
    public let parent: BudgetLedger?
    /// The run whose budget this is; `nil` for a ledger no run owns (a session's, one made by hand).
    /// A run given this ledger as ``RunOptions/parentBudget`` names this run as its parent.
    public let runID: RunID?

    /// - Parameters:
    ///   - limits: the caps.
    ///   - pricing: turns token usage into USD.
    ///   - startedAt: the run's start (defaults to the clock's now).
    ///   - clock: the time source of the wall-time limit (default: the system's monotonic clock).
    public init(
        limits: Budget.Limits,
        pricing: ModelPricing = ModelPricing(),
        startedAt: ContinuousClock.Instant? = nil,
        clock: any RuntimeClock = .system,
        runID: RunID? = nil
    ) {
        self.clock = clock
        self.parent = nil
        self.runID = runID
        state = Mutex(Budget(limits: limits, pricing: pricing, startedAt: startedAt ?? clock.now))
    }

    private init(child: Budget, parent: BudgetLedger, runID: RunID?) {
        self.clock = parent.clock
        self.parent = parent
        self.runID = runID
        state = Mutex(child)
    }

    /// Opens a child ledger whose budget is carved from this one (``Budget/openChild(requesting:now:)``).
    /// Close it with ``close()`` — or use ``withChild(requesting:_:)`` — to return what it did not spend.
    /// - Returns: the child, or the cap of this ledger that leaves no room for it.
    /// - Parameter runID: the run the child's budget is for, if any (see ``runID``).
    public func openChild(requesting limits: Budget.Limits, runID: RunID? = nil) -> Result<BudgetLedger, BudgetRefusal> {
        let now = clock.now
        switch state.withLock({ $0.openChild(requesting: limits, now: now) }) {
        case .opened(let child): return .success(BudgetLedger(child: child, parent: self, runID: runID))
        case .refused(let limit): return .failure(BudgetRefusal(limit: limit))
        }
    }

    /// Runs `body` with a child ledger carved from this one, and closes it afterwards.
    /// - Returns: what `body` returned, or the cap that left no room for the child (`body` did not run).
    public func withChild<T>(requesting limits: Budget.Limits, _ body: (BudgetLedger) async -> T) async -> Result<T, BudgetRefusal> {
        switch openChild(requesting: limits) {
        case .success(let child):
            let value = await body(child)
            child.close()
            return .success(value)
        case .failure(let refusal):
            return .failure(refusal)
        }
    }

    /// Gives the slice of this child ledger back to its parent and adds what it spent there. Only the
    /// first call counts; nothing happens for a root ledger. Spending after closing is not rolled up.
    ///
    /// A child may close after its parent did (a protocol run opened from a run that ended first): its
    /// spend then goes on up to the first ancestor still open (or the root), where its slice stayed held.
    public func close() {
        guard let parent else { return }
        // Never two ledgers' locks at once: the child's state is copied, then the parent's lock is taken.
        let finished: Budget? = state.withLock { budget in
            guard !budget.isRolledUp else { return nil }
            budget.isRolledUp = true
            return budget
        }
        if let finished { parent.absorb(finished) }
    }

    /// Adds a closed child's spend; passes it on when this ledger has itself been rolled up already
    /// (checked under the same lock as the copy `close()` rolls up, so it is counted exactly once).
    private func absorb(_ child: Budget) {
        let rolledUp = state.withLock { budget in
            budget.closeChild(child)
            return budget.isRolledUp
        }
        if rolledUp, let parent { parent.absorb(child) }
    }

    /// Starts a resumed run's ledger from what the run spent before (``Agent/resume(_:approval:onEvent:)``).
    func restore(usage: TokenUsage, costUSD: Double, turns: Int, toolCalls: Int) {
        state.withLock { budget in
            budget.usage = usage
            budget.modelCostUSD = costUSD
            budget.turns = turns
            budget.toolCalls = toolCalls
        }
    }

    /// A copy of the state machine.
    public var budget: Budget { state.withLock { $0 } }

    public var deadline: ContinuousClock.Instant? { state.withLock { $0.deadline } }
    public var dispatchDeadline: ContinuousClock.Instant? { state.withLock { $0.dispatchDeadline } }

    public func admitModelCall(estimatedInputTokens: Int, requestedOutputTokens: Int, purpose: Budget.Purpose) -> Budget.ModelCallDecision {
        let now = clock.now
        return state.withLock {
            $0.admitModelCall(estimatedInputTokens: estimatedInputTokens, requestedOutputTokens: requestedOutputTokens, purpose: purpose, now: now)
        }
    }

    /// Charges a finished model call; `pricing` overrides the budget's own (a fallback model's price).
    public func commitModelCall(usage: TokenUsage, pricing: ModelPricing? = nil) {
        state.withLock { $0.commitModelCall(usage: usage, pricing: pricing) }
    }

    public func beginDispatch() {
        state.withLock { $0.beginDispatch() }
    }

    public func admitToolCall(costUSD: Double) -> Budget.ToolCallDecision {
        let now = clock.now
        return state.withLock { $0.admitToolCall(costUSD: costUSD, now: now) }
    }

    public func refundToolCall(costUSD: Double) {
        state.withLock { $0.refundToolCall(costUSD: costUSD) }
    }

    public func snapshot() -> BudgetSnapshot {
        let now = clock.now
        return state.withLock { $0.snapshot(now: now) }
    }
}

/// Why a child budget could not be opened: the parent's cap that has no room left.
public struct BudgetRefusal: Error, Sendable, Hashable {
    public var limit: Budget.Limit

    public init(limit: Budget.Limit) { self.limit = limit }
}

extension BudgetLedger {
    /// `requested` with each money and token cap it leaves open set to a `ways`-th of what is left
    /// here — for workers opened side by side (a batch's sub-agents, variants, map workers), so that
    /// the first to open does not take all and leave its siblings refused. What a worker does not
    /// spend returns when it closes.
    public func share(_ requested: Budget.Limits, ways: Int) -> Budget.Limits {
        guard ways > 1 else { return requested }
        var limits = requested
        let left = snapshot()
        if limits.usd == nil, let usd = left.usdLeft { limits.usd = usd / Double(ways) }
        if limits.inputTokens == nil, let tokens = left.inputTokensLeft { limits.inputTokens = tokens / ways }
        if limits.outputTokens == nil, let tokens = left.outputTokensLeft { limits.outputTokens = tokens / ways }
        return limits
    }
}
