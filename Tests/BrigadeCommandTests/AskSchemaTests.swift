import Brigade
import BrigadeTesting
import Foundation
import Testing

/// `brigade ask --schema FILE`: only the answer's JSON on stdout; a bad schema is a usage error.
@Suite("brigade ask --schema", .timeLimit(.minutes(2)))
struct AskSchemaTests {
    static let schema = #"{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": false}"#

    static func folder(_ server: FakeModelServer) throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", """
            model:
              provider: openai
              base_url: \(server.openAIBaseURL)
              model: fake
              api_key_env: FAKE_KEY
            routing: model
            """)
        try folder.write("city.json", schema)
        return folder
    }

    @Test func onlyTheJSONIsPrintedAndTheServerGotTheSchema() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.text("{\n  \"city\": \"Paris\"\n}"))
            let folder = try Self.folder(server)
            let outcome = try await Brigade.run(["ask", "--schema", "city.json", "which city?"], in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(outcome.standardOutput == #"{"city":"Paris"}"# + "\n")
            #expect(server.requests.first?.body?["response_format"]?["json_schema"]?["name"] == "city")
        }
    }

    @Test func aBadSchemaFileIsAUsageError() async throws {
        try await withFakeModelServer { server in
            let folder = try Self.folder(server)
            try folder.write("bad.json", #"{"type": "strin"}"#)
            let outcome = try await Brigade.run(["ask", "--schema", "bad.json", "which city?"], in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(outcome.status == 2)
            #expect(outcome.standardError.contains("--schema bad.json: the output schema is not a valid JSON Schema"), "\(outcome.standardError)")
            #expect(server.requestCount == 0)
        }
    }
}
