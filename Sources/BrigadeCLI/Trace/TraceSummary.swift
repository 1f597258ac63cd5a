import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The words around a trace, the same in the terminal, the SVG and the page.
enum TraceSummary {
    /// `run ID · 2.60s wall · finished · 1,200 tokens · $0.0009` (and `LIVE` while it goes on).
    static func headline(_ trace: RunTrace) -> String {
        var text = "run \(trace.runID) · \(TraceTimeline.seconds(trace.wallSeconds)) wall"
        let root = trace.spans.first?.attributes ?? [:]
        if let stop = root["stop_reason"]?.stringValue { text += " · \(stop)" }
        if let input = root["input_tokens"]?.intValue, let output = root["output_tokens"]?.intValue {
            text += " · \(input) in + \(output) out tokens"
        }
        if let cost = root["cost_usd"]?.doubleValue, cost > 0 { text += String(printf: " · $%.4f", cost) }
        if trace.isLive { text += " · LIVE: still running, shown so far" }
        return text
    }

    /// `3 model calls, 3 tool calls (1 failed) · sequential 3.45s in 2.60s = speed-up 1.33×`.
    static func speedUp(_ trace: RunTrace) -> String {
        let spans = trace.spans
        let calls = spans.filter { $0.kind == .toolCall }.count
        let models = spans.filter { $0.kind == .modelCall }.count
        let failed = spans.filter { $0.status.isFailure && $0.kind == .toolCall }.count
        var text = "\(Terminal.count(models, "model call")), \(Terminal.count(calls, "tool call"))"
        if failed > 0 { text += " (\(failed) failed)" }
        text += " · sequential \(TraceTimeline.seconds(trace.sequentialSeconds)) in \(TraceTimeline.seconds(trace.wallSeconds)) = speed-up "
        return text + String(printf: "%.2f×", trace.speedUp)
    }

    /// A span's details, one per line: what it is, its times and status, then its attributes.
    static func tooltip(_ span: TraceSpan, row: TraceRows.Row, trace: RunTrace) -> String {
        var lines = ["\(span.kind.rawValue): \(span.name)" + (row.count > 1 ? " (\(row.count) spans)" : "")]
        lines.append("start \(TraceTimeline.seconds(row.start)) · \(TraceTimeline.seconds(row.end - row.start))"
                     + " · \(span.status.rawValue)" + (span.isCritical ? " · critical path" : ""))
        for (key, value) in span.attributes {
            let text = value.stringValue ?? value.jsonString
            lines.append("\(key): \(text)")
        }
        return lines.joined(separator: "\n")
    }
}
