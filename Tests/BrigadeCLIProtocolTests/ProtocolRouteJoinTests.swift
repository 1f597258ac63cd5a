import Brigade
import Foundation
import Testing
import BrigadeTesting

/// A route's join rules over the NDJSON protocol: the `join_decided` line (checked against
/// docs/protocol.schema.json as it arrives) says who won and what was in conflict.
@Suite("Protocol: route joins", .timeLimit(.minutes(1)))
struct ProtocolRouteJoinTests {
    @Test func aRouteJoinSendsItsDecisionAndTheAnswerNamesTheConflict() async throws {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", "routing: static\n")
        try folder.write("prompts/judge.md", "You judge flight times.")
        try folder.write("tools/tools.yaml", """
            tools:
              - name: airline_status
                description: The airline's status of a flight.
                kind: command
                command: {argv: [echo, '{"flight": "FR1234", "arrival": "10:40"}']}
              - name: airport_board
                description: The airport's arrivals board.
                kind: command
                command: {argv: [echo, '{"flight": "FR1234", "arrival": "10:55"}']}
            """)
        try folder.write("routes/routes.yaml", """
            name: flight
            description: When a flight lands, from the airline and the airport.
            match: {keywords: ["land|arrival"]}
            calls:
              - {label: airline, tool: airline_status}
              - {label: airport, tool: airport_board}
            join:
              precedence: {arrival: [airport]}
              judge: judge.md
            """)
        var decision: JSONValue = .null
        var answer = ""
        let exit = try await withBrigadeProtocol(config: folder.path + "/config.yaml", in: folder.path) { conversation in
            _ = try await conversation.read("ready")
            try await conversation.send(["type": "run", "id": "r1", "prompt": "when does FR1234 land"])
            answer = try await conversation.read("finished", id: "r1")["answer"]?.stringValue ?? ""
            decision = conversation.events(of: "r1").first { $0["type"] == "join_decided" } ?? .null
        }
        #expect(exit.status == .exited(0))
        #expect(decision["call_id"] == "route_join" && decision["branches"] == ["airline", "airport"])
        #expect(decision["judged"] == false && decision["judge_failure"] == "there is no model to ask")
        #expect(decision["conflicts"]?.arrayValue?.first?["field"] == "arrival" && decision["conflicts"]?.arrayValue?.first?["chosen"] == "airport")
        #expect(answer.hasPrefix(#"{"flight":"FR1234","arrival":"10:55"}"#))
        #expect(answer.hasSuffix(#"conflicts: arrival: airline "10:40", airport "10:55" → airport]"#))
    }
}
