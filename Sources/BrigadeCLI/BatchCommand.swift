import Synchronization
import ArgumentParser
import Brigade
import CurlHTTP
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Logging

struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run many prompts from a JSONL file under one global budget; resumable, shardable (docs/batch.md).",
        subcommands: [Run.self, Merge.self],
        defaultSubcommand: Run.self
    )

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run INPUT.jsonl into --out RESULTS.jsonl (running again resumes).",
            discussion: "Exit codes: 0 every item finished (status ok); 1 some item did not (failed: any stop reason but `finished`; or skipped: budget, fail-fast); 2 usage or configuration error; 74 the results file could not be written (disk full, quota, I/O error): the batch stopped, and running it again resumes; 130 interrupted."
        )

        @OptionGroup var workspaceOptions: WorkspaceOptions
        @Argument(help: "The input: one {\"id\", \"prompt\"} JSON object (or plain text) per line.")
        var input: String
        @Option(name: .long, help: "The results file (created, or resumed when it exists).")
        var out: String
        @Option(name: .long, help: "Items run at once.")
        var concurrency: Int = 4
        @OptionGroup var budget: GlobalBudgetOptions
        @Option(name: .long, help: "Default USD budget of an item that sets none.")
        var itemUsd: Double?
        @Option(name: .long, help: "Default wall-clock budget of an item, in seconds.")
        var itemWallSeconds: Double?
        @Option(name: .long, help: "Run only shard i of n (i from 0), by a stable hash of the item id.")
        var shard: String?
        @Option(name: .long, help: "Routing for items that set no `mode`: hybrid, model or static.")
        var mode: RoutingMode?
        @Flag(name: .long, help: "Stop starting items after the first failure.")
        var failFast = false
        @Flag(name: .long, help: "On resume, run failed items (every item that did not finish) again.")
        var retryFailed = false
        @Option(name: .long, help: "Also write the summary as JSON to this file.")
        var summary: String?

        func run() async throws {
            // The shared HTTP client opens at most 32 connections to a host, and an HTTP/1.1 server
            // (vLLM, llama.cpp, Ollama …) needs one per request in flight: a wider batch gets a
            // client of its own with a connection per item.
            let httpClient = concurrency > HTTPClient.Configuration().maxConnectionsPerHost
                ? HTTPClient(configuration: .init(maxConnectionsPerHost: concurrency, maxCachedConnections: max(64, concurrency)))
                : nil
            let workspace = try await workspaceOptions.startWorkspace(httpClient: httpClient)
            if let notice = workspace.routingNotice { Terminal.standardError.write(notice + "\n") }
            if let option = budget.budgetUsd != nil ? "--budget-usd" : itemUsd != nil ? "--item-usd" : nil,
                let model = workspace.config.model, model.price == nil
            {
                throw CLIFailure.usage(
                    "\(option) is set, but the model `\(model.model)` has no price, so the budget could not be enforced: "
                        + "add `price: {input_per_million: …, output_per_million: …}` to its configuration (0 and 0 for a free local model)"
                )
            }
            let batchInput: BatchInput
            do {
                batchInput = try BatchInput(contentsOf: input)
            } catch {
                throw CLIFailure.usage(error.description)
            }
            var configuration = BatchConfiguration(
                concurrency: concurrency,
                budget: budget.batchBudget,
                defaultItemBudget: BatchBudget(usd: itemUsd, wallSeconds: itemWallSeconds),
                failFast: failFast,
                retryFailed: retryFailed
            )
            if let shard {
                do { configuration.shard = try BatchShard(parsing: shard) } catch { throw CLIFailure.usage(error.description) }
            }
            let logger = CLILogger.make(verbose: workspaceOptions.verbose)
            let store = try StoreAccess.openForRecording(workspace, options: workspaceOptions)
            // Nobody answers approval questions in a batch: with a store, such a call pauses its item's
            // run (`brigade approve RUN`); without one it is denied.
            let approval: any ApprovalPolicy = store == nil ? DenyAllApprovalPolicy() : PauseApprovalPolicy()
            let runner = AgentBatchRunner(agent: workspace.makeAgent(routing: mode, approval: approval, store: store, traceExporter: TraceExport.exporter(for: workspace), logger: logger))
            let engine = BatchEngine(runner: runner, configuration: configuration)
            let progress = BatchProgressPrinter(tty: Terminal.standardError.isTTY)
            let (resultsPath, inputPath) = (out, input)
            let outcome: Result<BatchSummary, BatchError> = await withInterruptCancellation {
                do throws(BatchError) {
                    return .success(try await engine.run(batchInput, resultsPath: resultsPath, inputPath: inputPath, onEvent: progress.handle))
                } catch {
                    return .failure(error)
                }
            }
            await workspace.shutdown()
            await httpClient?.shutdown()
            try await StoreAccess.finish(store, workspace: workspace)
            progress.finish()
            let result: BatchSummary
            switch outcome {
            case .success(let summary): result = summary
            case .failure(let error):
                guard let stopped = error.summary else { throw CLIFailure.runtime(error.description) }
                try stop(stopped, becauseOf: error)
                return
            }
            Terminal.standardError.write(result.description + "\n")
            try writeSummary(result)
            if result.failed > 0 || result.skipped > 0 || result.stoppedBy != nil { throw ExitCode(1) }
        }

        /// The results file could not be written (stop reason `write_failed`): the summary of what is
        /// on disk, then the error and how to resume; exit 74 (`EX_IOERR`).
        func stop(_ stopped: BatchSummary, becauseOf error: BatchError) throws {
            Terminal.standardError.write(stopped.description + "\n")
            // The summary goes to its own file, often on another disk; when it cannot be written either, say so too.
            do { try writeSummary(stopped) } catch let failure as CLIFailure { Terminal.standardError.write("brigade: \(failure.message)\n") }
            let left = stopped.total - stopped.ok - stopped.failed - stopped.skipped
            throw CLIFailure(
                message: "\(error.description); the batch stopped. The \(stopped.ok + stopped.failed + stopped.skipped) items recorded are "
                    + "on disk; the \(left) others run when you run the same command again (after freeing space)",
                exitCode: 74)
        }

        func writeSummary(_ result: BatchSummary) throws {
            guard let summary else { return }
            do {
                try (result.json.prettyJSONString + "\n").write(toFile: summary, atomically: true, encoding: .utf8)
            } catch {
                throw CLIFailure.runtime("cannot write the summary to \(summary): \(describeFileError(error))")
            }
        }
    }

    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge shard results into OUT; report duplicate, missing and unexpected ids (exit 1 unless clean).")
        @Option(name: .long, help: "The batch input, to report missing ids and write in input order.")
        var input: String?
        @Argument(help: "The merged results file to write.")
        var out: String
        @Argument(help: "The shard results files.")
        var shards: [String]

        func run() async throws {
            guard !shards.isEmpty else { throw CLIFailure.usage("give at least one shard results file") }
            do {
                let batchInput = try input.map { (path) throws(BatchError) in try BatchInput(contentsOf: path) }
                let report = try BatchMerge.merge(shards, into: out, input: batchInput)
                print(report.description)
                if !report.isClean { throw ExitCode(1) }
            } catch let error as BatchError {
                throw CLIFailure.runtime(error.description)
            }
        }
    }
}

/// Batch progress on stderr: a bar redrawn in place on a terminal, a plain line every few seconds otherwise.
final class BatchProgressPrinter: Sendable {
    let tty: Bool
    private let lastLine = Mutex<ContinuousClock.Instant?>(nil)

    init(tty: Bool) { self.tty = tty }

    @Sendable func handle(_ event: BatchEvent) {
        switch event {
        case .started(_, let repair?):
            Terminal.standardError.write("brigade: repaired the results file: \(repair)\n")
        case .progress(let progress):
            if tty {
                Terminal.standardError.write("\r\u{1B}[2K" + BatchProgressRenderer.bar(progress, width: 100))
            } else {
                let now = ContinuousClock.now
                let due = lastLine.withLock { last -> Bool in
                    if let last, now - last < .seconds(5) { return false }
                    last = now
                    return true
                }
                if due { Terminal.standardError.write(BatchProgressRenderer.line(progress) + "\n") }
            }
        default:
            break
        }
    }

    func finish() {
        if tty { Terminal.standardError.write("\n") }
    }
}
