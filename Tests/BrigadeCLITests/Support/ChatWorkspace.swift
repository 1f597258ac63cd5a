import BrigadeTesting
#if canImport(Glibc)
import Glibc
#endif

/// A temporary folder with a `config.yaml` and `tools/`, and the environment to run `brigade` in it.
final class ChatTestWorkspace {
    private let folder: TemporaryFolder
    var root: String { folder.path }

    /// - Parameter config: the text of `config.yaml`.
    init(config: String = "routing: hybrid\n") throws {
        folder = try TemporaryFolder(prefix: "brigade-chat-test-")
        try make("tools")
        try make("home")
        try make("state")
        try write("config.yaml", config)
    }

    /// Writes a file under the workspace.
    func write(_ relativePath: String, _ text: String, executable: Bool = false) throws {
        try folder.write(relativePath, text, executable: executable)
    }

    func make(_ relativePath: String) throws {
        try folder.makeDirectory(relativePath)
    }

    func read(_ relativePath: String) -> String? {
        folder.read(relativePath)
    }

    /// A small environment: no inherited variables, so the user's history stays out, and no user
    /// layer (`HermeticEnvironment`).
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = [
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": root + "/home",
            "XDG_STATE_HOME": root + "/state",
            "XDG_CONFIG_HOME": HermeticEnvironment.emptyConfigHome,
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
        ]
        // A sanitizer build's settings (scripts/sanitize) reach the child too: its suppressions.
        for name in ["TSAN_OPTIONS", "ASAN_OPTIONS", "SWIFT_BACKTRACE"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        environment.merge(extra) { $1 }
        return environment
    }

    /// Starts `brigade chat` on a pseudo-terminal in this workspace.
    func startChat(arguments: [String] = [], environment extra: [String: String] = [:], columns: Int = 100, rows: Int = 30) throws -> PseudoTerminalProcess {
        try PseudoTerminalProcess(
            executable: BuiltProduct.brigade, arguments: ["chat", "--config", root + "/config.yaml"] + arguments,
            environment: environment(extra), currentDirectory: root, columns: columns, rows: rows
        )
    }
}
