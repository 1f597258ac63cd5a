#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// ``TraceBuilder``'s working state: the spans so far and a cursor per run.
struct TraceAssembly {
    let root: TraceRunInfo
    let childModels: [String: String]
    let storedCalls: [String: StoredToolCall]
    private(set) var spans: [TraceSpan] = []
    private var index: [String: Int] = [:]
    private var runs: [String: TraceRunCursor] = [:]
    private var lastEventAt: Date
    private(set) var rootFinished = false

    init(root: TraceRunInfo, children: [TraceRunInfo], calls: [StoredToolCall]) {
        self.root = root
        childModels = Dictionary(children.compactMap { child in child.model.map { (child.id.rawValue, $0) } }, uniquingKeysWith: { a, _ in a })
        storedCalls = Dictionary(calls.map { ("\($0.turn)/\($0.callID)", $0) }, uniquingKeysWith: { _, b in b })
        lastEventAt = root.startedAt
        var attributes: JSONObject = ["prompt": .string(Preview.line(root.prompt, limit: 500))]
        if let model = root.model { attributes["model"] = .string(model) }
        if let conversation = root.conversationID { attributes["conversation_id"] = .string(conversation) }
        let id = root.id.rawValue
        _ = add(TraceSpan(id: id, parentID: nil, runID: root.id, kind: .run, name: "run", start: root.startedAt, end: nil,
                          status: .running, depth: 0, attributes: attributes))
        runs[id] = TraceRunCursor(runID: root.id, spanID: id, depth: 0, model: root.model)
    }

    mutating func apply(_ event: TimedEvent) {
        let json = event.json
        guard let type = json["type"]?.stringValue else { return }
        let t = event.at
        lastEventAt = max(lastEventAt, t)
        let runKey = json["run_id"]?.stringValue ?? root.id.rawValue
        // Taken out while it changes, so that its dictionaries are not copied on every event.
        guard var run = runs.removeValue(forKey: runKey) ?? openChildRun(json, at: t) else { return }
        switch type {
        case "turn_started": startTurn(&run, turn: json["turn"]?.intValue ?? run.turn + 1, at: t, firstToken: event.firstTokenAt)
        case "text_delta": if run.modelSpan != nil, run.firstToken == nil { run.firstToken = t }
        case "model_retry": retry(&run, json, at: t)
        case "model_switch":
            run.model = json["to"]?.stringValue ?? run.model
            if let model = run.modelSpan { spans[model].attributes["switched_to"] = json["to"] }
        case "rate_limit_wait":
            if let model = run.modelSpan { spans[model].attributes["rate_limit_wait_s"] = json["delay_s"] }
        case "budget_update":
            closeModel(&run, at: t, status: .ok, spent: TraceRunCursor.Spend(json["spent"]))
            if run.turnSpan == nil, let route = run.routeSpan { close(route, at: t) }
        case "route_matched": openRoute(&run, json, at: t)
        case "tool_call_queued", "tool_call_started", "tool_call_finished": toolCall(&run, type: type, json, at: t)
        case "fallback_used":
            closeModel(&run, at: t, status: .error, spent: nil)
            spans[index[run.spanID]!].attributes["fallback_reason"] = json["reason"]
        case "finished", "child_finished": finishRun(&run, json, at: t)
        default: break
        }
        runs[runKey] = run
    }

    /// The first event of a child run: its span, under the call that started it.
    private mutating func openChildRun(_ json: JSONValue, at t: Date) -> TraceRunCursor? {
        guard let id = json["run_id"]?.stringValue, let runID = RunID(rawValue: id),
              let parentKey = json["parent_run_id"]?.stringValue, let parent = runs[parentKey] else { return nil }
        let callID = json["parent_call_id"]?.stringValue
        let parentSpan = callID.flatMap { parent.calls[$0] }.map { spans[$0].id } ?? parent.spanID
        let depth = spans[index[parentSpan]!].depth + 1
        var attributes: JSONObject = [:]
        if let callID { attributes["parent_call_id"] = .string(callID) }
        let model = childModels[id]
        if let model { attributes["model"] = .string(model) }
        _ = add(TraceSpan(id: id, parentID: parentSpan, runID: runID, kind: .run, name: "sub-agent run", start: t, end: nil,
                          status: .running, depth: depth, attributes: attributes))
        return TraceRunCursor(runID: runID, spanID: id, depth: depth, model: model)
    }

    private mutating func startTurn(_ run: inout TraceRunCursor, turn: Int, at t: Date, firstToken: Date?) {
        closeModel(&run, at: t, status: .error, spent: nil)
        closeTurn(&run, at: t)
        run.turn = turn
        let turnID = unique("\(run.runID.rawValue)/turn/\(turn)")
        _ = add(TraceSpan(id: turnID, parentID: run.spanID, runID: run.runID, kind: .turn, name: "turn \(turn)", start: t, end: nil,
                          status: .running, depth: run.depth + 1, attributes: ["turn": .integer(turn)]))
        run.turnSpan = turnID
        var attributes: JSONObject = ["turn": .integer(turn)]
        if let model = run.model { attributes["model"] = .string(model) }
        let model = add(TraceSpan(id: unique("\(run.runID.rawValue)/model/\(turn)"), parentID: turnID, runID: run.runID, kind: .modelCall,
                                  name: "model" + (run.model.map { " \($0)" } ?? ""), start: t, end: nil, status: .running,
                                  depth: run.depth + 2, attributes: attributes))
        run.modelSpan = model
        run.lastModelSpan = model
        run.attemptStart = t
        run.firstToken = firstToken
        run.retries = 0
    }

    private mutating func retry(_ run: inout TraceRunCursor, _ json: JSONValue, at t: Date) {
        guard let model = run.modelSpan else { return }
        run.retries += 1
        let attempt = json["attempt"]?.intValue ?? run.retries
        let delay = json["delay_s"]?.doubleValue ?? 0
        var attributes: JSONObject = ["attempt": .integer(attempt), "delay_s": .number(delay)]
        if let message = json["message"]?.stringValue { attributes["error"] = .string(Preview.line(message)) }
        if let status = json["status"], !status.isNull { attributes["http_status"] = status }
        _ = add(TraceSpan(id: unique(spans[model].id + "/retry/\(attempt)"), parentID: spans[model].id, runID: run.runID, kind: .retry,
                          name: "attempt \(attempt) failed", start: run.attemptStart, end: t, status: .error,
                          depth: spans[model].depth + 1, attributes: attributes))
        spans[model].attributes["retries"] = .integer(run.retries)
        run.attemptStart = t.addingTimeInterval(delay)
    }

    private mutating func closeModel(_ run: inout TraceRunCursor, at t: Date, status: TraceSpan.Status, spent: TraceRunCursor.Spend?) {
        if let spent {
            if let model = run.modelSpan {
                spans[model].attributes["input_tokens"] = .integer(spent.input - run.spent.input)
                spans[model].attributes["output_tokens"] = .integer(spent.output - run.spent.output)
                spans[model].attributes["cost_usd"] = .number(spent.usd - run.spent.usd)
            }
            run.spent = spent
        }
        guard let model = run.modelSpan else { return }
        spans[model].end = t
        spans[model].status = status
        // Time to first token of the attempt that answered (after the retries' waits).
        if let firstToken = run.firstToken {
            spans[model].attributes["ttft_s"] = .number(TraceSpan.rounded(max(0, firstToken.timeIntervalSince(run.attemptStart))))
        }
        run.firstToken = nil
        run.modelSpan = nil
    }

    private mutating func closeTurn(_ run: inout TraceRunCursor, at t: Date) {
        guard let turn = run.turnSpan else { return }
        close(turn, at: t)
        run.turnSpan = nil
    }

    /// Ends an open span with the last of its children (or `t` without any).
    private mutating func close(_ id: String, at t: Date) {
        guard let position = index[id], spans[position].end == nil else { return }
        let ends = spans.lazy.filter { $0.parentID == id }.map { $0.end ?? t }
        spans[position].end = ends.max() ?? t
        if spans[position].status == .running {
            spans[position].status = spans.contains { $0.parentID == id && $0.status == .running } ? .running : .ok
        }
    }

    private mutating func openRoute(_ run: inout TraceRunCursor, _ json: JSONValue, at t: Date) {
        let route = json["route"]?.stringValue ?? "route"
        var attributes: JSONObject = ["route": .string(route)]
        if let reason = json["reason"] { attributes["reason"] = reason }
        let id = unique(run.runID.rawValue + "/route")
        _ = add(TraceSpan(id: id, parentID: run.spanID, runID: run.runID, kind: .route, name: "route " + route, start: t, end: nil,
                          status: .running, depth: run.depth + 1, attributes: attributes))
        run.routeSpan = id
    }

    private mutating func toolCall(_ run: inout TraceRunCursor, type: String, _ json: JSONValue, at t: Date) {
        let callID = json["id"]?.stringValue ?? "?"
        let existing = run.calls[callID].flatMap { spans[$0].end == nil ? $0 : nil }
        let position: Int
        if let existing {
            position = existing
        } else {
            if run.modelSpan != nil { closeModel(&run, at: t, status: .ok, spent: nil) }
            let parent = run.turnSpan ?? run.routeSpan ?? run.spanID
            run.turnsWithCalls.insert(run.turn)
            let tool = json["tool"]?.stringValue ?? "?"
            var attributes: JSONObject = ["call_id": .string(callID), "tool": .string(tool), "turn": .integer(run.turn)]
            attributes["arguments"] = json["arguments_preview"]
            let start = type == "tool_call_finished" ? t.addingTimeInterval(-(json["duration_s"]?.doubleValue ?? 0)) : t
            position = add(TraceSpan(id: unique("\(run.runID.rawValue)/call/\(run.turn)/\(callID)"), parentID: parent, runID: run.runID,
                                     kind: .toolCall, name: tool, start: start, end: nil, status: .running,
                                     depth: spans[index[parent]!].depth + 1, attributes: attributes))
            run.calls[callID] = position
        }
        switch type {
        case "tool_call_started":
            spans[position].attributes["queue_s"] = .number(TraceSpan.rounded(t.timeIntervalSince(spans[position].start)))
        case "tool_call_finished":
            spans[position].end = t
            spans[position].status = TraceSpan.Status(rawValue: json["status"]?.stringValue ?? "error") ?? .error
            spans[position].attributes["run_s"] = json["duration_s"]
            spans[position].attributes["output"] = json["output_preview"]
            if run.runID == root.id, let stored = storedCalls["\(run.turn)/\(callID)"] {
                spans[position].attributes["arguments"] = .string(Preview.line(stored.arguments, limit: 500))
                spans[position].attributes["output"] = .string(Preview.line(stored.result, limit: 500))
                spans[position].attributes["result_bytes"] = .integer(stored.resultBytes)
            }
        default: break
        }
    }

    private mutating func finishRun(_ run: inout TraceRunCursor, _ json: JSONValue, at t: Date) {
        let stop = json["stop_reason"]?.stringValue ?? "finished"
        closeModel(&run, at: t, status: stop == "cancelled" ? .cancelled : .error, spent: nil)
        closeTurn(&run, at: t)
        if let route = run.routeSpan { close(route, at: t) }
        let position = index[run.spanID]!
        spans[position].end = t
        spans[position].status = Self.status(ofStop: stop)
        spans[position].attributes["stop_reason"] = .string(stop)
        spans[position].attributes["input_tokens"] = json["usage"]?["input_tokens"]
        spans[position].attributes["output_tokens"] = json["usage"]?["output_tokens"]
        spans[position].attributes["cost_usd"] = json["cost_usd"]
        if run.runID == root.id { rootFinished = true }
        guard stop.hasPrefix("budget_") || stop == "max_turns" else { return }
        // The budget stopped the run: its last model call, made with tools off, was the synthesis.
        var at = t
        if let last = run.lastModelSpan, !run.turnsWithCalls.contains(spans[last].attributes["turn"]?.intValue ?? -1), spans[last].start > spans[position].start {
            spans[last].name = "synthesis"
            spans[last].attributes["synthesis"] = true
            at = spans[last].start
        }
        _ = add(TraceSpan(id: unique(run.runID.rawValue + "/budget"), parentID: run.spanID, runID: run.runID, kind: .budget,
                          name: "budget: " + stop, start: at, end: at, status: .ok, depth: run.depth + 1, attributes: ["limit": .string(stop)]))
    }

    static func status(ofStop stop: String) -> TraceSpan.Status {
        switch stop {
        case "cancelled": .cancelled
        case "awaiting_approval": .awaitingApproval
        case "model_unavailable", "route_failed", "error", "invalid_answer", "no_route": .error
        default: .ok
        }
    }

    /// Spans still open: live, they stay open (`running`); otherwise they end at the run's last
    /// event — `interrupted` when its process died.
    mutating func finish(now: Date) {
        guard root.state != .running || rootFinished else { return }
        for position in spans.indices where spans[position].end == nil {
            spans[position].end = max(lastEventAt, spans[position].start)
            spans[position].status = root.state == .interrupted ? .interrupted : .ok
        }
    }

    private mutating func add(_ span: TraceSpan) -> Int {
        index[span.id] = spans.count
        spans.append(span)
        return spans.count - 1
    }

    private func unique(_ id: String) -> String {
        guard index[id] != nil else { return id }
        var n = 2
        while index["\(id)#\(n)"] != nil { n += 1 }
        return "\(id)#\(n)"
    }

    /// Depth-first, each parent before its children, siblings by start.
    func orderedSpans() -> [TraceSpan] {
        var children: [String: [Int]] = [:]
        for (position, span) in spans.enumerated() { if let parent = span.parentID { children[parent, default: []].append(position) } }
        var ordered: [TraceSpan] = []
        ordered.reserveCapacity(spans.count)
        var stack = [0]
        while let position = stack.popLast() {
            ordered.append(spans[position])
            let kids = (children[spans[position].id] ?? []).sorted { (spans[$0].start, $0) < (spans[$1].start, $1) }
            stack.append(contentsOf: kids.reversed())
        }
        return ordered
    }
}
