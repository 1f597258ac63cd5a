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

/// `brigade map`: map-reduce-produce over files, a folder or standard input (docs/workers.md).
struct MapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Map a brief over the chunks of long input in parallel, reduce the results into one report (docs/workers.md).",
        discussion: "Exit codes: 0 every chunk mapped and the reduce finished; 1 some chunk failed or the reduce is partial; 2 usage error (empty or binary input, a chunk too large for --context-tokens)."
    )

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @Argument(help: "Files or folders to read; `-` (or nothing, with input piped) reads standard input.")
    var inputs: [String] = []
    @Option(name: .long, help: "The global brief given beside every chunk (or @FILE to read it).")
    var brief: String
    @Option(name: .long, help: "The map worker's system prompt, a file (default: a built-in one).")
    var mapPrompt: String?
    @Option(name: .long, help: "The reduce worker's system prompt, a file.")
    var reducePrompt: String?
    @Option(name: .long, help: "A JSON Schema file every map answer must match (one retry).")
    var schema: String?
    @Option(name: .long, help: "Chunk size in tokens (bytes / 4).")
    var chunkTokens: Int = 1000
    @Option(name: .long, help: "Tokens of whole blocks repeated at the start of the next chunk.")
    var overlapTokens: Int = 0
    @Option(name: .long, help: "The model's context in tokens: bigger chunks are refused before anything runs.")
    var contextTokens: Int?
    @Option(name: .long, help: "Workers at once (default: limits.max_parallel_calls).")
    var concurrency: Int?
    @Option(name: .long, help: "The most one reduce call reads; more partials are reduced level by level.")
    var reduceTokens: Int = 6000
    @Option(name: .long, help: "A Mustache template file rendering the artifact (answer, brief, chunks, failed, sources).")
    var template: String?
    @Option(name: .long, help: "A system prompt file for a last model call that writes the artifact.")
    var producePrompt: String?
    @Option(name: .long, help: "Write the report (or the artifact) here; map results go next to it as FILE.map.jsonl (resumable).")
    var out: String?
    @OptionGroup var budget: GlobalBudgetOptions
    @Flag(name: .long, help: "Progress as NDJSON lines on stdout (map_progress), then the report as one `map_report` line.")
    var json = false

    func run() async throws {
        let workspace = try await workspaceOptions.startWorkspace()
        do {
            try await run(workspace)
            await workspace.shutdown()
        } catch {
            await workspace.shutdown()
            throw error
        }
    }

    private func run(_ workspace: Workspace) async throws {
        // Every map and reduce call is a run of its own in the store (source `map`).
        let store = try StoreAccess.openForRecording(workspace, options: workspaceOptions)
        let agent = workspace.makeAgent(
            routing: .model, store: store, traceExporter: TraceExport.exporter(for: workspace), logger: CLILogger.make(verbose: workspaceOptions.verbose))
        var configuration = MapReduce.Configuration(brief: try Self.text(brief), chunker: MapChunker(maxTokens: chunkTokens, overlapTokens: overlapTokens))
        if let mapPrompt { configuration.mapPrompt = try Self.text("@" + mapPrompt) }
        if let reducePrompt { configuration.reducePrompt = try Self.text("@" + reducePrompt) }
        if let schema {
            do { configuration.outputSchema = try JSONValue(parsing: Self.text("@" + schema)) } catch { throw CLIFailure.usage("\(schema) is not JSON: \(error)") }
        }
        if let template {
            do { configuration.produce = .template(try JoinTemplate(text: Self.text("@" + template), file: template)) } catch let error as ConfigError {
                throw CLIFailure.usage(error.description)
            }
        } else if let producePrompt {
            configuration.produce = .prompt(try Self.text("@" + producePrompt))
        }
        configuration.concurrency = concurrency ?? workspace.config.limits.maxParallelCalls
        configuration.reduceInputTokens = reduceTokens
        configuration.contextTokens = contextTokens
        configuration.limits = budget.applied(to: configuration.limits, defaultUSD: workspace.config.budget.usd)
        configuration.resultsPath = out.map { $0 + ".map.jsonl" }
        // The whole job is one run in the store; every map and reduce call is a child run of it.
        let job = store.map { _ in RunID() }
        configuration.parentRunID = job

        let sources = try loadSources()
        let json = json
        let report: MapReport
        let started = Date()
        if let store, let job { store.jobStarted(job, source: "map", prompt: configuration.brief) }
        do {
            report = try await MapReduce(agent: agent, configuration: configuration).run(sources) { progress in
                if json { Terminal.standardOutput.write(progress.json.jsonString + "\n") } else { Terminal.standardError.write("\r\u{1B}[K" + progress.line) }
            }
        } catch {
            if let store, let job {
                store.jobFinished(job, answer: error.message, stopReason: "error", usage: TokenUsage(), costUSD: 0, model: workspace.model?.displayName, startedAt: started)
            }
            try? await StoreAccess.finish(store, workspace: workspace)
            throw CLIFailure.usage(error.message)
        }
        if !json { Terminal.standardError.write("\n") }
        if let store, let job {
            store.jobFinished(
                job, answer: report.produced ?? report.reduction.answer, stopReason: report.failed.isEmpty && !report.reduction.isPartial ? "finished" : "error",
                usage: report.usage, costUSD: report.costUSD, model: workspace.model?.displayName, startedAt: started)
        }
        try await StoreAccess.finish(store, workspace: workspace)
        if let unsaved = report.unsavedResults {
            Terminal.standardError.write("brigade map: \(unsaved); a re-run maps the chunks not saved again\n")
        }
        let text = report.produced ?? report.text
        if let out {
            do { try text.write(toFile: out, atomically: true, encoding: .utf8) } catch { throw CLIFailure.runtime("cannot write \(out): \(describeFileError(error))") }
        }
        if json {
            let line: JSONValue = [
                "type": "map_report", "answer": .string(report.reduction.answer), "produced": report.produced.map { .string($0) } ?? .null,
                "chunks": .integer(report.chunks.count),
                "failed": .array(report.failed.map { ["chunk": .string($0.chunkID), "position": .string($0.position), "error": .string($0.error ?? "")] }),
                "not_reduced": .array(report.reduction.notReduced.map { .string($0) }), "partial": .bool(report.reduction.isPartial),
                "cost_usd": .number(report.costUSD),
            ]
            Terminal.standardOutput.write(line.jsonString + "\n")
        } else if out == nil {
            Terminal.standardOutput.write(text + "\n")
        }
        if !report.failed.isEmpty || report.reduction.isPartial { throw ExitCode(1) }
    }

    private func loadSources() throws -> [MapSource] {
        let named = inputs.filter { $0 != "-" }
        var sources: [MapSource] = []
        if inputs.contains("-") || inputs.isEmpty {
            let (bytes, _) = try AskInput.read(STDIN_FILENO, cap: Int.max - 1)
            do { sources.append(try MapInput.source(named: "stdin", data: bytes)) } catch { throw CLIFailure.usage(error.message) }
        }
        do {
            let loaded = try MapInput.load(named)
            for skipped in loaded.skipped { Terminal.standardError.write("brigade map: skipped \(skipped)\n") }
            sources += loaded.sources
        } catch {
            throw CLIFailure.usage(error.message)
        }
        return sources
    }

    /// `@FILE` read, or the text itself.
    static func text(_ value: String) throws -> String {
        guard value.hasPrefix("@") else { return value }
        let path = String(value.dropFirst())
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIFailure.usage("cannot read \(path)") }
        return String(decoding: data, as: UTF8.self)
    }
}
