import ArgumentParser
import Brigade

/// The budget over a whole command's work, which every item (`brigade batch`) or worker
/// (`brigade map`) spends from.
struct GlobalBudgetOptions: ParsableArguments {
    @Option(name: .long, help: "USD budget of the whole job (a resumed batch counts what it spent before).")
    var budgetUsd: Double?
    @Option(name: .long, help: "Input-token budget of the whole job (a resumed batch counts what it spent before).")
    var budgetInputTokens: Int?
    @Option(name: .long, help: "Output-token budget of the whole job (a resumed batch counts what it spent before).")
    var budgetOutputTokens: Int?
    @Option(name: .long, help: "Wall-clock budget of this run, in seconds.")
    var budgetWallSeconds: Double?

    /// The options as a batch's global budget.
    var batchBudget: BatchBudget {
        BatchBudget(usd: budgetUsd, inputTokens: budgetInputTokens, outputTokens: budgetOutputTokens, wallSeconds: budgetWallSeconds)
    }

    /// `limits` with every dimension these options set replaced; USD falls back to `defaultUSD`.
    func applied(to limits: Budget.Limits, defaultUSD: Double?) -> Budget.Limits {
        var limits = limits
        limits.usd = budgetUsd ?? defaultUSD
        if let budgetInputTokens { limits.inputTokens = budgetInputTokens }
        if let budgetOutputTokens { limits.outputTokens = budgetOutputTokens }
        if let budgetWallSeconds { limits.wallTime = .seconds(budgetWallSeconds) }
        return limits
    }
}
