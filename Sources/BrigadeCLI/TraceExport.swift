import Brigade
import Synchronization

/// The process's OpenTelemetry exporter (docs/traces.md, "OpenTelemetry"): made on first use from
/// the `OTEL_*` environment variables, `nil` when they ask for no export. Its problems are said on
/// stderr once per process (`brigade: …`); they never change a command's exit code.
enum TraceExport {
    private struct State {
        var made = false
        var exporter: OTLPTraceExporter?
        /// How long ``finish()`` waits: ``exitWait``, or the export timeout the environment set.
        var exitWait = TraceExport.exitWait
    }

    private static let state = Mutex(State())

    /// The longest a command waits for its spans to leave before it exits, unless
    /// `OTEL_EXPORTER_OTLP_TIMEOUT` (or its `TRACES_` form) sets the export timeout: then that.
    static let exitWait = Duration.seconds(2)

    /// The exporter for the runs of this process; the first call reads the environment (and takes the
    /// secrets of `workspace`, which are never exported).
    static func exporter(for workspace: Workspace, environment: [String: String] = ProcessEnvironment.current) -> OTLPTraceExporter? {
        state.withLock { state in
            if state.made { return state.exporter }
            state.made = true
            let resolution = OTLPTraceSettings.fromEnvironment(environment)
            for warning in resolution.warnings { say(warning) }
            if let settings = resolution.settings {
                state.exitWait = resolution.timeoutIsFromEnvironment ? settings.timeout : min(exitWait, settings.timeout)
            }
            state.exporter = resolution.settings.map { settings in
                OTLPTraceExporter(settings: settings, httpClient: workspace.httpClient, secrets: workspace.secrets, onFailure: say)
            }
            return state.exporter
        }
    }

    /// Before the process exits: waits at most ``exitWait`` (or the export timeout, if shorter; or
    /// the export timeout the environment set) for the spans still queued, then drops them (said once).
    static func finish() async {
        guard let (exporter, wait) = state.withLock({ state in state.exporter.map { ($0, state.exitWait) } }) else { return }
        await exporter.shutdown(timeout: wait)
    }

    private static func say(_ message: String) {
        Terminal.standardError.write("brigade: " + message + "\n")
    }
}
