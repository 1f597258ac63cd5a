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

struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer one request: the answer streams to stdout, the progress of every call to stderr."
    )

    @OptionGroup var workspaceOptions: WorkspaceOptions

    @Option(name: .long, help: "Routing: hybrid, model or static (default: config `routing`; static without a model).")
    var mode: RoutingMode?

    @Flag(name: .long, help: "Print every event as one JSON line (NDJSON) on stdout instead of the answer.")
    var json = false

    @Flag(name: .long, help: "Approve tools that need confirmation (`confirm: true`) without asking (on a terminal, ask asks; otherwise they are denied).")
    var yes = false

    @Option(name: [.customShort("f"), .customLong("file")], help: "Attach a file as context (repeatable; `-` is standard input).")
    var files: [String] = []

    @Option(name: .long, help: "The most bytes of piped input or of one attached file that are sent; the rest is cut with a note.")
    var maxInputBytes = 262_144

    @Option(name: .long, help: "The system prompt of this run: TEXT, or @FILE to read it from FILE.")
    var system: String?

    @Flag(name: .long, help: "Print the answer once it is complete instead of as it streams.")
    var noStream = false

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Print only the answer: no progress, notices or summary.")
    var quiet = false

    @Flag(name: .long, help: "Print the answer as the model wrote it (no Markdown rendering on a terminal).")
    var raw = false

    @Option(name: .long, help: "A JSON Schema FILE the answer must match; only the answer's JSON is printed.")
    var schema: String?

    @Flag(name: .customLong("continue"), help: "Add this request to the latest conversation of the run store (`brigade sessions list`).")
    var continueLatest = false

    @Option(name: .long, help: "Add this request to the stored conversation ID (`brigade sessions list`).")
    var session: String?

    @Flag(name: .long, help: "Nobody answers approval questions: a call that needs approval pauses the run (exit 5); `brigade approve RUN` resumes it later.")
    var detach = false

    @Argument(help: "The request; without one (or with `-`) it is read from standard input. Piped input with a request is sent as context.")
    var prompt: String?

    func validate() throws {
        if json && quiet { throw ValidationError("--json and --quiet cannot be used together") }
        if maxInputBytes < 1 { throw ValidationError("--max-input-bytes must be at least 1") }
        if continueLatest && session != nil { throw ValidationError("--continue and --session cannot be used together") }
        if detach && yes { throw ValidationError("--detach and --yes cannot be used together") }
    }

    func run() async throws {
        var workspace = try await workspaceOptions.startWorkspace()
        if let system { workspace.systemPrompt = try Self.systemPrompt(system) }
        let request = try readRequest()
        if let notice = workspace.routingNotice, mode == nil || mode != .static, !quiet {
            Terminal.standardError.write(notice + "\n")
        }
        if (mode == .model || mode == .hybrid), workspace.model == nil {
            throw CLIFailure.usage("--mode \(mode!.rawValue) needs a model: \(workspace.modelUnavailableReason ?? "none is available")")
        }
        let outputSchema = try schema.map(Self.outputSchema(file:))
        let printer = AskPrinter(
            json: json, color: Terminal.colorEnabled(for: Terminal.standardError), quiet: quiet,
            stream: !noStream && outputSchema == nil, raw: raw || outputSchema != nil)
        let approval: any ApprovalPolicy = if yes {
            ApproveAllApprovalPolicy()
        } else if detach {
            PauseApprovalPolicy()
        } else if Terminal.standardError.isTTY, isatty(STDIN_FILENO) == 1, !json {
            try LineApprovalPolicy(display: printer.display)
        } else {
            DenyAllApprovalPolicy()
        }
        let store = try StoreAccess.openForRecording(workspace, options: workspaceOptions)
        if detach, store == nil { throw CLIFailure.usage("--detach needs the run store (a paused run is resumed from it), which is off or could not be opened") }
        let conversation = try StoreAccess.conversation(in: store, latest: continueLatest, id: session, workspace: workspace)
        let agent = workspace.makeAgent(routing: mode, approval: approval, store: store, traceExporter: TraceExport.exporter(for: workspace), logger: CLILogger.make(verbose: workspaceOptions.verbose))
        // The id is made here so that `--json` lines carry it from the first event on.
        var runOptions = RunOptions(session: conversation, runID: printer.runID, source: "ask")
        runOptions.outputSchema = outputSchema
        let options = runOptions
        let outcome = await withInterruptCancellation { () async -> Result<RunResult, InvalidRunOptions> in
            do throws(InvalidRunOptions) {
                return .success(try await agent.run(request, options: options) { event in printer.handle(event) })
            } catch {
                return .failure(error)
            }
        }
        await workspace.shutdown()
        try await StoreAccess.finish(store, workspace: workspace)
        let result = try outcome.get()
        if !quiet { PausedRun.report(result) }
        let code = result.outcome.exitCode
        if code != 0 { throw ExitCode(code) }
    }

    /// The schema of `--schema FILE`.
    /// - Throws: a usage error (exit 2) when the file cannot be read, is not JSON, or is not a usable JSON Schema.
    static func outputSchema(file: String) throws(CLIFailure) -> OutputSchema {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIFailure.usage("--schema \(file): cannot read the file")
        }
        let schema: JSONValue
        do {
            schema = try JSONValue(parsing: String(decoding: data, as: UTF8.self))
        } catch {
            throw CLIFailure.usage("--schema \(file): not JSON: \(error)")
        }
        do {
            return try OutputSchema(schema, name: URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)
        } catch {
            throw CLIFailure.usage("--schema \(file): \(error.message)")
        }
    }

    /// The prompt (argument or standard input) with piped input and `-f` files as context.
    func readRequest() throws(CLIFailure) -> String {
        var attachments: [AskInput.Attachment] = []
        let stdinIsPiped = isatty(STDIN_FILENO) != 1
        let text: String
        if let prompt, prompt != "-" {
            text = prompt
            // Piped input goes along as context (unless a `-f -` attaches it explicitly).
            if stdinIsPiped, !files.contains("-"), let piped = try AskInput.standardInput(cap: maxInputBytes) {
                attachments.append(piped)
            }
        } else {
            guard stdinIsPiped else {
                throw CLIFailure.usage("give a request: brigade ask \"…\", or pipe one: echo \"…\" | brigade ask")
            }
            if files.contains("-") { throw CLIFailure.usage("standard input cannot be both the request and `-f -`") }
            guard let piped = try AskInput.standardInput(cap: maxInputBytes), !piped.text.trimmingWhitespaceAndNewlines().isEmpty else {
                throw CLIFailure.usage("the request read from standard input is empty")
            }
            if piped.wasCut { throw CLIFailure.usage("the request on standard input is longer than --max-input-bytes (\(maxInputBytes))") }
            text = piped.text.trimmingWhitespaceAndNewlines()
        }
        for path in files { attachments.append(try AskInput.file(path, cap: maxInputBytes)) }
        for attachment in attachments where attachment.wasCut && !quiet {
            Terminal.standardError.write("brigade: " + AskInput.cutNote(attachment, cap: maxInputBytes) + "\n")
        }
        return AskInput.compose(prompt: text, attachments: attachments, cap: maxInputBytes)
    }

    /// `--system TEXT`, or `--system @FILE`.
    static func systemPrompt(_ value: String) throws(CLIFailure) -> String {
        guard value.hasPrefix("@") else { return value }
        let path = String(value.dropFirst())
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIFailure.usage("--system @\(path): cannot read the file")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
