import Brigade
import BrigadeTesting
import Foundation
import Testing

/// A run request's `output_schema`: the answer is the JSON; an unusable schema is refused.
@Suite("Protocol: output schema", .timeLimit(.minutes(1)))
struct ProtocolOutputSchemaTests {
    @Test func aRunWithAnOutputSchemaAnswersWithTheJSONAndABadSchemaIsRefused() async throws {
        let server = try await FakeModelServer.start()
        server.enqueue(.text(#"{"city": "Oslo"}"#))
        let fixture = try ProtocolFixture(model: """
              provider: openai
              base_url: \(server.openAIBaseURL)
              model: fake
              api_key_env: null
            """)
        let schema: JSONValue = ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]]
        var answer: JSONValue?
        var errors: [JSONValue] = []
        let exit = try await withBrigadeProtocol(config: fixture.config, in: fixture.folder.path) { conversation in
            try await conversation.send(["type": "run", "id": "bad", "prompt": "where?", "output_schema": ["type": "strin"]])
            try await conversation.send(["type": "run", "id": "good", "prompt": "where?", "output_schema": schema])
            answer = try await conversation.read("finished", id: "good")["answer"]
            errors = conversation.errors
        }
        await server.stop()
        #expect(exit.status == .exited(0))
        #expect(answer == #"{"city":"Oslo"}"#)
        #expect(errors.map { $0["code"] } == ["invalid_request"])
        #expect(errors.first?["message"]?.stringValue?.contains("\"output_schema\": the output schema is not a valid JSON Schema") == true)
        #expect(server.requests.first?.body?["response_format"]?["json_schema"]?["schema"] == schema)
    }
}
