/// An event of a child run (a sub-agent, a map worker) forwarded into its parent's stream, so that
/// surfaces can show it nested under the call that started it.
public struct ChildRunEvent: Sendable, Hashable {
    /// The parent's tool call that started the child (its id), or the worker's label.
    public var parentCallID: String
    /// 1 for a child of a top-level run, 2 for a grandchild, …
    public var depth: Int
    /// The event with the child's run id and its parent's run id.
    public var event: RunEvent

    public init(parentCallID: String, depth: Int, event: RunEvent) {
        self.parentCallID = parentCallID
        self.depth = depth
        self.event = event
    }

    /// The child's event as its own line: ``RunEvent/json`` (the child's `run_id`, its
    /// `parent_run_id`) with `parent_call_id` and `depth` after them. The child's `finished` is
    /// `child_finished`, so that a client waiting for its run's one `finished` is not misled.
    public var json: JSONValue {
        guard case .object(let object) = event.json else { return event.json }
        var fields: [(String, JSONValue)] = []
        for (key, value) in object {
            if key == "type", value.stringValue == "finished" {
                fields.append((key, "child_finished"))
                continue
            }
            fields.append((key, value))
            if key == "parent_run_id" { fields += [("parent_call_id", .string(parentCallID)), ("depth", .integer(depth))] }
        }
        return .object(JSONObject(fields))
    }
}

extension CallingRun {
    /// Forwards an event of the child run `childRunID` (started by call `callID`) into this run's stream.
    /// Events the child already forwards from its own children pass through unchanged.
    package func forward(_ event: AgentEvent, of childRunID: RunID, callID: String) {
        if case .childRun = event {
            emit(event)
        } else {
            emit(.childRun(ChildRunEvent(parentCallID: callID, depth: depth + 1, event: RunEvent(runID: childRunID, parentRunID: runID, event: event))))
        }
    }
}
