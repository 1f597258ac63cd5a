/// One configuration layer: a folder that may hold `config.yaml`, `tools/`, `routes/` and `prompts/`.
///
/// Layers apply in order, later ones winning (docs/configuration.md): built-in defaults → ``Kind/user``
/// → ``Kind/project`` → ``Kind/environment`` (`$BRIGADE_CONFIG`) → ``Kind/explicit`` (`--config`).
/// Settings merge key by key; the tools, routes and prompts of every layer load, and a name defined
/// in two layers is taken from the later one.
public struct ConfigLayer: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `$XDG_CONFIG_HOME/brigade/` (default `~/.config/brigade/`), where `scripts/install` puts the
        /// shipped tools, routes and prompts.
        case user
        /// The nearest `.brigade/` folder found walking up from the working directory (as git finds
        /// `.git`), or a `config.yaml` in the working directory itself.
        case project
        /// `$BRIGADE_CONFIG`.
        case environment = "BRIGADE_CONFIG"
        /// `--config`.
        case explicit = "--config"
    }

    public var kind: Kind
    /// The folder the layer's relative paths resolve against.
    public var directory: String
    /// The layer's `config.yaml`; `nil` for a user or project folder without one.
    public var file: String?
    /// The layer's `tools/`, `routes/` and `prompts/` folders (its own `paths:` or the defaults).
    public var paths: BrigadeConfig.Paths

    public init(kind: Kind, directory: String, file: String?) {
        self.kind = kind
        self.directory = directory
        self.file = file
        self.paths = BrigadeConfig.Paths(baseDirectory: directory)
    }

    /// "project /repo/.brigade/config.yaml".
    public var description: String { "\(kind.rawValue) \(file ?? directory + "/")" }
}

extension ConfigLayer {
    /// The layers that apply, in order (most general first). A `--config` or `$BRIGADE_CONFIG` file is
    /// listed even when missing, so that loading it reports the mistake; the user and project layers
    /// only when their folder exists. A file named by two layers is listed once, at the later place.
    public static func locate(explicit: String?, environment: [String: String], currentDirectory: String) -> [ConfigLayer] {
        var layers: [ConfigLayer] = []
        if let user = userDirectory(environment: environment), ConfigFileSystem.kind(of: user) == .directory {
            layers.append(ConfigLayer(kind: .user, directory: user, file: existingFile(user + "/config.yaml")))
        }
        if let project = projectLayer(from: currentDirectory) { layers.append(project) }
        if let value = environment["BRIGADE_CONFIG"], !value.isEmpty {
            let file = ConfigPath.resolve(value, against: currentDirectory, home: environment["HOME"])
            layers.append(ConfigLayer(kind: .environment, directory: ConfigPath.directory(of: file), file: file))
        }
        if let explicit, !explicit.isEmpty {
            let file = ConfigPath.resolve(explicit, against: currentDirectory, home: environment["HOME"])
            layers.append(ConfigLayer(kind: .explicit, directory: ConfigPath.directory(of: file), file: file))
        }
        // The same folder twice (e.g. `--config ./config.yaml` in a project) loads once, as the later layer.
        var unique: [ConfigLayer] = []
        for layer in layers.reversed() where !unique.contains(where: { $0.directory == layer.directory && ($0.file == layer.file || layer.file == nil) }) {
            unique.insert(layer, at: 0)
        }
        return unique
    }

    /// `$XDG_CONFIG_HOME/brigade` (a relative `XDG_CONFIG_HOME` is invalid and ignored), else `~/.config/brigade`.
    public static func userDirectory(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return ConfigPath.resolve("brigade", against: xdg) }
        if let home = environment["HOME"], home.hasPrefix("/") { return ConfigPath.resolve(".config/brigade", against: home) }
        return nil
    }

    /// Walks up from `directory`: the first folder holding `.brigade/` is the project (its
    /// `config.yaml` optional); in `directory` itself a plain `config.yaml` also counts (the layout
    /// of a Brigade checkout).
    static func projectLayer(from directory: String) -> ConfigLayer? {
        var current = ConfigPath.resolve(".", against: directory)
        var isStart = true
        while true {
            let hidden = current == "/" ? "/.brigade" : current + "/.brigade"
            if ConfigFileSystem.kind(of: hidden) == .directory {
                return ConfigLayer(kind: .project, directory: hidden, file: existingFile(hidden + "/config.yaml"))
            }
            if isStart, let file = existingFile(ConfigPath.resolve("config.yaml", against: current)) {
                return ConfigLayer(kind: .project, directory: current, file: file)
            }
            isStart = false
            if current == "/" { return nil }
            current = ConfigPath.directory(of: current)
        }
    }

    private static func existingFile(_ path: String) -> String? {
        ConfigFileSystem.kind(of: path) == .file ? path : nil
    }
}
