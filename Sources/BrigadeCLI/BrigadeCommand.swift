import ArgumentParser
import Brigade
import CurlHTTP
import CEdit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

struct BrigadeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brigade",
        abstract: "A parallel tool-calling agent runtime: every tool call of a turn runs at once, within a budget.",
        discussion: """
            Bare `brigade` on a terminal starts `brigade chat`. `brigade --version` prints the version.
            --config, -m and -v may come before the subcommand.
            Exit codes: 0 finished with an answer; 1 runtime failure; 2 usage or configuration error;
            3 no answer (model unavailable, no route, the route's calls failed); 4 answer cut short by a
            limit (budget, max turns); 5 paused, a call awaits approval (brigade approve / deny); 130 cancelled.
            Configuration layers, later wins: built-in defaults, $XDG_CONFIG_HOME/brigade/, the project
            (.brigade/ found walking up, or ./config.yaml), $BRIGADE_CONFIG, --config. See `brigade config show`.
            """,
        subcommands: [
            AskCommand.self, ChatCommand.self, RunCommand.self, BatchCommand.self, ToolsCommand.self, RoutesCommand.self,
            ConfigCommand.self, InitCommand.self, MCPCommand.self, MapCommand.self, LogCommand.self, SessionsCommand.self,
            RunsCommand.self, ApproveCommand.self, DenyCommand.self, TraceCommand.self,
        ]
    )

    /// Runs the command, mapping errors to Brigade's exit codes: 2 for usage and configuration errors
    /// (with file:line:col), 1 for runtime failures.
    static func main() async {
        // API keys live in this process: a same-user tool must not read them from /proc/PID/environ or mem.
        _ = brigade_forbid_dumping()
        // Writing to a closed pipe must give an error, not kill the process.
        signal(SIGPIPE, SIG_IGN)
        // A file-size limit reached (the run store on a full quota) must fail the write, not kill the run.
        signal(SIGXFSZ, SIG_IGN)
        // Bare `brigade` on a terminal is the chat.
        if CommandLine.arguments.count == 1, isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 {
            await exit(runChat())
        }
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["--version"] {
            print(await BrigadeVersion.description(executable: CommandLine.arguments[0]))
            Glibc.exit(0)
        }
        do {
            var command = try parseAsRoot(ChatResume.completingResume(GlobalOptions.movedAfterSubcommand(arguments)))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ConfigError {
            Terminal.standardError.write(ControlCharacters.escaped(error.description, lineBreaks: .kept) + "\n")
            await exit(2)
        } catch let error as CLIFailure {
            Terminal.standardError.write("brigade: " + ControlCharacters.escaped(error.message, lineBreaks: .kept) + "\n")
            await exit(error.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                await exit(0)
            }
            if let exit = error as? ExitCode { await self.exit(exit.rawValue) }
            Terminal.standardError.write(fullMessage(for: error) + "\n")
            // Usage errors (unknown flags, bad values) exit with 2, like configuration errors.
            await exit(code == .validationFailure ? 2 : code.rawValue)
        }
        await exit(0)
    }

    /// Exits with `code` once the spans of the process's runs are exported (a short, bounded wait;
    /// see ``TraceExport``).
    private static func exit(_ code: Int32) async -> Never {
        await TraceExport.finish()
        Glibc.exit(code)
    }
}

/// A failure with its exit code and a one-line message.
struct CLIFailure: Error {
    var message: String
    var exitCode: Int32

    static func runtime(_ message: String) -> CLIFailure { CLIFailure(message: message, exitCode: 1) }
    static func usage(_ message: String) -> CLIFailure { CLIFailure(message: message, exitCode: 2) }
}

/// Options every command that loads the workspace shares.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: .long, help: "A config file applied over the user, project and $BRIGADE_CONFIG layers (see `brigade config show`).")
    var config: String?

    @Option(name: [.customShort("m"), .customLong("model")], help: "The model profile (or alias) of `models:` to use instead of the default.")
    var model: String?

    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Debug logs on stderr (BRIGADE_LOG=LEVEL sets a level without -v).")
    var verbose = false

    @Flag(name: .long, help: "Do not record runs in the run store (as `store: off` in config.yaml).")
    var noStore = false

    /// - Parameter httpClient: the client for the model and the `http` tools; `HTTPClient.shared` by default.
    func loadWorkspace(httpClient: HTTPClient? = nil) throws(ConfigError) -> Workspace {
        try Workspace.load(configPath: config, modelProfile: model, httpClient: httpClient)
    }

    /// Loads the workspace and starts its `eager: true` MCP servers: for the commands that run the
    /// runtime (the others start servers only when they need their tools).
    func startWorkspace(httpClient: HTTPClient? = nil) async throws(ConfigError) -> Workspace {
        let workspace = try loadWorkspace(httpClient: httpClient)
        await workspace.startEagerSources()
        return workspace
    }
}

extension RoutingMode: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument) }
}
