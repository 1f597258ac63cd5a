import Brigade
import BrigadeTesting
import CurlHTTP
import Logging
import Testing

/// Answers in a given JSON shape: OpenAI's `response_format`, Anthropic's forced answer tool, and
/// validation with one re-ask for any other client.
@Suite("Structured answers", .timeLimit(.minutes(1)))
struct StructuredAnswerTests {
    static let weather: JSONValue = [
        "type": "object",
        "properties": ["city": ["type": "string"], "celsius": ["type": "number"]],
        "required": ["city", "celsius"],
        "additionalProperties": false,
    ]

    static func schema(_ value: JSONValue = weather) throws -> OutputSchema { try OutputSchema(value, name: "weather report") }

    static func run(_ model: any ModelClient, schema: OutputSchema, tools: [Tool] = []) async throws -> RunResult {
        let agent = Agent(registry: try ToolRegistry(tools), configuration: Agent.Configuration(model: model), logger: Logger(label: "test"))
        var options = RunOptions()
        options.outputSchema = schema
        return try await agent.run("weather in Paris?", options: options)
    }

    static func openAI(_ server: FakeModelServer) -> OpenAIChatClient {
        OpenAIChatClient(configuration: .init(baseURL: server.openAIBaseURL, apiKey: "k", model: "m"), httpClient: ProviderTestHTTP.client)
    }

    @Test func openAIGetsAResponseFormatAndTheAnswerIsItsJSON() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.text(#"{"city": "Paris", "celsius": 21}"#))
            let result = try await Self.run(Self.openAI(server), schema: Self.schema())
            #expect(result.stopReason == .finished)
            #expect(result.answer == #"{"city":"Paris","celsius":21}"#)
            let format = server.requests.first?.body?["response_format"]
            #expect(format == [
                "type": "json_schema",
                "json_schema": ["name": "weatherreport", "schema": Self.weather, "strict": true],
            ])
            // A schema OpenAI's strict mode would refuse is sent with strict: false.
            #expect(try OutputSchema(["type": "object", "properties": ["a": ["type": "string"]]]).isStrictCompatible == false)
        }
    }

    @Test func anthropicAnswersThroughTheForcedAnswerTool() async throws {
        try await withFakeModelServer { server in
            let echo = Tool(name: "lookup", description: "Looks up.") { _, _ in ToolOutput(text: "21 degrees") }
            server.enqueue(
                .toolCalls([FakeToolCall(name: "lookup", json: [:])]),
                .toolCalls([FakeToolCall(name: OutputSchema.toolName, json: ["city": "Paris", "celsius": 21])])
            )
            let client = AnthropicClient(configuration: .init(baseURL: server.anthropicBaseURL, apiKey: "k", model: "m"), httpClient: ProviderTestHTTP.client)
            let result = try await Self.run(client, schema: Self.schema(), tools: [echo])
            #expect(result.stopReason == .finished)
            #expect(result.answer == #"{"city":"Paris","celsius":21}"#)
            let first = try #require(server.requests.first)
            #expect(first.toolNames == ["lookup", OutputSchema.toolName])
            #expect(first.body?["tools"]?.arrayValue?.dropFirst().first?["input_schema"] == Self.weather)
            #expect(first.toolChoice == ["type": "any"])
            #expect(first.body?["system"] == nil)
        }
    }

    @Test func anthropicWithoutToolsIsForcedToTheAnswerToolAndAnArraySchemaIsWrapped() async throws {
        try await withFakeModelServer { server in
            let list: JSONValue = ["type": "array", "items": ["type": "string"]]
            server.enqueue(.toolCalls([FakeToolCall(name: OutputSchema.toolName, json: ["answer": ["a", "b"]])]))
            let client = AnthropicClient(configuration: .init(baseURL: server.anthropicBaseURL, apiKey: "k", model: "m"), httpClient: ProviderTestHTTP.client)
            let result = try await Self.run(client, schema: Self.schema(list))
            #expect(result.answer == #"["a","b"]"#)
            let first = try #require(server.requests.first)
            #expect(first.toolChoice == ["type": "tool", "name": .string(OutputSchema.toolName)])
            #expect(first.body?["tools"]?.arrayValue?.first?["input_schema"] == ["type": "object", "properties": ["answer": list], "required": ["answer"]])
        }
    }

    /// A client whose server knows nothing of schemas.
    struct PlainClient: ModelClient {
        let inner: OpenAIChatClient
        var displayName: String { "plain" }
        func complete(_ request: ModelRequest, deadline: ContinuousClock.Instant?, onTextDelta: @escaping @Sendable (String) -> Void) async throws(ModelError) -> ModelResponse {
            var plain = request
            plain.outputSchema = nil
            return try await inner.complete(plain, deadline: deadline, onTextDelta: onTextDelta)
        }
    }

    @Test func anyOtherClientIsToldTheSchemaValidatedAndAskedAgainOnce() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.text("It is 21 degrees in Paris."), .text("```json\n{\"city\": \"Paris\", \"celsius\": 21}\n```"))
            let result = try await Self.run(PlainClient(inner: Self.openAI(server)), schema: Self.schema())
            #expect(result.stopReason == .finished)
            #expect(result.answer == #"{"city":"Paris","celsius":21}"#)
            #expect(server.requests.count == 2)
            #expect(server.requests[0].body?["response_format"] == nil)
            #expect(server.requests[0].bodyText.contains("matches this JSON Schema"))
            #expect(server.requests[1].lastUserText?.hasPrefix("Your answer does not match the required JSON Schema: the answer is not JSON.") == true)
        }
    }

    @Test func aModelThatNeverConformsStopsWithTheLastAttemptShown() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.text(#"{"city": "Paris"}"#), .text(#"{"city": "Paris", "celsius": "warm"}"#))
            let result = try await Self.run(PlainClient(inner: Self.openAI(server)), schema: Self.schema())
            #expect(result.stopReason.code == .invalidAnswer)
            #expect(result.answer == #"{"city": "Paris", "celsius": "warm"}"#)
            #expect(result.stopReason.description.contains("`celsius`"))
            #expect(result.outcome == .failed)
            #expect(server.requests[1].lastUserText?.contains("`celsius`") == true || server.requests[1].lastUserText?.contains("celsius") == true)
        }
    }

    @Test func theSynthesisAnswerIsNormalizedWhenItConforms() async throws {
        let model = ScriptedModelClient([.answer("```json\n{\"city\": \"Rome\", \"celsius\": 30}\n```")])
        let agent = Agent(registry: try ToolRegistry([]), configuration: Agent.Configuration(model: model), logger: Logger(label: "test"))
        var options = RunOptions(limits: Budget.Limits(maxTurns: 1))
        options.outputSchema = try Self.schema()
        let result = try await agent.run("weather in Rome?", options: options)
        #expect(result.answer == #"{"city":"Rome","celsius":30}"#)
        #expect(model.requests.first?.messages.first.map { "\($0)" }?.contains("matches this JSON Schema") == true)
    }

    @Test func anInvalidSchemaIsRefused() {
        #expect(throws: InvalidRunOptions.self) { try OutputSchema(["type": "strin"]) }
        #expect(throws: InvalidRunOptions.self) { try OutputSchema("just text") }
        do {
            _ = try OutputSchema(["type": "object", "properties": ["a": ["type": "integr"]]])
        } catch {
            #expect(error.message.contains("not a valid JSON Schema"))
            #expect(error.message.contains("integr"))
        }
    }
}
