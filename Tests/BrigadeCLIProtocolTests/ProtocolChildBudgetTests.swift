import Brigade
import Foundation
import Testing

/// A `run` with `parent_run_id` spends from its parent run's budget (docs/protocol.md): its limits
/// are lowered to what the parent has left, and what it spends counts in the parent's.
@Suite("Protocol: child budgets", .timeLimit(.minutes(1)))
struct ProtocolChildBudgetTests {
    @Test func aChildRunIsCarvedFromItsParentsBudgetAndRollsUpIntoIt() async throws {
        let fixture = try ProtocolFixture()
        var children: [String: JSONValue] = [:]
        var childUpdates: [String: JSONValue] = [:]
        var parent: JSONValue?
        let exit = try await withBrigadeProtocol(config: fixture.config, in: fixture.folder.path) { conversation in
            // The parent may make 3 tool calls; its one call (admitted, so counted) waits for an
            // approval, which keeps the parent in flight while its children run.
            try await conversation.send(["type": "run", "id": "p", "prompt": "launch now", "limits": ["max_calls": 3]])
            let request = try await conversation.read("approval_request", id: "p")
            let parentRunID = request["run_id"] ?? nil
            for id in ["c1", "c2", "c3"] {
                // Each child asks for more than the parent has left.
                try await conversation.send(["type": "run", "id": .string(id), "prompt": "greet Ana", "parent_run_id": parentRunID, "limits": ["max_calls": 5]])
                children[id] = try await conversation.read("finished", id: .string(id))
                childUpdates[id] = conversation.events(of: .string(id)).last { $0["type"] == "budget_update" }
            }
            try await conversation.send(["type": "approval", "request_id": request["request_id"] ?? nil, "decision": "approve"])
            parent = try await conversation.read("finished", id: "p")
            try await conversation.finishInputAndDrain()
        }
        #expect(exit.status == .exited(0))
        #expect(exit.standardError.isEmpty, "stderr: \(exit.standardError)")
        // c1 gets the 2 calls the parent has left and uses 1; c2 the 1 left after c1 rolled up.
        #expect(children["c1"]?["stop_reason"] == "finished" && children["c1"]?["calls"]?[0]?["status"] == "ok")
        #expect(childUpdates["c1"]?["left"]?["tool_calls"] == 1, "\(String(describing: childUpdates["c1"]))")
        #expect(children["c2"]?["stop_reason"] == "finished" && children["c2"]?["calls"]?[0]?["status"] == "ok")
        #expect(childUpdates["c2"]?["left"]?["tool_calls"] == 0, "\(String(describing: childUpdates["c2"]))")
        // Nothing is left for c3: it ends at once with the budget's stop reason, having run nothing.
        #expect(children["c3"]?["stop_reason"]?.stringValue?.hasPrefix("budget") == true, "\(String(describing: children["c3"]))")
        #expect(children["c3"]?["tool_calls"] == 0)
        // The parent's spend includes its children's: its own call and one of each child that ran.
        #expect(parent?["stop_reason"] == "finished")
        #expect(parent?["tool_calls"] == 3, "\(String(describing: parent))")
    }
}
