import BrigadeCore
import Logging

/// Runs batch items through one agent: one run per item, with the item's mode and budget as the
/// run's options. Every item shares the agent's scheduler, so a tool's `max_concurrency` and the
/// global `max_parallel_calls` hold across the whole batch, not per item.
public struct AgentBatchRunner: BatchItemRunner {
    /// The runtime hosting every item's run.
    public let agent: Agent

    /// - Parameter agent: the shared runtime; each item's budget narrows its default limits and an
    ///   item's `mode` overrides its routing.
    public init(agent: Agent) {
        self.agent = agent
    }

    /// Makes one agent for the whole batch.
    /// - Parameters:
    ///   - registry: the tools.
    ///   - configuration: the agent's configuration (see ``init(agent:)``).
    ///   - logger: the caller's logger.
    public init(registry: ToolRegistry, configuration: Agent.Configuration, logger: Logger) {
        self.init(agent: Agent(registry: registry, configuration: configuration, logger: logger))
    }

    public var registry: ToolRegistry { agent.registry }
    public var configuration: Agent.Configuration { agent.configuration }

    public func run(_ item: BatchItem, budget: BatchBudget) async -> BatchItemOutcome {
        var options = RunOptions(limits: Self.narrow(agent.configuration.limits, to: budget), source: "batch")
        if let mode = item.mode {
            guard let routing = RoutingMode(rawValue: mode) else {
                return .failure("unknown mode `\(mode)` (use hybrid, model or static)", stopReason: "error")
            }
            options.routing = routing
        }
        do {
            // `respond`, not `run`: nobody watches an item's events, so the run needs no event channel.
            return Self.outcome(of: try await agent.respond(item.prompt, options: options))
        } catch {
            return .failure(error.message, stopReason: "error")
        }
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
            stopReason: result.stopReason.code.rawValue,
            usage: result.usage,
            costUSD: result.costUSD,
            calls: result.toolCalls,
            timings: ["model": model, "tools": tools],
            error: error
        )
    }
}
