#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// The events of one top-level run as they are emitted, for its trace once it finishes (the
/// exporter's path: it works with the store off, and uses the same ``TraceBuilder`` as `brigade trace`).
///
/// Text deltas are kept only where the builder needs them: the first one after each model call's
/// start (its time to first token), per run — the rest of the answer's text is not held.
final class RunTraceLog: Sendable {
    private struct State {
        var events: [TimedEvent] = []
        /// Runs (this one, its children) whose model call has started and sent no text yet.
        var awaitingFirstToken: Set<String> = []
    }

    let run: TraceRunInfo
    private let state = Mutex(State())

    init(run: TraceRunInfo) {
        self.run = run
    }

    /// Keeps `event`, stamped `at` (seconds since 1970).
    func append(_ event: AgentEvent, at: Double) {
        let line = RunEvent(runID: run.id, parentRunID: nil, event: event)
        let (eventRunID, inner) = Self.origin(of: event, runID: run.id)
        state.withLock { state in
            switch inner {
            case .textDelta:
                guard state.awaitingFirstToken.remove(eventRunID.rawValue) != nil else { return }
            case .turnStarted:
                state.awaitingFirstToken.insert(eventRunID.rawValue)
            default:
                break
            }
            state.events.append(TimedEvent(line, at: Date(timeIntervalSince1970: at)))
        }
    }

    /// The run's trace from what was kept.
    func trace(now: Date = Date()) -> RunTrace {
        TraceBuilder.build(run: run, events: state.withLock { $0.events }, now: now)
    }

    /// The run an event is about (this one, or the child it was forwarded from) and the event itself.
    private static func origin(of event: AgentEvent, runID: RunID) -> (RunID, AgentEvent) {
        if case .childRun(let child) = event { return origin(of: child.event.event, runID: child.event.runID) }
        return (runID, event)
    }
}
