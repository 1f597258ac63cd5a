import ArgumentParser
import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `brigade log`: the runs of the run store.
struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "The recorded runs: prompt, model, calls, tokens, cost, stop reason (see docs/store.md).",
        subcommands: [LogListCommand.self, LogShowCommand.self, LogCostCommand.self],
        defaultSubcommand: LogListCommand.self
    )
}

struct LogListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Recent runs, newest first; child runs (a sub-agent's, map workers) are counted on their parent.")

    @OptionGroup var workspaceOptions: WorkspaceOptions

    @Option(name: .long, help: "Only runs whose prompt or answer contains TEXT.")
    var search: String?

    @Option(name: .long, help: "Only runs started since: a period (30m, 12h, 7d, 2w) or a date (2026-12-01).")
    var since: String?

    @Option(name: [.customShort("n"), .customLong("limit")], help: "The most runs shown.")
    var limit = 20

    @Flag(name: .long, help: "One JSON object per run (NDJSON).")
    var json = false

    @Flag(name: .long, help: "Child runs too, each naming its parent.")
    var all = false

    func validate() throws {
        if let since, LogFormat.since(since) == nil { throw ValidationError.badSince(since) }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let store = try StoreAccess.openForReading(try workspaceOptions.loadWorkspace(), options: workspaceOptions)
        let query = RunStore.RunQuery(search: search, since: since.flatMap { LogFormat.since($0) }, limit: limit, topLevelOnly: !all)
        let runs: [StoredRun]
        do { runs = try store.runs(query) } catch { throw StoreAccess.failure(error) }
        if json {
            for run in runs { print(run.json.jsonString) }
        } else if runs.isEmpty {
            print(search == nil && since == nil ? "No runs recorded yet (\(store.path))." : "No runs match.")
        } else {
            for run in runs { print(LogFormat.line(run)) }
        }
    }
}

struct LogShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Everything recorded about one run.")

    @OptionGroup var workspaceOptions: WorkspaceOptions

    @Flag(name: .long, help: "The record as one JSON object.")
    var json = false

    @Argument(help: "The run's id (from `brigade log`).")
    var run: String

    func run() async throws {
        let store = try StoreAccess.openForReading(try workspaceOptions.loadWorkspace(), options: workspaceOptions)
        guard let id = RunID(rawValue: run) else { throw CLIFailure.usage("give a run id") }
        let record: StoredRunRecord
        do { record = try store.record(of: id) } catch { throw StoreAccess.failure(error) }
        if json {
            print(record.json.prettyJSONString)
        } else {
            print(RunRecordText.lines(record).joined(separator: "\n"))
        }
    }
}

struct LogCostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cost", abstract: "Spend by model.")

    @OptionGroup var workspaceOptions: WorkspaceOptions

    @Option(name: .long, help: "Only runs started since: a period (30m, 12h, 7d, 2w) or a date (2026-12-01).")
    var since: String?

    @Flag(name: .long, help: "One JSON object per model (NDJSON).")
    var json = false

    func validate() throws {
        if let since, LogFormat.since(since) == nil { throw ValidationError.badSince(since) }
    }

    func run() async throws {
        let store = try StoreAccess.openForReading(try workspaceOptions.loadWorkspace(), options: workspaceOptions)
        let costs: [ModelCost]
        do { costs = try store.costByModel(since: since.flatMap { LogFormat.since($0) }) } catch { throw StoreAccess.failure(error) }
        if json {
            for cost in costs {
                print(JSONValue.object([
                    "model": .string(cost.model), "runs": .integer(cost.runs), "usage": cost.usage.json, "cost_usd": .number(cost.costUSD),
                ]).jsonString)
            }
            return
        }
        let width = max(5, costs.map(\.model.count).max() ?? 0)
        func row(_ model: String, _ runs: String, _ input: String, _ output: String, _ cost: String) -> String {
            model.padded(toLength: width) + "  " + [runs, input, output, cost].map { String(repeating: " ", count: max(0, 12 - $0.count)) + $0 }.joined(separator: " ")
        }
        print(row("model", "runs", "input tok", "output tok", "cost"))
        for cost in costs {
            print(row(cost.model, "\(cost.runs)", "\(cost.usage.inputTokens)", "\(cost.usage.outputTokens)", LogFormat.usd(cost.costUSD)))
        }
        let total = costs.reduce(into: (runs: 0, input: 0, output: 0, usd: 0.0)) {
            $0.runs += $1.runs; $0.input += $1.usage.inputTokens; $0.output += $1.usage.outputTokens; $0.usd += $1.costUSD
        }
        print(row("total", "\(total.runs)", "\(total.input)", "\(total.output)", LogFormat.usd(total.usd)))
    }
}

/// `brigade log show` as text.
enum RunRecordText {
    static func lines(_ record: StoredRunRecord) -> [String] {
        let run = record.run
        var lines = [
            "run      \(run.id)" + (run.parentRunID.map { " (from \($0))" } ?? ""),
            "started  \(LogFormat.time(run.startedAt))  via \(run.source)" + (run.conversationID.map { "  conversation \($0)" } ?? ""),
            "state    \(run.state.rawValue)" + (run.stopReason.map { "  stop \($0)" } ?? ""),
            "model    \(run.model ?? "-")",
            "spent    \(run.usage.inputTokens) input + \(run.usage.outputTokens) output tokens, \(LogFormat.usd(run.costUSD)), \(run.turns) turns, \(run.toolCalls) calls"
                + (run.wallSeconds.map { ", " + Duration.seconds($0).secondsText } ?? ""),
            "",
            "prompt:",
            ControlCharacters.escaped(run.prompt, lineBreaks: .kept),
        ]
        for call in record.calls {
            lines.append("")
            lines.append("call \(call.callID)  turn \(call.turn)  \(call.tool)  \(call.status.rawValue)  \(Duration.seconds(call.durationSeconds).secondsText)")
            lines.append("  arguments: " + ControlCharacters.escaped(call.arguments, lineBreaks: .spaces))
            let result = ControlCharacters.escaped(call.result, lineBreaks: .spaces)
            lines.append("  result (\(call.resultBytes) bytes): " + (result.count > 300 ? result.prefix(299) + "…" : result))
        }
        if let answer = run.answer {
            lines += ["", "answer:", ControlCharacters.escaped(answer, lineBreaks: .kept)]
        }
        if !record.childRunIDs.isEmpty {
            lines += ["", "child runs (`brigade log show ID`):"] + record.childRunIDs.map { "  \($0)" }
        }
        return lines
    }
}
