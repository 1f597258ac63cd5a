import BrigadeCore

extension BrigadeConfig {
    /// The models a run uses in turn: `settings` first, then the profiles its `fallback:` names,
    /// each followed by its own fallbacks (depth first; a profile reached twice is used once).
    /// - Throws: `ConfigError` at the `fallback:` that names an unknown profile or closes a cycle.
    public func modelChain(for settings: ModelSettings) throws(ConfigError) -> [ModelSettings] {
        var chain = [settings]
        var used: Set<String> = [settings.profile ?? settings.keyPath]
        try expand(settings, path: [settings.profile ?? settings.model], into: &chain, used: &used)
        return chain
    }

    private func expand(_ settings: ModelSettings, path: [String], into chain: inout [ModelSettings], used: inout Set<String>) throws(ConfigError) {
        for name in settings.fallback {
            let next: ModelProfile
            do {
                next = try Self.profile(named: name, in: models, at: nil)
            } catch {
                throw ConfigError("fallback of `\(settings.keyPath)`: \(error.message)", at: settings.fallbackLocation)
            }
            if path.contains(next.name) {
                throw ConfigError(
                    "the fallback chain is cyclic: \((path + [next.name]).map { "`\($0)`" }.joined(separator: " → ")); a model cannot fall back to itself",
                    at: settings.fallbackLocation
                )
            }
            guard used.insert(next.name).inserted else { continue }
            chain.append(next.settings)
            try expand(next.settings, path: path + [next.name], into: &chain, used: &used)
        }
    }

    /// Resolves every profile's chain and the chosen model's, so a bad `fallback:` fails at load.
    func checkFallbackChains() throws(ConfigError) {
        for profile in models { _ = try modelChain(for: profile.settings) }
        if let model { _ = try modelChain(for: model) }
    }

    static func decodeFallback(_ node: ConfigNode) throws(ConfigError) -> [String] {
        let names: [String] = if node.node.scalarValue?.stringValue != nil {
            [try node.string()]
        } else {
            try node.sequence().map { item throws(ConfigError) in try item.string() }
        }
        guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty }) else {
            throw node.error("an empty fallback chain: name the model profiles to fall back to, in order, or remove `fallback:`")
        }
        return names
    }
}
