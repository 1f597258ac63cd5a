import Synchronization
import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Writes the protocol's events to standard output, one JSON object per line. Lines of concurrent
/// runs never interleave: each line is written whole under a lock.
final class ProtocolOutput: Sendable {
    private let output: Terminal.Output
    private let lock = Mutex(())

    init(output: Terminal.Output = Terminal.standardOutput) {
        self.output = output
    }

    /// Writes one event: `{"v": 1, "type": …, then the fields}`.
    func emit(_ type: String, _ fields: [(String, JSONValue)]) {
        var object = JSONObject()
        object["v"] = .integer(ProtocolRequest.version)
        object["type"] = .string(type)
        for (key, value) in fields { object[key] = value }
        let line = JSONValue.object(object).jsonString + "\n"
        lock.withLock { _ in output.write(line) }
    }

    /// An `error` event for a line that was not accepted.
    func emit(_ failure: ProtocolFailure, line: Int) {
        var fields: [(String, JSONValue)] = [("code", .string(failure.code)), ("message", .string(failure.message)), ("line", .integer(line))]
        if let id = failure.id { fields.append(("id", id)) }
        emit("error", fields)
    }

    /// An event of `run`: its client `id`, `run_id` and `parent_run_id`, then the agent event's fields,
    /// with the tool call's `id` renamed `call_id` (the top-level `id` is the run's).
    func emit(_ event: AgentEvent, run: RunTracker) {
        let envelope = RunEvent(runID: run.runID, parentRunID: run.parentRunID, event: event)
        guard case .object(let object) = envelope.json, let type = object["type"]?.stringValue else { return }
        var fields: [(String, JSONValue)] = [("id", run.id)]
        for (key, value) in object where key != "type" {
            fields.append((key == "id" ? "call_id" : key, value))
        }
        emit(type, fields)
    }
}
