/// A ``Budget`` shared by the tasks of one run (the agent loop and the dispatcher's call tasks).
///
/// Each method locks, reads the ledger's clock where the state machine needs an instant, and forwards
/// to the ``Budget`` of the same name.
public final class BudgetLedger: Sendable {
    private let state: RuntimeLock<Budget>
    /// Where the ledger reads the current instant.
    public let clock: any RuntimeClock

    /// - Parameters:
    ///   - limits: the caps.
    ///   - pricing: turns token usage into USD.
    ///   - startedAt: the run's start (defaults to the clock's now).
    ///   - clock: the time source of the wall-time limit (default: the system's monotonic clock).
    public init(
        limits: Budget.Limits,
        pricing: ModelPricing = ModelPricing(),
        startedAt: ContinuousClock.Instant? = nil,
        clock: any RuntimeClock = .system
    ) {
        self.clock = clock
        state = RuntimeLock(Budget(limits: limits, pricing: pricing, startedAt: startedAt ?? clock.now))
    }

    /// A copy of the state machine.
    public var budget: Budget { state.value }

    public var deadline: ContinuousClock.Instant? { state.withLock { $0.deadline } }
    public var dispatchDeadline: ContinuousClock.Instant? { state.withLock { $0.dispatchDeadline } }

    public func admitModelCall(estimatedInputTokens: Int, requestedOutputTokens: Int, purpose: Budget.Purpose) -> Budget.ModelCallDecision {
        let now = clock.now
        return state.withLock {
            $0.admitModelCall(estimatedInputTokens: estimatedInputTokens, requestedOutputTokens: requestedOutputTokens, purpose: purpose, now: now)
        }
    }

    public func commitModelCall(usage: TokenUsage) {
        state.withLock { $0.commitModelCall(usage: usage) }
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
