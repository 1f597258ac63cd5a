import Brigade
import Foundation
import Testing
import BrigadeTesting

/// `brigade ask` shows how a route's join decided, under the calls.
@Suite("brigade ask: route joins", .timeLimit(.minutes(1)))
struct AskJoinTests {
    @Test func askPrintsTheJoinDecisionUnderTheCalls() async throws {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", "routing: static\n")
        try folder.write("tools/tools.yaml", """
            tools:
              - name: hotels_a
                description: One hotel search.
                kind: command
                command: {argv: [echo, '[{"name": "Roma", "price": 120}, {"name": "Termini", "price": 95}]']}
              - name: hotels_b
                description: Another hotel search.
                kind: command
                command: {argv: [echo, '[{"name": "Termini", "price": 99}]']}
            """)
        try folder.write("routes/hotels.yaml", """
            name: hotels
            description: Hotels from two searches, one per name.
            match: {keywords: [hotels]}
            calls:
              - {label: a, tool: hotels_a}
              - {label: b, tool: hotels_b}
            join: {dedup: [name]}
            """)
        let outcome = try await Brigade.run(["ask", "--config", folder.path + "/config.yaml", "hotels please"], in: folder.path)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.hasPrefix(#"[{"name":"Roma","price":120},{"name":"Termini","price":95}]"#))
        let line = #"↳ route_join: join: lists joined and deduplicated (2 items); conflicts: items[name="Termini"]: a {"name":"Termini","price":95}, b {"name":"Termini","price":99} → a"#
        #expect(outcome.standardError.contains(line), "\(outcome.standardError)")
        let lines = outcome.standardError.split(separator: "\n").map(String.init)
        let joinLine = try #require(lines.firstIndex { $0.contains("↳ route_join") })
        #expect(lines[..<joinLine].filter { $0.contains("✓ hotels_") }.count == 2)
    }

    /// `routes list` shows a route's variants and join rules: what decides when branches disagree.
    @Test func routesListShowsVariantsAndJoinRules() async throws {
        let example = Brigade.repositoryRoot + "/Examples/Workers"
        let outcome = try await Brigade.run(["routes", "list", "--config", example + "/config.yaml"], in: example)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("  calls: airline=check_trip_part, airport=check_trip_part\n  join rules: airline, airport — precedence of answer, then judge judge.md"), "\(outcome.standardOutput)")
        #expect(outcome.standardOutput.contains("  calls: subject=copywriter ×3 (branch order, then judge pick_subject.md)"))
    }
}
