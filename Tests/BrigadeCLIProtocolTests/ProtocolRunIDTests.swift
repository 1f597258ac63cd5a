import Brigade
import Foundation
import Testing

/// Every event of a run carries Brigade's `run_id`; a run opened with `parent_run_id` names its parent.
@Suite("Protocol: run ids", .timeLimit(.minutes(1)))
struct ProtocolRunIDTests {
    @Test func concurrentRunsAreSeparableByRunIDAndAChildNamesItsParent() async throws {
        let fixture = try ProtocolFixture()
        var parentRunID: JSONValue?
        var unknownParent: JSONValue?
        var received: [JSONValue] = []
        let exit = try await withBrigadeProtocol(config: fixture.config, in: fixture.folder.path) { conversation in
            _ = try await conversation.read("ready")
            // The parent waits for an approval, so it is provably in flight while its child runs.
            try await conversation.send(["type": "run", "id": "p", "prompt": "launch now"])
            let request = try await conversation.read("approval_request", id: "p")
            parentRunID = request["run_id"]
            try await conversation.send(["type": "run", "id": "c", "prompt": "greet Ana", "parent_run_id": parentRunID ?? nil])
            try await conversation.send(["type": "run", "id": "o", "prompt": "greet Bob"])
            _ = try await conversation.read("finished", id: "c")
            _ = try await conversation.read("finished", id: "o")
            try await conversation.send(["type": "approval", "request_id": request["request_id"] ?? nil, "decision": "approve"])
            _ = try await conversation.read("finished", id: "p")
            // Once the parent has finished, no run can be opened from it.
            try await conversation.send(["type": "run", "id": "late", "prompt": "greet Eve", "parent_run_id": parentRunID ?? nil])
            unknownParent = try await conversation.read("error")
            try await conversation.finishInputAndDrain()
            received = conversation.events(of: "p") + conversation.events(of: "c") + conversation.events(of: "o")
        }
        #expect(exit.status == .exited(0))
        #expect(unknownParent?["code"] == "unknown_parent")
        #expect(unknownParent?["id"] == "late")

        // Grouping the lines by run_id gives exactly the grouping by the client's id.
        var clientIDsByRunID: [String: Set<JSONValue>] = [:]
        for event in received {
            guard let runID = event["run_id"]?.stringValue else {
                Issue.record("event without run_id: \(event.jsonString)")
                continue
            }
            clientIDsByRunID[runID, default: []].insert(event["id"] ?? .null)
        }
        #expect(clientIDsByRunID.count == 3)
        #expect(clientIDsByRunID.values.allSatisfy { $0.count == 1 })
        func runID(of client: JSONValue) -> String? { clientIDsByRunID.first { $0.value == [client] }?.key }
        #expect(runID(of: "p") == parentRunID?.stringValue)

        // The child names the parent in every event; the parent and the other run name none.
        let parentOf = Dictionary(grouping: received) { $0["id"] ?? .null }.mapValues { Set($0.map { $0["parent_run_id"] ?? .null }) }
        #expect(parentOf["c"] == [parentRunID ?? .null])
        #expect(parentOf["p"] == [.null])
        #expect(parentOf["o"] == [.null])
    }
}
