import Logging

/// Runs batch items through the agent: one run per item, with the item's mode and budget.
public struct AgentBatchRunner: BatchItemRunner {
    public let registry: ToolRegistry
    public let configuration: Agent.Configuration
    let logger: Logger

    /// - Parameters:
    ///   - registry: the tools.
    ///   - configuration: the agent's configuration; each item's budget narrows its limits and an
    ///     item's `mode` overrides ``Agent/Configuration/routing``.
    ///   - logger: the caller's logger.
    public init(registry: ToolRegistry, configuration: Agent.Configuration, logger: Logger) {
        self.registry = registry
        self.configuration = configuration
        self.logger = logger
    }

    public func run(_ item: BatchItem, budget: BatchBudget) async -> BatchItemOutcome {
        var configuration = configuration
        if let mode = item.mode {
            guard let routing = RoutingMode(rawValue: mode) else {
                return .failure("unknown mode `\(mode)` (use hybrid, model or static)", stopReason: "error")
            }
            configuration.routing = routing
        }
        configuration.limits = Self.narrow(configuration.limits, to: budget)
        let agent = Agent(registry: registry, configuration: configuration, logger: logger)
        let result = await agent.run(item.prompt)
        return Self.outcome(of: result)
    }

    /// The agent's limits, each cap lowered to the item's budget where it sets one.
    static func narrow(_ limits: Budget.Limits, to budget: BatchBudget) -> Budget.Limits {
        var limits = limits
        func lower<T: Comparable>(_ current: T?, _ new: T?) -> T? {
            switch (current, new) {
            case (let a?, let b?): min(a, b)
            case (nil, let b): b
            case (let a, nil): a
            }
        }
        limits.usd = lower(limits.usd, budget.usd)
        limits.inputTokens = lower(limits.inputTokens, budget.inputTokens)
        limits.outputTokens = lower(limits.outputTokens, budget.outputTokens)
        limits.wallTime = lower(limits.wallTime, budget.wallSeconds.map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) })
        return limits
    }

    /// The batch line's view of a run: `ok` only when it finished.
    static func outcome(of result: RunResult) -> BatchItemOutcome {
        let model = result.turnTimings.reduce(Duration.zero) { $0 + $1.modelTime }
        let tools = result.turnTimings.reduce(Duration.zero) { $0 + $1.fanOutWallTime }
        // Only a finished run is `ok`: anything else (no answer, cut short, a fallback's answer) is
        // `failed`, so `--retry-failed` runs it again.
        let error: String? = result.stopReason == .finished ? nil : result.stopReason.description
        return BatchItemOutcome(
            answer: result.answer.isEmpty ? nil : result.answer,
            stopReason: result.stopReason.code,
            usage: result.usage,
            costUSD: result.costUSD,
            calls: result.toolCalls,
            timings: ["model": model, "tools": tools],
            error: error
        )
    }
}
