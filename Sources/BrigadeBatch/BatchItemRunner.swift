import BrigadeCore

/// Runs one batch item. The batch engine calls it for each item it admits, several at once.
///
/// The CLI implements it with the agent loop; tests implement it with fakes.
public protocol BatchItemRunner: Sendable {
    /// Runs one item under its own limits.
    ///
    /// - Parameters:
    ///   - item: The item to run.
    ///   - budget: The limits for this item: its own budget (or the batch default), narrowed to what
    ///     the global budget had left when the item was admitted. The runner must stop within it.
    /// - Returns: What happened. Item failures are reported in the outcome (`error` set), never thrown.
    ///   The runner must honour Task cancellation and return promptly when cancelled.
    func run(_ item: BatchItem, budget: BatchBudget) async -> BatchItemOutcome
}

/// What running one item produced.
public struct BatchItemOutcome: Sendable, Hashable {
    /// The final answer; `nil` when there is none.
    public var answer: String?
    /// Why the run stopped, for example `completed`, `budget`, `max_turns`, `error`, `cancelled`.
    public var stopReason: String
    public var usage: TokenUsage
    public var costUSD: Double
    /// The number of tool calls the run made.
    public var calls: Int
    /// Durations of phases the runner measured (for example `model`, `tools`, `first_token`),
    /// written as `<name>_ms` next to the latency the engine measures itself.
    public var timings: [String: Duration]
    /// Why the item failed; `nil` for an item that succeeded.
    public var error: String?

    public init(
        answer: String?,
        stopReason: String,
        usage: TokenUsage = TokenUsage(),
        costUSD: Double = 0,
        calls: Int = 0,
        timings: [String: Duration] = [:],
        error: String? = nil
    ) {
        self.answer = answer
        self.stopReason = stopReason
        self.usage = usage
        self.costUSD = costUSD
        self.calls = calls
        self.timings = timings
        self.error = error
    }

    /// A failed outcome with the given reason.
    public static func failure(
        _ error: String,
        stopReason: String = "error",
        usage: TokenUsage = TokenUsage(),
        costUSD: Double = 0,
        calls: Int = 0
    ) -> BatchItemOutcome {
        BatchItemOutcome(answer: nil, stopReason: stopReason, usage: usage, costUSD: costUSD, calls: calls, error: error)
    }

    /// `true` when the item succeeded (no error).
    public var succeeded: Bool { error == nil }
}
