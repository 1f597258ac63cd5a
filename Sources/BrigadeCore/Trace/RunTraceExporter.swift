/// Where an agent sends each finished top-level run for export (``Agent/Configuration/traceExporter``).
///
/// BrigadeTelemetry's `OTLPTraceExporter` (OpenTelemetry over HTTP, docs/traces.md) is the implementation
/// the CLI uses; the core only hands the run over. `export(building:)` is called once per run, after the
/// run finished; it must never wait and never fail the run. `trace` builds the run's ``RunTrace`` from
/// its recorded events: call it off the run's path (the OTLP exporter calls it on its export task).
public protocol RunTraceExporter: Sendable {
    func export(building trace: @escaping @Sendable () -> RunTrace)
}
