import ArgumentParser
import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Logging

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Serve requests from other programs: NDJSON requests on stdin, every event as NDJSON on stdout.",
        discussion: """
            The protocol (versioned, "v": 1) is described in docs/protocol.md, with a JSON Schema of every \
            event in docs/protocol.schema.json. Runs go on concurrently (see --max-concurrent-runs); runs of \
            one session go in order. At end of input the runs in flight finish, then brigade exits with 0. \
            When the client goes away (nobody reads standard output any more) the runs are cancelled, \
            their tools killed, and brigade exits with 141.
            """
    )

    /// Longer request lines are refused with an `error` event.
    static let maxLineBytes = 1 << 20

    /// The exit status when the client stopped reading the output: 141, as for a process that a
    /// write to a closed pipe (SIGPIPE) ended.
    static let clientGoneStatus: Int32 = 141

    enum ProtocolEnding: Sendable {
        case endOfInput, interrupted, clientGone
    }

    @OptionGroup var workspaceOptions: WorkspaceOptions

    @Flag(name: .long, help: "Speak the NDJSON protocol (required: it is the only format of `run`).")
    var json = false

    @Option(name: .long, help: "Default routing of runs: hybrid, model or static (default: config `routing`; static without a model).")
    var mode: RoutingMode?

    @Option(name: .long, help: "Runs going on at once; later ones wait for a free slot.")
    var maxConcurrentRuns: Int = 4

    func validate() throws {
        guard json else {
            throw ValidationError("`brigade run` speaks the NDJSON protocol only: pass --json (see docs/protocol.md)")
        }
        guard maxConcurrentRuns >= 1 else { throw ValidationError("--max-concurrent-runs must be at least 1") }
    }

    func run() async throws {
        let workspace = try await workspaceOptions.startWorkspace()
        // Standard error stays quiet: failures reach the client as events.
        // Logs go to stderr only with -v or BRIGADE_LOG; stdout carries the protocol alone.
        let logger = CLILogger.make(verbose: workspaceOptions.verbose)
        // Standard error says so when runs cannot be recorded; stdout stays the protocol's.
        let store = try StoreAccess.openForRecording(workspace, options: workspaceOptions)
        let server = ProtocolServer(workspace: workspace, defaultMode: mode, maxConcurrentRuns: maxConcurrentRuns, store: store, logger: logger)
        let lines = InputLines.stream(from: STDIN_FILENO, maxLineBytes: Self.maxLineBytes)
        // The runs go on until they finish, a Ctrl-C or SIGTERM cancels them, or the client goes away
        // (nobody reads the output any more): then they are cancelled, their tools killed.
        let ending = await withInterruptCancellation { () -> ProtocolEnding in
            await withTaskGroup(of: ProtocolEnding?.self) { group in
                group.addTask {
                    await server.serve(lines)
                    return Task.isCancelled ? nil : .endOfInput
                }
                group.addTask {
                    await ClientDeparture.wait(descriptor: STDOUT_FILENO)
                    return Task.isCancelled ? nil : .clientGone
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                await group.waitForAll()
                return Task.isCancelled ? .interrupted : first ?? .interrupted
            }
        }
        await workspace.shutdown()
        try await StoreAccess.finish(store, workspace: workspace)
        switch ending {
        case .endOfInput: break
        case .interrupted: throw ExitCode(130)
        case .clientGone: throw ExitCode(Self.clientGoneStatus)
        }
    }
}
