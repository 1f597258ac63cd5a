import Brigade
import Foundation
import Testing
import BrigadeTesting

/// `budget.session_usd` caps what all the runs of one protocol session spend together.
@Suite("Protocol: session budgets", .timeLimit(.minutes(1)))
struct ProtocolSessionBudgetTests {
    @Test func theRunsOfASessionShareItsBudgetAndOtherSessionsHaveTheirOwn() async throws {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", "routing: static\nbudget: {session_usd: 1.0, synthesis_reserve: 0}\n")
        try folder.write("tools/tools.yaml", """
            tools:
              - name: paid
                description: Costs 0.4 USD a call.
                kind: command
                command: {argv: [echo, paid]}
                policy: {cost_usd: 0.4}
            """)
        try folder.write("routes/routes.yaml", """
            routes:
              - name: paying
                description: Pays once.
                match: {keywords: [pay]}
                calls: [{tool: paid}]
                join: model
            """)
        var statuses: [String: JSONValue] = [:]
        let exit = try await withBrigadeProtocol(config: folder.path + "/config.yaml", in: folder.path) { conversation in
            _ = try await conversation.read("ready")
            for id in ["a1", "a2", "a3"] {
                try await conversation.send(["type": "run", "id": .string(id), "prompt": "pay now", "session": "a"])
                _ = try await conversation.read("finished", id: .string(id))
            }
            try await conversation.send(["type": "run", "id": "b1", "prompt": "pay now", "session": "b"])
            _ = try await conversation.read("finished", id: "b1")
            for id in ["a1", "a2", "a3", "b1"] {
                statuses[id] = conversation.events(of: .string(id)).first { $0["type"] == "tool_call_finished" }?["status"] ?? .null
            }
        }
        #expect(exit.status == .exited(0))
        // 0.4 + 0.4 of the session's 1.0: the third call cannot be covered; session b starts afresh.
        #expect(statuses == ["a1": "ok", "a2": "ok", "a3": "not_run", "b1": "ok"])
    }
}
