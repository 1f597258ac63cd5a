import BrigadeCore

/// Prices of common OpenAI and Anthropic models, used when a model's configuration has no `price:`
/// (a `price:` always wins). USD per million tokens: input, cached input (prompt-cache hits), output.
///
/// Checked on ``date`` against the providers' pricing pages, https://platform.openai.com/docs/pricing
/// and https://platform.claude.com/docs/en/about-claude/pricing (standard tier; batch, priority and
/// long-context rates are not modelled). Prices change: `brigade config show` names the price in
/// use and where it came from, and docs/configuration.md says how to override it.
package enum PriceTable {
    /// The day the table was checked.
    public static let date = "2026-12-06"

    /// (provider, model, input, cached input, output); Anthropic's cache writes are 1.25 × input.
    static let entries: [(BrigadeConfig.Provider, String, Double, Double, Double)] = [
        (.openai, "gpt-5", 1.25, 0.125, 10.00),
        (.openai, "gpt-5-mini", 0.25, 0.025, 2.00),
        (.openai, "gpt-5-nano", 0.05, 0.005, 0.40),
        (.openai, "gpt-4.1", 2.00, 0.50, 8.00),
        (.openai, "gpt-4.1-mini", 0.40, 0.10, 1.60),
        (.openai, "gpt-4.1-nano", 0.10, 0.025, 0.40),
        (.openai, "gpt-4o", 2.50, 1.25, 10.00),
        (.openai, "gpt-4o-mini", 0.15, 0.075, 0.60),
        (.openai, "o3", 2.00, 0.50, 8.00),
        (.openai, "o4-mini", 1.10, 0.275, 4.40),
        (.openai, "o3-mini", 1.10, 0.55, 4.40),
        (.anthropic, "claude-opus-4-5", 5.00, 0.50, 25.00),
        (.anthropic, "claude-opus-4-1", 15.00, 1.50, 75.00),
        (.anthropic, "claude-opus-4-0", 15.00, 1.50, 75.00),
        (.anthropic, "claude-opus-4", 15.00, 1.50, 75.00),
        (.anthropic, "claude-sonnet-4-5", 3.00, 0.30, 15.00),
        (.anthropic, "claude-sonnet-4-0", 3.00, 0.30, 15.00),
        (.anthropic, "claude-sonnet-4", 3.00, 0.30, 15.00),
        (.anthropic, "claude-3-7-sonnet", 3.00, 0.30, 15.00),
        (.anthropic, "claude-haiku-4-5", 1.00, 0.10, 5.00),
        (.anthropic, "claude-3-5-haiku", 0.80, 0.08, 4.00),
    ]

    /// The price of `model` at `provider`: an exact name, or a name followed by a snapshot date or
    /// `-latest` (`gpt-4o-mini-2024-07-18`, `claude-sonnet-4-5-20250929`); `nil` when not listed.
    public static func price(provider: BrigadeConfig.Provider, model: String) -> ModelPricing? {
        let name = model.lowercased()
        for (entryProvider, entryModel, input, cached, output) in entries where entryProvider == provider {
            guard name == entryModel || (name.hasPrefix(entryModel + "-") && isSnapshotSuffix(name.dropFirst(entryModel.count + 1))) else {
                continue
            }
            // Anthropic bills 5-minute cache writes at 1.25 × input; OpenAI has no write charge.
            let write: Double? = provider == .anthropic ? input * 1.25 : nil
            return ModelPricing(inputPerMillion: input, outputPerMillion: output, cachedInputPerMillion: cached, cacheWritePerMillion: write)
        }
        return nil
    }

    /// `2024-07-18`, `20250929` or `latest`.
    private static func isSnapshotSuffix(_ suffix: Substring) -> Bool {
        if suffix == "latest" { return true }
        let digits = suffix.filter { $0 != "-" }
        return digits.count == 8 && digits.allSatisfy(\.isNumber) && suffix.allSatisfy { $0.isNumber || $0 == "-" }
    }
}
