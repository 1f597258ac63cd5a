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

/// `brigade trace [RUN]`: the timeline of a stored run (docs/traces.md).
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "The timeline of a run: what ran in parallel, what the run waited for, what failed (see docs/traces.md)."
    )

    @OptionGroup var workspaceOptions: WorkspaceOptions

    @Flag(name: .long, help: "The spans as one JSON object.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Write the timeline as one self-contained web page (zoom, tooltips, folding).", valueName: "file"))
    var html: String?

    @Option(name: .long, help: ArgumentHelp("Write the timeline as an SVG image.", valueName: "file"))
    var svg: String?

    @Argument(help: "The run's id (from `brigade log`); the newest run when left out.")
    var run: String?

    func run() async throws {
        let store = try StoreAccess.openForReading(try workspaceOptions.loadWorkspace(), options: workspaceOptions)
        var id: RunID?
        if let run {
            guard let parsed = RunID(rawValue: run) else { throw CLIFailure.usage("`\(run)` is not a run id (see `brigade log`)") }
            id = parsed
        }
        let trace: RunTrace
        do { trace = try store.trace(of: id) } catch { throw StoreAccess.failure(error) }
        if html != nil || svg != nil {
            if let html { try Self.write(TracePage(trace: trace).html, to: html) }
            if let svg { try Self.write(TraceSVG(trace: trace).document, to: svg) }
            if json { print(trace.json.prettyJSONString) }
        } else if json {
            print(trace.json.prettyJSONString)
        } else {
            let width = Terminal.width(environment: ProcessInfo.processInfo.environment)
            let colour = Terminal.usesColour(environment: ProcessInfo.processInfo.environment)
            print(TraceTimeline(trace: trace, width: width, colour: colour).lines.joined(separator: "\n"))
        }
    }

    /// Writes `text` to `path` (`-`: standard output).
    static func write(_ text: String, to path: String) throws(CLIFailure) {
        if path == "-" {
            print(text, terminator: "")
            return
        }
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw CLIFailure.runtime("cannot write \(path): \(describeFileError(error))")
        }
    }
}
