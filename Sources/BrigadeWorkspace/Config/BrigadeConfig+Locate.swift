import BrigadeCore

extension BrigadeConfig {
    /// The most specific configuration file, first match wins:
    /// 1. `explicit` (`--config`), 2. `$BRIGADE_CONFIG`, 3. the project's (`.brigade/config.yaml` found
    /// walking up from the working directory, or `./config.yaml`), 4. the user's
    /// (`$XDG_CONFIG_HOME/brigade/config.yaml`, `XDG_CONFIG_HOME` defaulting to `~/.config`).
    ///
    /// All of them apply, as layers (``ConfigLayer/locate(explicit:environment:currentDirectory:)``);
    /// this is the one that wins. An explicit path or `$BRIGADE_CONFIG` is returned even when the file
    /// does not exist, so that loading it reports the mistake instead of silently falling back.
    /// - Returns: an absolute path, or `nil` when no configuration file applies.
    public static func locate(explicit: String?, environment: [String: String], currentDirectory: String) -> String? {
        ConfigLayer.locate(explicit: explicit, environment: environment, currentDirectory: currentDirectory)
            .last { $0.file != nil }?.file
    }

    /// Locates every layer and merges them (docs/configuration.md): built-in defaults → user →
    /// project → `$BRIGADE_CONFIG` → `--config`; with no layer at all, the defaults rooted at
    /// `currentDirectory`.
    /// - Parameters:
    ///   - explicit: `--config`.
    ///   - environment: `BRIGADE_CONFIG`, `XDG_CONFIG_HOME`, `HOME` and `${…}` interpolation.
    ///   - currentDirectory: where the project is looked for.
    ///   - modelProfile: `-m NAME`: the model profile (or alias) to use instead of the default.
    /// - Throws: `ConfigError` for anything wrong in any layer, an unknown profile, or a USD budget
    ///   with an unpriced model.
    public static func resolve(
        explicit: String?,
        environment: [String: String],
        currentDirectory: String,
        modelProfile: String? = nil
    ) throws(ConfigError) -> BrigadeConfig {
        let layers = ConfigLayer.locate(explicit: explicit, environment: environment, currentDirectory: currentDirectory)
        var config = defaults(baseDirectory: currentDirectory)
        if !layers.isEmpty {
            var trees: [(ConfigLayer, YAMLNode?)] = []
            for layer in layers {
                trees.append((layer, try layer.file.map { file throws(ConfigError) in try YAMLLoader.load(file: file) } ?? nil))
            }
            config = try decode(layers: trees, environment: environment)
        }
        if let modelProfile { return try config.selectingModel(modelProfile) }
        try config.checkUSDBudgetIsPriced()
        return config
    }
}
