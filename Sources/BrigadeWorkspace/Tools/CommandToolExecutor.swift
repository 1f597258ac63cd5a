import BrigadeCore

/// Runs a `kind: command` tool: one program, started without a shell, with an argv built from a template.
///
/// - Each argv template element becomes exactly one argv element; an argument's value never leaves it.
/// - An element with a placeholder whose argument is absent (or `null`) after defaults is dropped.
/// - An element that begins with a placeholder must not render to text starting with `-` (the program
///   would take the value as an option: `{"path": "--version"}`), unless a `--` element comes before
///   it or the parameter is listed in `allow_leading_dash`; such a call is refused.
/// - The child gets a fresh environment (`PATH`, `HOME`, `LANG`, `LC_ALL`, `TZ`, the allowlist, then `env`),
///   runs in its own session (so its process group holds it and everything it starts), and is torn down
///   with SIGTERM to the group, then SIGKILL after `terminationGrace`, when the calling task is cancelled.
///   Members of the group still alive when the call ends are killed too: a call leaves no process behind.
/// - Standard output and error are drained concurrently; at most `maxOutputBytes` of each are kept.
///
/// See docs/tools-runtime.md.
package struct CommandToolExecutor: ToolExecutor {
    /// Absolute path of the program.
    public let programPath: String
    /// The environment the child gets.
    public let environment: [String: String]
    /// Absolute working directory, or `nil` for Brigade's.
    public let workingDirectory: String?
    public let maxOutputBytes: Int
    /// Time between SIGTERM and SIGKILL when a call is cancelled.
    public let terminationGrace: Duration

    let config: CommandToolConfig
    let templates: [PlaceholderTemplate]
    /// For each template that begins with a placeholder, not after `--` and not allowed a leading
    /// dash: that placeholder's name.
    let dashGuards: [Int: String]
    let parameters: JSONValue

    /// The environment variables every command gets from Brigade's environment.
    public static let alwaysPassedEnvironment = ["PATH", "HOME", "LANG", "LC_ALL", "TZ"]
    public static let defaultMaxOutputBytes = 64 * 1024

    /// What a child gets: ``alwaysPassedEnvironment`` and `allowlist` from Brigade's environment, then `fixed`.
    static func childEnvironment(allowlist: [String], fixed: [String: String]) -> [String: String] {
        var environment: [String: String] = [:]
        for name in alwaysPassedEnvironment + allowlist {
            if let value = FilePaths.environmentValue(name) { environment[name] = value }
        }
        environment.merge(fixed) { _, fixed in fixed }
        return environment
    }

    /// Checks the declaration and resolves the program, the working directory and the environment.
    ///
    /// - Parameters:
    ///   - config: The `command:` section.
    ///   - spec: The tool's spec; placeholders must name its parameters, its policy sets the output cap.
    ///   - baseDirectory: The folder of the declaring file, against which a program path resolves.
    ///   - terminationGrace: Time between SIGTERM and SIGKILL on cancellation.
    /// - Throws: `ConfigError` at the offending value: an empty argv, a placeholder in the program, a bad
    ///   or unknown placeholder, a program that is missing or not executable, a missing `cwd`.
    public init(
        _ config: CommandToolConfig,
        spec: ToolSpec,
        baseDirectory: String,
        terminationGrace: Duration = .seconds(2)
    ) throws(ConfigError) {
        try self.init(config, spec: spec, baseDirectory: baseDirectory, terminationGrace: terminationGrace, programs: ProgramLookup())
    }

    /// As the public initializer, looking bare program names up through `programs` (a registry load
    /// shares one, so that 1,000 tools running `echo` search `PATH` once).
    init(
        _ config: CommandToolConfig,
        spec: ToolSpec,
        baseDirectory: String,
        terminationGrace: Duration = .seconds(2),
        programs: ProgramLookup
    ) throws(ConfigError) {
        guard let program = config.argv.first else {
            throw ConfigError("`argv` must name a program", at: spec.location)
        }
        let known = Set(spec.parameters["properties"]?.objectValue?.keys ?? [])
        for name in config.allowLeadingDash where !known.contains(name) {
            throw ConfigError("`allow_leading_dash` names `\(name)`, which is no parameter of tool '\(spec.name)'\(Self.parameterHint(known))", at: spec.location)
        }
        var templates: [PlaceholderTemplate] = []
        var dashGuards: [Int: String] = [:]
        var afterDoubleDash = false
        for element in config.argv.dropFirst() {
            defer { afterDoubleDash = afterDoubleDash || element.value == "--" }
            let template: PlaceholderTemplate
            do { template = try PlaceholderTemplate(parsing: element.value) } catch {
                throw ConfigError(error.message, at: element.location ?? spec.location)
            }
            for name in template.placeholderNames where !known.contains(name) {
                throw ConfigError(
                    "placeholder `{{\(name)}}` names no parameter of tool '\(spec.name)'\(Self.parameterHint(known))",
                    at: element.location ?? spec.location
                )
            }
            if !afterDoubleDash, case .placeholder(let name)? = template.segments.first, !config.allowLeadingDash.contains(name) {
                dashGuards[templates.count] = name
            }
            templates.append(template)
        }
        self.programPath = try Self.resolveProgram(program, baseDirectory: baseDirectory, fallback: spec.location, programs: programs)
        if let cwd = config.cwd {
            let path = FilePaths.absolute(cwd.value, relativeTo: FilePaths.currentDirectory)
            guard FilePaths.isDirectory(path) else {
                throw ConfigError("working directory '\(cwd.value)' does not exist or is not a directory", at: cwd.location ?? spec.location)
            }
            workingDirectory = path
        } else {
            workingDirectory = nil
        }
        self.environment = Self.childEnvironment(allowlist: config.envAllowlist, fixed: config.env)
        self.config = config
        self.templates = templates
        self.dashGuards = dashGuards
        self.parameters = spec.parameters
        self.maxOutputBytes = spec.policy.maxOutputBytes ?? Self.defaultMaxOutputBytes
        self.terminationGrace = terminationGrace
        ProcessSignals.ignoreBrokenPipe()
    }

    private static func parameterHint(_ known: Set<String>) -> String {
        known.isEmpty ? " (it declares none)" : " (parameters: \(known.sorted().joined(separator: ", ")))"
    }

    private static func resolveProgram(
        _ program: Located<String>,
        baseDirectory: String,
        fallback: SourceLocation?,
        programs: ProgramLookup
    ) throws(ConfigError) -> String {
        let location = program.location ?? fallback
        if (try? PlaceholderTemplate(parsing: program.value))?.hasPlaceholders != false {
            throw ConfigError("the program (first argv element) must be a fixed name or path, not a template", at: location)
        }
        guard !program.value.isEmpty else { throw ConfigError("the program (first argv element) is empty", at: location) }
        if program.value.contains("/") {
            let base = FilePaths.absolute(baseDirectory, relativeTo: FilePaths.currentDirectory)
            let path = FilePaths.absolute(program.value, relativeTo: base)
            guard FilePaths.exists(path) else { throw ConfigError("program '\(program.value)' does not exist (looked at \(path))", at: location) }
            guard FilePaths.isExecutableFile(path) else {
                throw ConfigError("program '\(program.value)' is not an executable file (\(path); try chmod +x)", at: location)
            }
            return path
        }
        guard let path = programs.executable(named: program.value) else {
            throw ConfigError("program '\(program.value)' was not found in PATH", at: location)
        }
        return path
    }

    /// The argv after the program for `arguments` (defaults already applied): elements whose placeholders
    /// all have values, each rendered into exactly one element.
    func renderArguments(_ arguments: JSONValue) -> [String] {
        renderedElements(arguments).map(\.text)
    }

    /// The rendered elements with the index of the template each came from.
    private func renderedElements(_ arguments: JSONValue) -> [(index: Int, text: String)] {
        templates.enumerated().compactMap { index, template in
            template.render { name in arguments[name]?.templateText }.map { (index, $0) }
        }
    }

    /// A refusal for the model when a guarded element would start with `-`, else `nil`.
    func optionInjection(in arguments: JSONValue) -> ToolOutput? {
        for (index, text) in renderedElements(arguments) where text.hasPrefix("-") {
            guard let name = dashGuards[index] else { continue }
            return ToolOutput(
                text: "`\(name)` must not start with `-` (the program would read \(Preview.line(text, limit: 60).debugDescription) as an option)",
                isError: true
            )
        }
        return nil
    }

    public func call(_ arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        try Task.checkCancellation()
        let arguments = JSONSchemaValidator.applyingDefaults(to: arguments, from: parameters)
        if let refusal = optionInjection(in: arguments) { return refusal }
        let argv = renderArguments(arguments)
        if let bad = argv.first(where: { $0.utf8.contains(0) }) {
            return ToolOutput(text: "an argument contains a NUL byte, which cannot be passed to a program: \(bad.prefix(40).debugDescription)", isError: true)
        }
        let stdin = config.stdinArguments ? Array(arguments.jsonString.utf8) + [0x0A] : nil
        let run = try await launch(arguments: argv, standardInput: stdin)
        return output(for: run)
    }

    func output(for run: CommandRun) -> ToolOutput {
        let stdout = run.standardOutput.text.trimmingTrailingWhitespace
        let stdoutNote = run.standardOutput.isTruncated
            ? "\n" + Preview.truncationNote(shown: stdout.utf8.count, of: run.standardOutput.totalCount) : ""
        let stderr = run.standardError.text.trimmingTrailingWhitespace
        let stderrNote = run.standardError.isTruncated
            ? "[stderr truncated: last \(maxOutputBytes) of \(run.standardError.totalCount) bytes]\n" : ""
        // Cut here, with the true sizes in the notes; the dispatcher must not cut again.
        let capped = run.standardOutput.isTruncated || run.standardError.isTruncated
        switch run.termination {
        case .exited(let code) where config.successExitCodes.contains(code):
            var text = stdout.isEmpty ? "(no output)" : stdout
            text += stdoutNote
            if config.includeStderr, !stderr.isEmpty { text += "\n[stderr]\n" + stderrNote + stderr }
            return ToolOutput(text: text, isCapped: capped)
        case .exited(let code):
            var text = "exit code \(code)"
            if !stderr.isEmpty { text += "\n" + stderrNote + stderr }
            if !stdout.isEmpty { text += "\n[stdout]\n" + stdout + stdoutNote }
            return ToolOutput(text: text, isError: true, isCapped: capped)
        case .signaled(let signal):
            var text = "terminated by signal \(signal)\(ProcessSignals.name(of: signal).map { " (\($0))" } ?? "")"
            if !stderr.isEmpty { text += "\n" + stderrNote + stderr }
            return ToolOutput(text: text, isError: true, isCapped: capped)
        }
    }
}
