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

/// `brigade runs`: durable runs — list them by state, resume one that was interrupted.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "Durable runs: list them by state (awaiting_approval, interrupted …), resume an interrupted one.",
        subcommands: [RunsListCommand.self, RunsResumeCommand.self],
        defaultSubcommand: RunsListCommand.self
    )
}

extension StoredRun.State: ExpressibleByArgument {}

struct RunsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Runs, newest first, by state.")

    @OptionGroup var workspaceOptions: WorkspaceOptions

    @Option(name: .long, help: "Only runs in this state: running, finished, awaiting_approval, interrupted (repeatable).")
    var state: [StoredRun.State] = []

    @Option(name: [.customShort("n"), .customLong("limit")], help: "The most runs shown.")
    var limit = 20

    @Flag(name: .long, help: "One JSON object per run (NDJSON).")
    var json = false

    func run() async throws {
        let store = try StoreAccess.openForReading(try workspaceOptions.loadWorkspace(), options: workspaceOptions)
        let runs: [StoredRun]
        do {
            runs = try store.runs(RunStore.RunQuery(states: state.isEmpty ? nil : Set(state), limit: max(1, limit)))
        } catch {
            throw StoreAccess.failure(error)
        }
        if json {
            for run in runs { print(run.json.jsonString) }
        } else if runs.isEmpty {
            print("No runs match.")
        } else {
            for run in runs { print(LogFormat.line(run)) }
        }
    }
}

struct RunsResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a run whose process ended mid-run: finished calls keep their results, idempotent ones cut off run again, others are reported as interrupted."
    )

    @OptionGroup var workspaceOptions: WorkspaceOptions

    @Argument(help: "The run's id (from `brigade runs list --state interrupted`).")
    var run: String

    func run() async throws {
        try await ResumeRun.run(run, workspaceOptions: workspaceOptions)
    }
}

/// `brigade approve RUN [CALL]`.
struct ApproveCommand: DecisionCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve calls of a run paused for approval; once none is left undecided the run resumes here."
    )
    static let decision = ApprovalDecision.approve

    @OptionGroup var arguments: DecisionArguments
}

/// `brigade deny RUN [CALL]`.
struct DenyCommand: DecisionCommand {
    static let configuration = CommandConfiguration(
        commandName: "deny",
        abstract: "Deny calls of a run paused for approval (the model is told); once none is left undecided the run resumes here."
    )
    static let decision = ApprovalDecision.deny

    @OptionGroup var arguments: DecisionArguments
}

/// What `approve` and `deny` take: the workspace options, the run, and optionally one call.
struct DecisionArguments: ParsableArguments {
    @OptionGroup var workspaceOptions: WorkspaceOptions

    @Argument(help: "The run's id (from `brigade runs list --state awaiting_approval`).")
    var run: String

    @Argument(help: "One call's id; without it every call still waiting is decided.")
    var call: String?
}

/// `approve` and `deny`: one implementation, the decision being the only difference.
protocol DecisionCommand: AsyncParsableCommand {
    static var decision: ApprovalDecision { get }
    var arguments: DecisionArguments { get }
}

extension DecisionCommand {
    func run() async throws {
        try await ResumeRun.decide(arguments.run, call: arguments.call, Self.decision, workspaceOptions: arguments.workspaceOptions)
    }
}

/// What `approve`, `deny` and `runs resume` share: decide, then continue the run in this process.
enum ResumeRun {
    static func decide(_ run: String, call: String?, _ decision: ApprovalDecision, workspaceOptions: WorkspaceOptions) async throws {
        guard let id = RunID(rawValue: run) else { throw CLIFailure.usage("give a run id") }
        let workspace = try workspaceOptions.loadWorkspace()
        let store = try StoreAccess.openForReading(workspace, options: workspaceOptions)
        let remaining: [String]
        do { remaining = try await store.decide(id, call: call, decision) } catch { throw StoreAccess.failure(error) }
        if !remaining.isEmpty {
            Terminal.standardError.write("brigade: run \(id) still awaits a decision on \(remaining.joined(separator: ", ")); it resumes once none is left\n")
            throw ExitCode(RunOutcome.paused.exitCode)
        }
        await workspace.startEagerSources()
        try await resume(id, workspace: workspace, store: store, verbose: workspaceOptions.verbose)
    }

    /// Resumes `run` with the workspace's agent; prints as `brigade ask` does; exits with the run's code.
    static func run(_ run: String, workspaceOptions: WorkspaceOptions) async throws {
        guard let id = RunID(rawValue: run) else { throw CLIFailure.usage("give a run id") }
        let workspace = try await workspaceOptions.startWorkspace()
        let store = try StoreAccess.openForReading(workspace, options: workspaceOptions)
        try await resume(id, workspace: workspace, store: store, verbose: workspaceOptions.verbose)
    }

    /// The resume both share, on a started workspace and its open store.
    private static func resume(_ id: RunID, workspace: Workspace, store: RunStore, verbose: Bool) async throws {
        // Nobody is asked here: a later call that needs approval pauses the run again.
        let agent = workspace.makeAgent(approval: PauseApprovalPolicy(), store: store, traceExporter: TraceExport.exporter(for: workspace), logger: CLILogger.make(verbose: verbose))
        let printer = AskPrinter(json: false, color: Terminal.colorEnabled(for: Terminal.standardError))
        let outcome = await withInterruptCancellation { () async -> Result<RunResult, RunStoreError> in
            do throws(RunStoreError) {
                return .success(try await agent.resume(id) { event in printer.handle(event) })
            } catch {
                return .failure(error)
            }
        }
        await workspace.shutdown()
        try await StoreAccess.finish(store, workspace: workspace)
        let result: RunResult
        switch outcome {
        case .success(let value): result = value
        case .failure(let error): throw StoreAccess.failure(error)
        }
        PausedRun.report(result)
        let code = result.outcome.exitCode
        if code != 0 { throw ExitCode(code) }
    }
}

/// The line a paused run leaves on stderr: how to go on.
enum PausedRun {
    static func report(_ result: RunResult) {
        guard result.stopReason.code == .awaitingApproval, let id = result.runID else { return }
        let waiting = result.calls.filter { $0.status == .awaitingApproval }.map { "\($0.callID) (\($0.toolName))" }
        Terminal.standardError.write("brigade: run \(id) awaits approval of \(waiting.joined(separator: ", ")): brigade approve \(id) [CALL] or brigade deny \(id) [CALL]\n")
    }
}
