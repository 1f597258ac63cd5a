import BrigadeCore
import BrigadeSync
import CurlHTTP

/// Sends spans to an OpenTelemetry collector over OTLP/HTTP with JSON bodies, in the background.
///
/// `enqueue(_:)` never waits: spans go into a bounded queue (`OTLPExportQueue`) and one export
/// task POSTs them in batches. Nothing here can block or fail a run: a collector that is unreachable,
/// slow, or answers with an error gets its spans dropped, and `onFailure` is told once per exporter
/// (the CLI makes one per process) — later failures are silent.
///
/// A short-lived process calls ``shutdown(timeout:)`` before it exits: it waits at most that long for
/// the queue to drain, then abandons what is left (and says so through `onFailure`, once).
public final class OTLPTraceExporter: Sendable {
    /// Where the spans go and what is sent with them.
    public let settings: OTLPTraceSettings
    /// Redacts secrets from every exported string.
    let redactor: SecretRedactor
    private let state: LockedState<OTLPExportQueue<PendingRun>>
    private let onFailure: @Sendable (String) -> Void
    private let worker: Task<Void, Never>

    /// Starts the export task.
    /// - Parameters:
    ///   - settings: endpoint, headers, timeout and resource (``OTLPTraceSettings/fromEnvironment(_:)``).
    ///   - httpClient: the client the exports go through; default the shared one.
    ///   - capacity: the most spans waiting at once; more are dropped. Default 4096.
    ///   - maxBatch: the most spans in one request. Default 512.
    ///   - secrets: values never exported: any piece of them in a prompt, an error or a preview is
    ///     redacted, as in the run store (``Workspace/secrets``).
    ///   - onFailure: told the first time spans are dropped, with why (the endpoint and the error).
    public init(
        settings: OTLPTraceSettings,
        httpClient: HTTPClient = .shared,
        capacity: Int = 4096,
        maxBatch: Int = 512,
        secrets: [String] = [],
        onFailure: @escaping @Sendable (String) -> Void
    ) {
        let state = LockedState(OTLPExportQueue<PendingRun>(capacity: capacity, maxBatch: maxBatch))
        let report: @Sendable (String) -> Void = { message in
            if state.withLock({ $0.claimFailureReport() }) { onFailure(message) }
        }
        self.settings = settings
        // The headers' values (collector tokens) are never exported either.
        self.redactor = SecretRedactor(secrets: secrets + settings.headers.fields.map(\.value))
        self.state = state
        self.onFailure = report
        // The export task holds the queue, not the exporter, so dropping the exporter ends it (deinit).
        worker = Task {
            await Self.exportLoop(state: state, settings: settings, httpClient: httpClient, report: report)
        }
    }

    deinit {
        worker.cancel()
    }

    /// A finished run whose spans are made by the export task (so that a large trace costs the run nothing).
    struct PendingRun: Sendable {
        let spans: @Sendable () -> [JSONValue]
    }

    /// Queues spans (JSON `Span` objects, see ``OTLPTraceRequest``) for export; never waits. Spans that
    /// do not fit are dropped, and the first drop is reported.
    func enqueue(_ spans: [JSONValue]) {
        guard !spans.isEmpty else { return }
        let dropped = state.withLock { $0.enqueue(spans) }
        if dropped > 0 { onFailure(Self.queueFull(settings, dropped: dropped)) }
    }

    /// Queues a finished run; its spans are made later by the export task. Never waits.
    func enqueue(run: PendingRun) {
        if !state.withLock({ $0.enqueue(run: run) }) {
            onFailure("traces are not exported to \(settings.displayURL): too many runs are waiting for export (a run's spans were dropped)")
        }
    }

    private static func queueFull(_ settings: OTLPTraceSettings, dropped: Int) -> String {
        "traces are not exported to \(settings.displayURL): the export queue is full (\(dropped) spans dropped; the collector is slower than the runs)"
    }

    /// Waits until every queued span was sent (or dropped), at most `timeout`.
    /// - Returns: `true` when the queue drained in time.
    public func flush(timeout: Duration) async -> Bool {
        let state = self.state
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await state.wait(until: { $0.isIdle })) != nil }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Stops accepting spans, waits at most `timeout` for those queued to be sent, then ends the export
    /// task (cancelling a request still in flight). Spans left are dropped and reported.
    public func shutdown(timeout: Duration) async {
        state.withLock { $0.close() }
        if await flush(timeout: timeout) == false {
            let left = state.withLock { $0.leftOver }
            let runs = left.runs > 0 ? " and \(left.runs) run\(left.runs == 1 ? "" : "s")" : ""
            onFailure("traces are not exported to \(settings.displayURL): the collector did not answer within \(timeout.plainSecondsText) s (\(left.spans) spans\(runs) dropped)")
        }
        worker.cancel()
    }

    private static func exportLoop(
        state: LockedState<OTLPExportQueue<PendingRun>>, settings: OTLPTraceSettings, httpClient: HTTPClient, report: @Sendable (String) -> Void
    ) async {
        while true {
            guard let step = try? await state.wait(for: { $0.nextStep() }) else { return }
            switch step {
            case .stop:
                return
            case .build(let run):
                // Each failure is reported before the queue says the work is done: a process that
                // exits once the queue is idle (the CLI) has said it by then.
                let spans = run.spans()
                let dropped = state.withLock { $0.enqueue(spans) }
                if dropped > 0 { report(queueFull(settings, dropped: dropped)) }
                state.withLock { $0.runBuilt() }
            case .send(let spans):
                let failure = await send(spans, settings: settings, httpClient: httpClient)
                if let failure, !Task.isCancelled {
                    report("traces are not exported to \(settings.displayURL): \(failure) (\(spans.count) spans dropped; later failures are not reported)")
                }
                state.withLock { $0.batchFinished() }
            }
        }
    }

    /// POSTs one batch. - Returns: why it was not accepted, or `nil`.
    private static func send(_ spans: [JSONValue], settings: OTLPTraceSettings, httpClient: HTTPClient) async -> String? {
        var headers = settings.headers
        headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        let body = OTLPTraceRequest.body(spans: spans, resource: settings.resource).jsonString
        let request = HTTPRequest(
            method: "POST", url: settings.url, headers: headers, body: Array(body.utf8),
            timeouts: .init(connect: min(settings.timeout, .seconds(10)), idle: settings.timeout, total: settings.timeout))
        let response: HTTPResponse
        do {
            response = try await httpClient.send(request, maxBodyBytes: 1 << 20)
        } catch {
            return error.description
        }
        guard (200..<300).contains(response.status) else {
            let text = ControlCharacters.escaped(String(response.bodyText.prefix(200)), lineBreaks: .spaces)
            return "the collector answered HTTP \(response.status)" + (text.isEmpty ? "" : ": \(text)")
        }
        // A 2xx may still reject some spans (ExportTracePartialSuccess).
        if let answer = try? JSONValue(parsing: response.bodyText), let partial = answer["partialSuccess"],
           let rejected = partial["rejectedSpans"].flatMap(Self.integer), rejected > 0 {
            let message = partial["errorMessage"]?.stringValue.map { ": \($0)" } ?? ""
            return "the collector rejected \(rejected) spans\(message)"
        }
        return nil
    }

    /// An int64 of the JSON mapping: a decimal string, or a number.
    private static func integer(_ value: JSONValue) -> Int? {
        value.intValue ?? value.stringValue.flatMap { Int($0) }
    }
}
