import Brigade
import BrigadeTesting
import Testing

/// Tools whose arguments arrive as a `Decodable` Swift value.
@Suite("Embedding: Decodable-argument tools", .timeLimit(.minutes(1)))
struct DecodableToolTests {
    struct Trip: Decodable {
        var city: String
        var days: Int
        var stops: [Stop]?

        struct Stop: Decodable { var name: String }
    }

    /// The schema is looser than the type on purpose (`days` is not required, `stops` items are free):
    /// arguments that pass the schema but not the decoder must give an error result.
    static let plan = Tool(
        name: "plan",
        description: "Plans a trip.",
        arguments: Trip.self,
        parameters: [
            "type": "object",
            "properties": [
                "city": ["type": "string"],
                "days": ["type": "integer", "minimum": 1],
                "stops": ["type": "array", "items": ["type": "object"]],
            ],
            "required": ["city"],
        ]
    ) { trip, context in
        let stops = trip.stops?.map(\.name).joined(separator: ", ") ?? "none"
        return ToolOutput(text: "\(context.callID): \(trip.days) days in \(trip.city), stops: \(stops)")
    }

    @Test func argumentsAreDecodedAndDecodingFailuresAreErrorResults() async throws {
        let model = ScriptedModelClient([
            .toolCalls([
                call("plan", #"{"city": "Oslo", "days": 3, "stops": [{"name": "Bergen"}]}"#, id: "ok"),
                call("plan", #"{"city": "Rome"}"#, id: "missing"),
                call("plan", #"{"city": "Nice", "days": 2, "stops": [{"name": "Cannes"}, {"title": "Antibes"}]}"#, id: "nested"),
                call("plan", #"{"city": 7, "days": 2}"#, id: "schema"),
            ]),
            .answer("Planned."),
        ])
        let agent = Agent(registry: try ToolRegistry([Self.plan]), configuration: Agent.Configuration(model: model), logger: .quiet)
        let result = await agent.respond("plan trips")

        #expect(result.stopReason == .finished)
        #expect(result.calls.map(\.status) == [.ok, .error, .error, .error])
        let results = try #require(model.requests.last).lastResults
        #expect(results["ok"]?.content == "ok: 3 days in Oslo, stops: Bergen")
        #expect(results["missing"]?.content == "error: invalid arguments for 'plan': missing `days`")
        #expect(results["nested"]?.content == "error: invalid arguments for 'plan': missing `stops[1].name`")
        // Schema violations are caught before decoding, with the validator's message.
        #expect(results["schema"]?.content.contains("`city`: expected string") == true)
    }
}
