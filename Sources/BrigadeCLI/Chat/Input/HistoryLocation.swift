/// Where the prompt history lives: `$XDG_STATE_HOME/brigade/history`, by default
/// `~/.local/state/brigade/history`.
enum HistoryLocation {
    /// The history file's path, or `nil` when neither `XDG_STATE_HOME` nor `HOME` is set (absolute).
    static func path(environment: [String: String]) -> String? {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return state + "/brigade/history"
        }
        guard let home = environment["HOME"], home.hasPrefix("/") else { return nil }
        return (home == "/" ? "" : home) + "/.local/state/brigade/history"
    }

    /// The path with its folder created (mode 0700), or `nil` when there is no usable location.
    static func prepare(environment: [String: String]) -> String? {
        guard let path = path(environment: environment) else { return nil }
        let folder = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
        do {
            try FileIO.createDirectories(folder)
            return path
        } catch {
            return nil
        }
    }
}
