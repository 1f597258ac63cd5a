extension BrigadeConfig {
    /// Finds the configuration file, first match wins:
    /// 1. `explicit` (`--config`), 2. `$BRIGADE_CONFIG`, 3. `./config.yaml`,
    /// 4. `$XDG_CONFIG_HOME/brigade/config.yaml` (`XDG_CONFIG_HOME` defaults to `~/.config`).
    ///
    /// An explicit path or `$BRIGADE_CONFIG` is returned even when the file does not exist, so that
    /// loading it reports the mistake instead of silently falling back; the other two are returned
    /// only when they exist.
    /// - Parameters:
    ///   - explicit: the `--config` argument, if any.
    ///   - environment: the process environment (`BRIGADE_CONFIG`, `XDG_CONFIG_HOME`, `HOME`).
    ///   - currentDirectory: the absolute working directory, for relative paths.
    /// - Returns: an absolute path, or `nil` when no configuration file applies (use `defaults(baseDirectory:)`).
    public static func locate(explicit: String?, environment: [String: String], currentDirectory: String) -> String? {
        if let explicit, !explicit.isEmpty {
            return ConfigPath.resolve(explicit, against: currentDirectory, home: environment["HOME"])
        }
        if let fromEnvironment = environment["BRIGADE_CONFIG"], !fromEnvironment.isEmpty {
            return ConfigPath.resolve(fromEnvironment, against: currentDirectory, home: environment["HOME"])
        }
        let local = ConfigPath.resolve("config.yaml", against: currentDirectory)
        if ConfigFileSystem.kind(of: local) == .file { return local }
        // XDG Base Directory: a relative XDG_CONFIG_HOME is invalid and ignored.
        var configHome: String?
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            configHome = xdg
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            configHome = home + "/.config"
        }
        if let configHome {
            let user = ConfigPath.resolve("brigade/config.yaml", against: configHome)
            if ConfigFileSystem.kind(of: user) == .file { return user }
        }
        return nil
    }

    /// Locates and loads the configuration in one step: the located file, or the defaults rooted at
    /// `currentDirectory` when there is none.
    /// - Throws: `ConfigError` from `load(path:environment:)`.
    public static func resolve(
        explicit: String?,
        environment: [String: String],
        currentDirectory: String
    ) throws(ConfigError) -> BrigadeConfig {
        guard let path = locate(explicit: explicit, environment: environment, currentDirectory: currentDirectory) else {
            return defaults(baseDirectory: currentDirectory)
        }
        return try load(path: path, environment: environment)
    }
}
