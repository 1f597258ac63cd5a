#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Builds a run's spans from its timed events: the one way a trace is made, for the store's runs
/// (`brigade trace`) and for a live stream (exporters).
///
/// Nesting: run → turn → model call (→ retries) and the turn's tool calls; a sub-agent's child run →
/// under the call that started it (from its `child_run` events); a route's calls → under the route.
/// A model call ends at the event that follows it (`budget_update` when it answered); a turn ends
/// with the last of its spans.
public enum TraceBuilder {
    /// - Parameters:
    ///   - run: the root run.
    ///   - events: its events in order, children's included (as the store keeps them).
    ///   - calls: the root run's stored calls: their arguments and results (cut to 500 characters)
    ///     and full sizes replace the events' 200-character previews.
    ///   - children: what the store knows of child runs (their models, for span names).
    ///   - now: the end of what is still open when the run is live.
    public static func build(
        run: TraceRunInfo, events: [TimedEvent], calls: [StoredToolCall] = [], children: [TraceRunInfo] = [], now: Date = Date()
    ) -> RunTrace {
        var assembly = TraceAssembly(root: run, children: children, calls: calls)
        for event in events { assembly.apply(event) }
        assembly.finish(now: now)
        var spans = assembly.orderedSpans()
        TraceCriticalPath.mark(&spans, now: now)
        return RunTrace(runID: run.id, spans: spans, isLive: run.state == .running && !assembly.rootFinished, now: now)
    }
}

/// The state of one run while its events are read.
struct TraceRunCursor {
    var runID: RunID
    var spanID: String
    var depth: Int
    var model: String?
    var turn = 0
    var turnSpan: String?
    var routeSpan: String?
    /// The open model call: its span index, and when its current attempt began.
    var modelSpan: Int?
    var attemptStart = Date.distantPast
    /// When the open model call's first token arrived.
    var firstToken: Date?
    var retries = 0
    var spent = Spend()
    /// Open and finished calls by call id (the latest of an id).
    var calls: [String: Int] = [:]
    var lastModelSpan: Int?
    var turnsWithCalls: Set<Int> = []

    struct Spend: Equatable {
        var input = 0
        var output = 0
        var usd = 0.0
    }
}

extension TraceRunCursor.Spend {
    init(_ spent: JSONValue?) {
        input = spent?["input_tokens"]?.intValue ?? 0
        output = spent?["output_tokens"]?.intValue ?? 0
        usd = spent?["usd"]?.doubleValue ?? 0
    }
}
