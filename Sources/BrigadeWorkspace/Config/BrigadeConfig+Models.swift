import BrigadeCore
import BrigadeProviders

extension BrigadeConfig {
    /// The configuration with the model profile `name` (a profile name or one of its aliases) in use,
    /// as `-m NAME` asks; the USD budget is checked against that model's price.
    /// - Throws: `ConfigError` when no profile has that name or alias (the message lists them), or
    ///   when a USD budget is set and the chosen model has no price.
    ///
    /// `-m fast,big,claude` names a fallback chain: the first profile, then the others in order (in
    /// place of the first profile's own `fallback:`).
    public func selectingModel(_ name: String) throws(ConfigError) -> BrigadeConfig {
        var config = self
        let names = name.split(separator: ",", omittingEmptySubsequences: false).map { String(ProviderParsing.trim($0)) }
        guard names.allSatisfy({ !$0.isEmpty }) else { throw ConfigError("-m `\(name)`: an empty model profile name in the list") }
        var settings = try Self.profile(named: names[0], in: models, at: nil).settings
        if names.count > 1 {
            settings.fallback = Array(names.dropFirst())
            settings.fallbackLocation = nil
        }
        config.model = settings
        if let model = config.model { _ = try config.modelChain(for: model) }
        try config.checkUSDBudgetIsPriced()
        return config
    }

    /// A USD budget needs the model's price, or it could never stop a run.
    /// - Throws: `ConfigError` at `budget.usd`, saying how to fix it.
    public func checkUSDBudgetIsPriced() throws(ConfigError) {
        guard budget.usd != nil, let first = model else { return }
        let chain = (try? modelChain(for: first)) ?? [first]
        guard let model = chain.first(where: { $0.price == nil }) else { return }
        let place = model.profile.map { "the profile `models.\($0)`" } ?? "`model:`"
        throw ConfigError(
            "`budget.usd` is set, but the model `\(model.model)` (\(model.provider.rawValue)) has no price, so the budget "
                + "could not be enforced: add `price: {input_per_million: …, output_per_million: …}` to \(place) "
                + "(0 and 0 for a free local model), or remove `budget.usd`",
            at: locations["budget.usd"]
        )
    }

    static func decodeProfiles(_ node: ConfigNode, environment: [String: String]) throws(ConfigError) -> [ModelProfile] {
        var profiles: [ModelProfile] = []
        var names: [String: SourceLocation] = [:]
        for (key, keyLocation, value) in try node.mapping().entries {
            var settings = try decodeModel(value, environment: environment, extraKeys: ["aliases"])
            settings.profile = key
            let aliases = try value.mapping().optional("aliases").map { node throws(ConfigError) in
                try node.sequence().map { item throws(ConfigError) in try item.string() }
            } ?? []
            for name in [key] + aliases {
                if let first = names[name] {
                    throw ConfigError("model profile name or alias `\(name)` is used twice (first at \(first))", at: keyLocation)
                }
                names[name] = keyLocation
            }
            profiles.append(ModelProfile(name: key, aliases: aliases, settings: settings))
        }
        return profiles
    }

    static func profile(named name: String, in profiles: [ModelProfile], at node: ConfigNode?) throws(ConfigError) -> ModelProfile {
        if let found = profiles.first(where: { $0.name == name || $0.aliases.contains(name) }) { return found }
        let known = profiles.flatMap { [$0.name] + $0.aliases }
        let list = profiles.map { $0.aliases.isEmpty ? $0.name : "\($0.name) (\($0.aliases.joined(separator: ", ")))" }
        let message = profiles.isEmpty
            ? "unknown model profile `\(name)`: no profiles are configured (add them under `models:`, see docs/configuration.md)"
            : "unknown model profile `\(name)`\(ConfigSuggestion.closest(to: name, among: known).map { " (did you mean `\($0)`?)" } ?? ""); the profiles are: \(list.joined(separator: ", "))"
        if let node { throw node.error(message) }
        throw ConfigError(message)
    }
}
