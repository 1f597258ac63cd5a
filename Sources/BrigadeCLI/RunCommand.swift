import ArgumentParser
import Brigade
import Foundation
import Logging

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Serve requests from other programs: NDJSON requests on stdin, every event as NDJSON on stdout.",
        discussion: """
            The protocol (versioned, "v": 1) is described in docs/protocol.md, with a JSON Schema of every \
            event in docs/protocol.schema.json. Runs go on concurrently (see --max-concurrent-runs); runs of \
            one session go in order. At end of input the runs in flight finish, then brigade exits with 0.
            """
    )

    /// Longer request lines are refused with an `error` event.
    static let maxLineBytes = 1 << 20

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
        let server = ProtocolServer(workspace: workspace, defaultMode: mode, maxConcurrentRuns: maxConcurrentRuns, logger: logger)
        let lines = InputLines.stream(from: STDIN_FILENO, maxLineBytes: Self.maxLineBytes)
        let interrupted = await withInterruptCancellation {
            await server.serve(lines)
            return Task.isCancelled
        }
        await workspace.shutdown()
        if interrupted { throw ExitCode(130) }
    }
}
