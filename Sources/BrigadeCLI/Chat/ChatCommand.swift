import ArgumentParser
import Brigade
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `brigade chat`: the interactive REPL.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with the agent: streamed answers, live tool calls, slash commands.",
        discussion: """
            Line editing and history (in $XDG_STATE_HOME/brigade/history) on a terminal; plain lines \
            when standard input or output is not one. Type /help inside for the commands. Ctrl-C cancels \
            a running prompt; Ctrl-C twice at an empty prompt, or Ctrl-D, exits. NO_COLOR turns colour off.
            """
    )

    @OptionGroup var workspaceOptions: WorkspaceOptions

    @Option(name: .long, help: "Routing: hybrid, model or static (default: config `routing`; static without a model).")
    var mode: RoutingMode?

    @Flag(name: .customLong("continue"), help: "Continue the latest stored conversation.")
    var continueLatest = false

    @Option(name: .long, help: "Continue the stored conversation ID (`brigade sessions list`); `--resume` alone takes the latest.")
    var resume: String?

    func validate() throws {
        if continueLatest && resume != nil { throw ValidationError("--continue and --resume cannot be used together") }
    }

    func run() async throws {
        let status = await runChat(
            configPath: workspaceOptions.config, modelProfile: workspaceOptions.model, mode: mode,
            resume: continueLatest ? ChatResume.latest : resume.map { $0 == ChatResume.latestMarker ? .latest : .id($0) },
            recordRuns: !workspaceOptions.noStore,
            logger: CLILogger.make(verbose: workspaceOptions.verbose))
        if status != 0 { throw ExitCode(status) }
    }
}

/// Runs the REPL on this process's terminal (or pipes) until the user leaves.
///
/// For the root command: bare `brigade` on a terminal calls this.
/// - Parameters:
///   - configPath: `--config`, or `nil` to locate the configuration as usual.
///   - mode: overrides `routing:` from the configuration.
///   - environment: the process environment by default.
///   - logger: where the runtime logs; by default nothing is logged (log lines would garble the display).
/// - Returns: the exit status: 0 when the user left; 2 when the configuration is wrong or `mode` needs a
///   model there is not (the error is printed on standard error); 1 when the terminal cannot be set up.
func runChat(
    configPath: String? = nil,
    modelProfile: String? = nil,
    mode: RoutingMode? = nil,
    resume: ChatResume? = nil,
    recordRuns: Bool = true,
    environment: [String: String] = ProcessEnvironment.current,
    logger: Logger = Logger(label: "brigade.chat") { _ in SwiftLogNoOpLogHandler() }
) async -> Int32 {
    let options = ChatREPL.Options(
        configPath: configPath,
        modelProfile: modelProfile,
        mode: mode,
        resume: resume,
        recordRuns: recordRuns,
        environment: environment,
        currentDirectory: ProcessEnvironment.currentDirectory,
        terminal: TerminalInfo.detect(environment: environment)
    )
    do {
        let repl = try ChatREPL(options: options, logger: logger)
        return await repl.run()
    } catch let error as ConfigError {
        TerminalOutput.standardError.write("\(error)\n")
        return 2
    } catch let error as CLIFailure {
        TerminalOutput.standardError.write("brigade: \(error.message)\n")
        return error.exitCode
    } catch let error as ChatBackendError {
        TerminalOutput.standardError.write("brigade: \(error)\n")
        return 2
    } catch {
        TerminalOutput.standardError.write("brigade: \(error)\n")
        return 1
    }
}

/// Which stored conversation `brigade chat` continues.
enum ChatResume: Sendable, Equatable {
    case latest
    case id(String)

    /// What `--resume` alone is rewritten to (see ``BrigadeCommand``): the latest conversation.
    static let latestMarker = "@latest"

    /// `--resume` with no ID after it gets ``latestMarker``, so the parser (which has no options with
    /// an optional value) accepts it.
    static func completingResume(_ arguments: [String]) -> [String] {
        var result: [String] = []
        for (index, argument) in arguments.enumerated() {
            result.append(argument)
            if argument == "--resume", index + 1 == arguments.count || arguments[index + 1].hasPrefix("-") {
                result.append(latestMarker)
            }
        }
        return result
    }
}

/// The process's environment and working directory, read with POSIX calls.
enum ProcessEnvironment {
    static var current: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }

    static var currentDirectory: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
