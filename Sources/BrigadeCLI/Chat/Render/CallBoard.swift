import Brigade

/// The tool calls of one batch (a model turn's calls, or a router's fan-out) as the live display sees
/// them: queued, running, finished. A pure state machine fed with events and the time they arrived.
struct CallBoard: Sendable, Hashable {
    struct Entry: Sendable, Hashable {
        var id: String
        var toolName: String
        /// The arguments shortened for one line (see ``ArgumentSummary``).
        var arguments: String
        var queuedAt: ContinuousClock.Instant
        var startedAt: ContinuousClock.Instant?
        var finished: Finished?

        struct Finished: Sendable, Hashable {
            var status: ToolCallStatus
            /// How long the executor ran.
            var duration: Duration
            var at: ContinuousClock.Instant
        }
    }

    private(set) var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }
    /// Every call of the batch has finished (and there is at least one).
    var isSettled: Bool { !entries.isEmpty && entries.allSatisfy { $0.finished != nil } }
    var hasUnfinished: Bool { entries.contains { $0.finished == nil } }

    mutating func queue(_ call: ToolCallInfo, at now: ContinuousClock.Instant) {
        guard index(of: call.id) == nil else { return }
        let name = ControlCharacters.escaped(call.toolName)
        entries.append(Entry(id: call.id, toolName: name, arguments: ArgumentSummary.short(call.argumentsPreview), queuedAt: now))
    }

    mutating func start(_ call: ToolCallInfo, at now: ContinuousClock.Instant) {
        if index(of: call.id) == nil { queue(call, at: now) }
        guard let index = index(of: call.id) else { return }
        entries[index].startedAt = now
    }

    mutating func finish(_ outcome: ToolCallOutcome, at now: ContinuousClock.Instant) {
        if index(of: outcome.call.id) == nil { queue(outcome.call, at: now) }
        guard let index = index(of: outcome.call.id) else { return }
        entries[index].finished = Entry.Finished(status: outcome.status, duration: outcome.duration, at: now)
    }

    /// The batch's totals: calls, wall time from the first queued to the last finished, and the
    /// executors' durations added up (what running them one after another would have taken).
    var summary: CallSummary {
        let first = entries.map(\.queuedAt).min()
        // A closure, not the key path `\.finished?.at`: the standard library projects a key path
        // through an optional chain with a memcpy between overlapping buffers, which AddressSanitizer
        // reports (scripts/sanitize asan; docs/SECURITY.md).
        let last = entries.compactMap { $0.finished?.at }.max()
        let wall = first.flatMap { first in last.map { $0 - first } } ?? .zero
        let sequential = entries.reduce(Duration.zero) { $0 + ($1.finished?.duration ?? .zero) }
        let failed = entries.filter { ($0.finished?.status ?? .ok) != .ok }.count
        return CallSummary(calls: entries.count, wallTime: wall, sequentialTime: sequential, failed: failed)
    }

    private func index(of id: String) -> Int? { entries.firstIndex { $0.id == id } }
}

/// "4 calls in 0.82 s (sequential 2.9 s)".
struct CallSummary: Sendable, Hashable, CustomStringConvertible {
    var calls: Int
    var wallTime: Duration
    var sequentialTime: Duration
    /// Calls that did not end `ok`.
    var failed: Int

    var description: String {
        var text = "\(calls) \(calls == 1 ? "call" : "calls") in \(Formatting.seconds(wallTime))"
        if calls > 1 { text += " (sequential \(Formatting.seconds(sequentialTime)))" }
        if failed > 0 { text += ", \(failed) not ok" }
        return text
    }
}
