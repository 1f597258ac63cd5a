import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The rows `brigade trace` draws: one per span, or — when there are more than the limit — the
/// calls of one tool under one parent as one row (`search ×2500`), and at most `limit` rows.
enum TraceRows {
    struct Row: Hashable {
        /// The span drawn (the first of an aggregated row's), its index in the trace's spans.
        var span: Int
        /// How many spans the row stands for (more than 1 when aggregated).
        var count = 1
        var depth: Int
        var label: String
        /// Seconds from the trace's start.
        var start: Double
        var end: Double
        /// When a call left the queue and ran (seconds from the trace's start).
        var runStart: Double?
        var instant = false
        var critical = false
        var failed = false
        var retry = false
        var live = false
        var note = ""
    }

    struct Rows {
        var shown: [Row]
        var hidden: Int
        var aggregated: Bool
    }

    static func rows(of trace: RunTrace, limit: Int) -> Rows {
        let origin = trace.startedAt
        let aggregate = trace.spans.count > limit
        var rows: [Row] = []
        var skippedUnder: Set<String> = []
        var groups: [String: Int] = [:]
        for (position, span) in trace.spans.enumerated() {
            if let parent = span.parentID, skippedUnder.contains(parent) {
                skippedUnder.insert(span.id)
                continue
            }
            var row = row(span, at: position, trace: trace, origin: origin)
            guard aggregate, span.kind == .toolCall, let parent = span.parentID else {
                rows.append(row)
                continue
            }
            // Its children are summed up in the group's row.
            skippedUnder.insert(span.id)
            let key = parent + "\u{0}" + span.name
            guard let at = groups[key] else {
                groups[key] = rows.count
                row.label = ControlCharacters.escaped(span.name)
                rows.append(row)
                continue
            }
            rows[at].start = min(rows[at].start, row.start)
            rows[at].end = max(rows[at].end, row.end)
            rows[at].runStart = nil
            rows[at].critical = rows[at].critical || row.critical
            rows[at].failed = rows[at].failed || row.failed
            rows[at].live = rows[at].live || row.live
            rows[at].count += 1
        }
        if aggregate {
            for position in rows.indices where trace.spans[rows[position].span].kind == .toolCall {
                rows[position].label += " ×\(rows[position].count)"
                rows[position].note = TraceTimeline.seconds(rows[position].end - rows[position].start)
            }
        }
        let shown = Array(rows.prefix(limit))
        return Rows(shown: shown, hidden: rows.count - shown.count, aggregated: aggregate)
    }

    private static func row(_ span: TraceSpan, at position: Int, trace: RunTrace, origin: Date) -> Row {
        let start = span.start.timeIntervalSince(origin)
        let end = (span.end ?? trace.now).timeIntervalSince(origin)
        var row = Row(span: position, depth: span.depth, label: ControlCharacters.escaped(label(span)), start: start, end: max(start, end))
        row.runStart = span.attributes["queue_s"]?.doubleValue.map { start + $0 }
        row.instant = span.kind == .budget
        row.critical = span.isCritical
        row.failed = span.status.isFailure && span.kind != .retry
        row.retry = span.kind == .retry || (span.attributes["retries"]?.intValue ?? 0) > 0
        row.live = span.end == nil
        var note = row.instant ? "" : TraceTimeline.seconds(span.duration(now: trace.now))
        if span.end == nil { note += " …" } else if row.failed { note += " " + span.status.rawValue }
        row.note = note
        return row
    }

    static func label(_ span: TraceSpan) -> String {
        switch span.kind {
        case .run: span.parentID == nil ? "run" : "sub-agent run" + (span.attributes["model"]?.stringValue.map { " \($0)" } ?? "")
        case .toolCall: span.name + (span.attributes["call_id"]?.stringValue.map { " (\($0))" } ?? "")
        default: span.name
        }
    }
}
