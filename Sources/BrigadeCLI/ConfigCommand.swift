import ArgumentParser
import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show the merged configuration: every value with the file:line it came from.",
        subcommands: [Show.self],
        defaultSubcommand: Show.self
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the layers and every setting in use, each with the file:line it came from (or `built-in default`).")
        @OptionGroup var workspaceOptions: WorkspaceOptions

        func run() async throws {
            let workspace = try workspaceOptions.loadWorkspace()
            for line in ConfigReport.lines(workspace.config, selectedProfile: workspaceOptions.model) { print(line) }
            print("tools: \(workspace.registry.tools.count), routes: \(workspace.routes.routes.count)")
            for override in workspace.overrides { print("  override: \(override)") }
        }
    }
}

/// The text of `brigade config show`: one line per setting, `key: value` then where it came from.
enum ConfigReport {
    static func lines(_ config: BrigadeConfig, selectedProfile: String?) -> [String] {
        var lines = ["layers (later wins):", "  built-in defaults"]
        for layer in config.layers {
            let kind = layer.kind.rawValue.padded(toLength: 15)
            lines.append("  \(kind) \(layer.file ?? layer.directory + "/ (no config.yaml)")")
            lines.append("    tools \(layer.paths.tools.value), routes \(layer.paths.routes.value), prompts \(layer.paths.prompts.value)")
        }
        var rows: [(String, String, String)] = []
        func row(_ key: String, _ value: String, at path: String? = nil) {
            rows.append((key, value, source(config.locations[path ?? key])))
        }
        if let model = config.model {
            let chosen = selectedProfile.map { " (chosen with -m \($0))" } ?? ""
            let profile = model.profile.map { " (profile `\($0)`)\(chosen)" } ?? ""
            row("model", "\(model.provider.rawValue) \(model.model)\(profile)", at: model.keyPath)
            row("model.base_url", model.baseURL, at: model.keyPath + ".base_url")
            row("model.api_key_env", model.apiKeyEnvironmentVariable ?? "none (no key sent)", at: model.keyPath + ".api_key_env")
            let price = model.price.map(describe) ?? "none (USD budgets cannot be used with this model)"
            rows.append(("model.price", price, model.priceSource?.description ?? "not in Brigade's price table of \(PriceTable.date)"))
            row("model.max_output_tokens", "\(model.maxOutputTokens)", at: model.keyPath + ".max_output_tokens")
            row("model.temperature", model.temperature.map { "\($0)" } ?? "provider default", at: model.keyPath + ".temperature")
            row("model.request_timeout", model.requestTimeout.plainSecondsText + "s", at: model.keyPath + ".request_timeout")
            row("model.max_retries", "\(model.maxRetries)", at: model.keyPath + ".max_retries")
            if let chain = try? config.modelChain(for: model), chain.count > 1 {
                row("model.fallback", chain.map { $0.profile ?? $0.model }.joined(separator: " → "), at: model.keyPath + ".fallback")
            }
            let limits = model.rateLimits
            for (key, value) in [
                ("requests_per_minute", limits.requestsPerMinute), ("input_tokens_per_minute", limits.inputTokensPerMinute),
                ("output_tokens_per_minute", limits.outputTokensPerMinute), ("max_concurrent_requests", limits.maxConcurrentRequests),
            ] {
                if let value { row("model.\(key)", "\(value)", at: model.keyPath + "." + key) }
            }
            if model.toolChoice != .auto {
                let choice = if case .tool(let name) = model.toolChoice { "the tool \(name)" } else { "\(model.toolChoice)" }
                row("model.tool_choice", choice, at: model.keyPath + ".tool_choice")
            }
            if model.provider == .anthropic, model.promptCaching != PromptCaching() {
                let caching = model.promptCaching
                let parts = [("system", caching.system), ("tools", caching.tools), ("conversation", caching.conversation)].filter(\.1).map(\.0)
                row("model.prompt_caching", parts.isEmpty ? "off" : parts.joined(separator: ", "), at: model.keyPath + ".prompt_caching")
            }
        } else {
            row("model", "none (the offline router answers)")
        }
        for profile in config.models {
            let aliases = profile.aliases.isEmpty ? "" : " (aliases: \(profile.aliases.joined(separator: ", ")))"
            row("models.\(profile.name)", "\(profile.settings.provider.rawValue) \(profile.settings.model)\(aliases)")
        }
        row("routing", config.routing.rawValue)
        let limits = config.limits
        row("limits.max_turns", "\(limits.maxTurns)")
        row("limits.max_parallel_calls", "\(limits.maxParallelCalls)")
        row("limits.max_calls_per_turn", "\(limits.maxCallsPerTurn)")
        row("limits.max_calls_per_run", "\(limits.maxCallsPerRun)")
        row("limits.tool_timeout", limits.toolTimeout.plainSecondsText + "s")
        row("limits.max_tool_output_bytes", "\(limits.maxToolOutputBytes)")
        row("limits.session_history_tokens", "\(limits.sessionHistoryTokens)")
        let budget = config.budget
        row("budget.usd", budget.usd.map { "\($0)" } ?? "unlimited")
        row("budget.input_tokens", budget.inputTokens.map { "\($0)" } ?? "unlimited")
        row("budget.output_tokens", budget.outputTokens.map { "\($0)" } ?? "unlimited")
        row("budget.wall_seconds", budget.wallClock.map { $0.plainSecondsText + "s" } ?? "unlimited")
        row("budget.synthesis_reserve", "\(budget.synthesisReserve)")
        let width = rows.map { $0.0.count + $0.1.count + 2 }.max() ?? 0
        for (key, value, source) in rows {
            let text = "\(key): \(value)"
            lines.append(text.padded(toLength: max(width, text.count)) + "  # " + source)
        }
        return lines
    }

    static func describe(_ price: ModelPricing) -> String {
        let cached = price.cachedInputPerMillion.map { String(printf: ", $%g cached input", $0) } ?? ""
        return String(printf: "$%g input", price.inputPerMillion) + cached + String(printf: ", $%g output per million tokens", price.outputPerMillion)
    }

    private static func source(_ location: SourceLocation?) -> String {
        location.map { "\($0.file):\($0.line)" } ?? "built-in default"
    }
}
