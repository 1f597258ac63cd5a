import BrigadeCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension RunTrace {
    /// The spans as OTLP JSON `Span`s, named and attributed after the OpenTelemetry GenAI semantic
    /// conventions (docs/traces.md, "OpenTelemetry"):
    ///
    /// | span | OTLP name | kind | attributes |
    /// |---|---|---|---|
    /// | run | `invoke_agent brigade` (a sub-agent: `invoke_agent TOOL`) | internal | `gen_ai.operation.name` `invoke_agent`, `gen_ai.agent.name`, provider, model, usage, `gen_ai.conversation.id` |
    /// | model call | `chat MODEL` | client | `gen_ai.operation.name` `chat`, `gen_ai.provider.name`, `gen_ai.request.model`, `gen_ai.response.model`, `gen_ai.usage.*` |
    /// | tool call | `execute_tool TOOL` | internal | `gen_ai.operation.name` `execute_tool`, `gen_ai.tool.name`, `gen_ai.tool.call.id`, `gen_ai.tool.type` |
    /// | turn, retry, route, budget | as in the trace | internal | `brigade.*` |
    ///
    /// Brigade's own facts go under `brigade.*` (cost, queue wait, run time, stop reason, time to first
    /// token, retries, critical path). Failures get status error and `error.type`. Prompts, arguments
    /// and results are left out unless `capturingContent` (then cut to ``contentLimit`` characters);
    /// every string goes through `redactor` first.
    func otlpSpans(capturingContent: Bool, redactor: SecretRedactor = SecretRedactor(secrets: [])) -> [JSONValue] {
        let traceID = OTLPTraceRequest.traceID(for: runID.rawValue)
        let byID = Dictionary(spans.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let conversationID = spans.first?.attributes["conversation_id"]?.stringValue
        return spans.map { span in
            var mapping = OTLPSpanMapping(span: span, capturingContent: capturingContent, redactor: redactor)
            mapping.conversationID = conversationID
            mapping.parentTool = span.parentID.flatMap { byID[$0] }?.attributes["tool"]?.stringValue
            mapping.inheritedModel = Self.nearestModel(above: span, in: byID)
            let (name, kind, attributes) = mapping.describe()
            let failed = span.status.isFailure
            return OTLPTraceRequest.span(
                traceID: traceID, spanID: OTLPTraceRequest.spanID(for: span.id), parentSpanID: span.parentID.map(OTLPTraceRequest.spanID(for:)),
                name: name, kind: kind, start: span.start.timeIntervalSince1970, end: (span.end ?? now).timeIntervalSince1970,
                attributes: attributes, status: failed ? .error : .unset,
                statusMessage: failed ? mapping.clean(span.attributes["error"]?.stringValue ?? span.status.rawValue) : nil)
        }
    }

    /// The model of the closest enclosing span that names one: a sub-agent's model is not in the
    /// events of a live run, so its spans are labelled with the model of the run that started it.
    private static func nearestModel(above span: TraceSpan, in byID: [String: TraceSpan]) -> String? {
        var parentID = span.parentID
        while let id = parentID, let parent = byID[id] {
            if let model = parent.attributes["model"]?.stringValue { return model }
            parentID = parent.parentID
        }
        return nil
    }

    /// The most characters of a prompt, arguments or a result exported with content capture on.
    static let contentLimit = 1000
}

/// One ``TraceSpan`` in the words of the GenAI semantic conventions.
struct OTLPSpanMapping {
    let span: TraceSpan
    let capturingContent: Bool
    let redactor: SecretRedactor
    var conversationID: String?
    /// The tool of the call that started this span's run (a sub-agent's name).
    var parentTool: String?
    /// The model of the closest enclosing span that names one, for spans that name none.
    var inheritedModel: String?

    init(span: TraceSpan, capturingContent: Bool, redactor: SecretRedactor) {
        self.span = span
        self.capturingContent = capturingContent
        self.redactor = redactor
    }

    func clean(_ text: String) -> String { redactor.isEmpty ? text : redactor.redact(text) }

    /// The OTLP span's name, kind and attributes.
    func describe() -> (String, OTLPTraceRequest.Kind, [OTLPAttribute]) {
        var attributes: [OTLPAttribute] = []
        let name: String
        let kind: OTLPTraceRequest.Kind
        switch span.kind {
        case .run:
            let agent = parentTool ?? "brigade"
            name = "invoke_agent " + agent
            kind = .internal
            attributes += [OTLPAttribute("gen_ai.operation.name", "invoke_agent"), OTLPAttribute("gen_ai.agent.name", agent)]
            attributes += model(request: text("model") ?? inheritedModel, response: nil)
            attributes += conversation()
            attributes += usage()
            attributes += brigade([("run.id", .string(span.runID.rawValue)), ("stop_reason", text("stop_reason").map(OTLPAttribute.Value.string)),
                                   ("fallback_reason", text("fallback_reason").map { .string(clean($0)) }),
                                   ("parent_call_id", text("parent_call_id").map(OTLPAttribute.Value.string))])
            if capturingContent, let prompt = text("prompt") { attributes.append(OTLPAttribute("brigade.prompt", content(prompt))) }
        case .modelCall:
            let requested = text("model") ?? inheritedModel
            name = "chat" + (requested.map { " " + ProviderModel($0).model } ?? "")
            kind = .client
            attributes.append(OTLPAttribute("gen_ai.operation.name", "chat"))
            attributes += model(request: requested, response: text("switched_to") ?? requested)
            attributes += conversation()
            attributes += usage()
            attributes += brigade([("turn", integer("turn")), ("ttft_s", double("ttft_s")), ("retries", integer("retries")),
                                   ("rate_limit_wait_s", double("rate_limit_wait_s")),
                                   ("synthesis", span.attributes["synthesis"]?.boolValue.map(OTLPAttribute.Value.bool))])
        case .toolCall:
            let tool = text("tool") ?? span.name
            name = "execute_tool " + tool
            kind = .internal
            attributes += [OTLPAttribute("gen_ai.operation.name", "execute_tool"), OTLPAttribute("gen_ai.tool.name", tool),
                           OTLPAttribute("gen_ai.tool.type", "function")]
            if let callID = text("call_id") { attributes.append(OTLPAttribute("gen_ai.tool.call.id", callID)) }
            attributes += conversation()
            attributes += brigade([("tool.status", .string(span.status.rawValue)), ("turn", integer("turn")),
                                   ("queue_wait_s", double("queue_s")), ("run_s", double("run_s")), ("result_bytes", integer("result_bytes"))])
            if capturingContent {
                if let arguments = text("arguments") { attributes.append(OTLPAttribute("gen_ai.tool.call.arguments", content(arguments))) }
                if let output = text("output") { attributes.append(OTLPAttribute("gen_ai.tool.call.result", content(output))) }
            }
        case .retry:
            name = "chat attempt failed"
            kind = .internal
            attributes += brigade([("retry.attempt", integer("attempt")), ("retry.delay_s", double("delay_s")),
                                   ("retry.http_status", integer("http_status"))])
        case .turn:
            name = span.name
            kind = .internal
            attributes += brigade([("turn", integer("turn"))])
        case .route:
            name = span.name
            kind = .internal
            attributes += brigade([("route.name", text("route").map(OTLPAttribute.Value.string)),
                                   ("route.reason", text("reason").map { .string(clean($0)) })])
        case .budget:
            name = span.name
            kind = .internal
            attributes += brigade([("budget.limit", text("limit").map(OTLPAttribute.Value.string))])
        }
        if span.isCritical { attributes.append(OTLPAttribute("brigade.critical_path", true)) }
        if span.status.isFailure { attributes.append(OTLPAttribute("error.type", errorType)) }
        return (name, kind, attributes)
    }

    /// `http_status` for a failed attempt (`429`, `503`), else the status (`timeout`, `denied`, `error`, …).
    private var errorType: String {
        if let status = span.attributes["http_status"]?.intValue { return String(status) }
        return span.status.rawValue
    }

    private func text(_ key: String) -> String? { span.attributes[key]?.stringValue }
    private func integer(_ key: String) -> OTLPAttribute.Value? { span.attributes[key]?.intValue.map(OTLPAttribute.Value.int) }
    private func double(_ key: String) -> OTLPAttribute.Value? { span.attributes[key]?.doubleValue.map(OTLPAttribute.Value.double) }
    private func content(_ text: String) -> String {
        let cleaned = clean(text)
        return cleaned.count <= RunTrace.contentLimit ? cleaned : String(cleaned.prefix(RunTrace.contentLimit)) + "…"
    }

    private func model(request: String?, response: String?) -> [OTLPAttribute] {
        guard let request = request.map(ProviderModel.init) else { return [] }
        var attributes = [OTLPAttribute("gen_ai.provider.name", request.provider), OTLPAttribute("gen_ai.request.model", request.model)]
        if let response = response.map(ProviderModel.init) { attributes.append(OTLPAttribute("gen_ai.response.model", response.model)) }
        return attributes
    }

    private func conversation() -> [OTLPAttribute] {
        conversationID.map { [OTLPAttribute("gen_ai.conversation.id", $0)] } ?? []
    }

    private func usage() -> [OTLPAttribute] {
        var attributes: [OTLPAttribute] = []
        if let input = span.attributes["input_tokens"]?.intValue { attributes.append(OTLPAttribute("gen_ai.usage.input_tokens", input)) }
        if let output = span.attributes["output_tokens"]?.intValue { attributes.append(OTLPAttribute("gen_ai.usage.output_tokens", output)) }
        if let cost = span.attributes["cost_usd"]?.doubleValue { attributes.append(OTLPAttribute("brigade.cost_usd", cost)) }
        return attributes
    }

    private func brigade(_ pairs: [(String, OTLPAttribute.Value?)]) -> [OTLPAttribute] {
        pairs.compactMap { key, value in value.map { OTLPAttribute("brigade." + key, $0) } }
    }
}

/// `openai:gpt-4o` → provider `openai`, model `gpt-4o` (Brigade's display names); a name without a
/// known provider prefix is the model, with provider `_OTHER`.
struct ProviderModel {
    var provider: String
    var model: String

    init(_ displayName: String) {
        for provider in ["openai", "anthropic"] where displayName.hasPrefix(provider + ":") {
            self.provider = provider
            model = String(displayName.dropFirst(provider.count + 1))
            return
        }
        provider = "_OTHER"
        model = displayName
    }
}

extension OTLPTraceExporter: RunTraceExporter {
    /// Queues the spans of a finished run for export. Never waits: the spans are made by the export task.
    public func export(_ trace: RunTrace) {
        let capturesContent = settings.capturesContent, redactor = redactor
        enqueue(run: PendingRun { trace.otlpSpans(capturingContent: capturesContent, redactor: redactor) })
    }

    /// Queues a finished run whose trace `trace` builds; the export task builds it (``RunTraceExporter``).
    public func export(building trace: @escaping @Sendable () -> RunTrace) {
        let capturesContent = settings.capturesContent, redactor = redactor
        enqueue(run: PendingRun { trace().otlpSpans(capturingContent: capturesContent, redactor: redactor) })
    }
}
