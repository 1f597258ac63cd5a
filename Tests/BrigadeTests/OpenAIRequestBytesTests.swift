import Testing
import Brigade
@testable import BrigadeCore
@testable import BrigadeProviders

/// The body the OpenAI client sends is written from each tool's cached description and schema
/// (`ToolSpec.parametersJSON`); it must be byte for byte the encoding of ``OpenAIChatClient/requestBody(for:)``.
@Suite("OpenAI request bytes (cached tool JSON)", .timeLimit(.minutes(1)))
struct OpenAIRequestBytesTests {
    /// Tools whose names, descriptions and schemas need escapes: quotes, backslashes, control
    /// characters, U+2028/U+2029, non-ASCII, keys with escapes, numbers, nesting, empty containers.
    static let oddTools: [ToolSpec] = [
        ToolSpec(name: "weather", description: "Current weather"),
        ToolSpec(
            name: "ünï-cödé_名前",
            description: "Says \"hi\" \\ back\nline two\ttab \u{01}\u{1F} end \u{2028}\u{2029} é 🚀 \u{7F}",
            parameters: [
                "type": "object",
                "properties": [
                    "quote\"key": ["type": "string", "description": "a \"quoted\" \\ value\r\n"],
                    "n": ["type": "number", "minimum": -1.5, "maximum": 1e300, "default": 3],
                    "nested": ["type": "object", "properties": [:], "items": [], "enum": [.null, true, false, "x"]],
                ],
                "required": ["quote\"key"],
                "additionalProperties": false,
            ]
        ),
        ToolSpec(name: "e", description: "", parameters: ["type": "object"]),
        ToolSpec(name: "a-b_c-1", description: String(repeating: "long é ", count: 400)),
    ]

    static let conversation: [ChatMessage] = [
        .system("Be \"brief\".\n"),
        .user("Weather in Paris — and \u{2028} the time?"),
        .assistant(text: "", toolCalls: [ToolCall(id: "call_1", name: "weather", rawArguments: #"{"city":"Paris"}"#)]),
        .toolResults([ToolResultMessage(callID: "call_1", toolName: "weather", content: "18°C", isError: false)]),
    ]

    static var configurations: [OpenAIChatClient.Configuration] {
        var plain = OpenAIChatClient.Configuration(baseURL: "http://127.0.0.1:1/v1", apiKey: nil, model: "local \"model\"")
        plain.toolChoice = .tool("ünï-cödé_名前")
        var choiceNone = OpenAIChatClient.Configuration(
            apiKey: "k", model: "gpt-4o-mini", streaming: false, maxTokensParameter: .maxTokens, disabledTools: .toolChoiceNone,
            parallelToolCalls: nil, includeStreamUsage: false)
        choiceNone.toolChoice = .required
        return [
            OpenAIChatClient.Configuration(apiKey: "k", model: "gpt-4o-mini"),
            plain,
            choiceNone,
            OpenAIChatClient.Configuration(apiKey: nil, model: "m", maxTokensParameter: .maxCompletionTokens, parallelToolCalls: false),
        ]
    }

    static var requests: [ModelRequest] {
        var requests: [ModelRequest] = []
        let schema = try! OutputSchema(["type": "object", "properties": ["answer": ["type": "string"]], "required": ["answer"]])
        for tools in [[], oddTools, Array(oddTools.prefix(1))] {
            for toolsEnabled in [true, false] {
                for temperature in [nil, 0.2, 1.0] as [Double?] {
                    var request = ModelRequest(
                        messages: conversation, tools: tools, toolsEnabled: toolsEnabled, maxOutputTokens: 777, temperature: temperature)
                    requests.append(request)
                    request.outputSchema = schema
                    requests.append(request)
                }
            }
        }
        requests.append(ModelRequest(messages: [.user("only a prompt")], tools: oddTools))
        requests.append(ModelRequest(messages: [], tools: []))
        return requests
    }

    /// The tool as a `JSONValue` tree, encoded with the rest of the body by `JSONValue.jsonBytes`.
    static func tree(for spec: ToolSpec) -> JSONValue {
        ["type": "function", "function": ["name": .string(spec.name), "description": .string(spec.description), "parameters": spec.parameters]]
    }

    @Test func sentBodyIsTheTreeEncodingByteForByte() throws {
        for configuration in Self.configurations {
            let client = OpenAIChatClient(configuration: configuration)
            for request in Self.requests {
                // `requestBody(for:)` parses the bytes sent; the tools written from the specs'
                // cached JSON are replaced by their trees, so the comparison is with an encoding
                // that did not come from the cache.
                var body = try #require(client.requestBody(for: request).objectValue)
                if body["tools"] != nil {
                    body["tools"] = .array(request.tools.map(Self.tree(for:)))
                }
                body["messages"] = .array(request.messages.flatMap(OpenAIRequestEncoder.messages(for:)))
                let tree = JSONValue.object(body).jsonBytes
                // Twice: the first call encodes and caches each tool's JSON, the second copies it.
                for _ in 0..<2 {
                    let sent = try #require(client.httpRequest(for: request).body)
                    #expect(sent == tree, "\(String(decoding: sent, as: UTF8.self))\n!=\n\(String(decoding: tree, as: UTF8.self))")
                }
            }
        }
    }

    /// The client keeps its last system prompt's JSON; another prompt replaces it.
    @Test func systemPromptsInTurnAreEachSentAsTheirOwnText() throws {
        let client = OpenAIChatClient(configuration: .init(apiKey: "k", model: "m"))
        let prompts = ["You are brief.", "Be \"odd\" \\ \u{2028}\n\t\u{01} é 🚀", "", String(repeating: "long é ", count: 300), "You are brief."]
        for round in 0..<2 {
            for prompt in prompts {
                // Equal text in its own storage as well as the same `String`.
                let text = round == 0 ? prompt : String(decoding: Array(prompt.utf8), as: UTF8.self)
                let request = ModelRequest(messages: [.system(text), .user("hi"), .system(text + "!")])
                let sent = try JSONValue(parsing: try #require(client.httpRequest(for: request).body))
                #expect(sent["messages"] == .array(request.messages.flatMap(OpenAIRequestEncoder.messages(for:))))
                let messages = try #require(sent["messages"]?.arrayValue)
                #expect(messages.count == 3)
                #expect(messages.first?["content"]?.stringValue == text)
                #expect(messages.last?["content"]?.stringValue == text + "!")
            }
        }
    }

    /// The client keeps its last tool list's JSON for the same array; any other list — another
    /// array with other specs, a changed copy, a prefix, none — is sent as its own tools.
    @Test func toolListsInTurnAreEachSentAsTheirOwnTools() throws {
        let client = OpenAIChatClient(configuration: .init(apiKey: "k", model: "m"))
        var changed = Self.oddTools
        changed[0].description = "Changed \"weather\""
        var reordered = Self.oddTools
        reordered.swapAt(0, 1)
        let lists = [Self.oddTools, changed, Array(Self.oddTools.prefix(2)), Self.oddTools.map { $0 }, [], reordered, Self.oddTools]
        for _ in 0..<2 {
            for tools in lists {
                let request = ModelRequest(messages: [.system("s"), .user("hi")], tools: tools)
                let sent = try JSONValue(parsing: try #require(client.httpRequest(for: request).body))
                #expect(sent["tools"] == (tools.isEmpty ? nil : .array(tools.map(Self.tree(for:)))))
                #expect(sent["stream_options"] == ["include_usage": true])
                #expect(sent["messages"] == [["role": "system", "content": "s"], ["role": "user", "content": "hi"]])
            }
        }
    }

    /// A tool-results message with no results adds no element (no stray comma) wherever it stands.
    @Test func anEmptyToolResultsMessageAddsNothing() throws {
        let client = OpenAIChatClient(configuration: .init(apiKey: "k", model: "m"))
        for messages: [ChatMessage] in [[.toolResults([]), .user("a")], [.user("a"), .toolResults([])], [.system("s"), .toolResults([]), .user("a")]] {
            let sent = try JSONValue(parsing: try #require(client.httpRequest(for: ModelRequest(messages: messages)).body))
            #expect(sent["messages"] == .array(messages.flatMap(OpenAIRequestEncoder.messages(for:))))
        }
    }

    @Test func theBodyStillParsesAndCarriesTheOddToolsUnchanged() throws {
        let client = OpenAIChatClient(configuration: .init(apiKey: "k", model: "gpt-4o-mini"))
        let sent = try #require(client.httpRequest(for: ModelRequest(messages: Self.conversation, tools: Self.oddTools)).body)
        let tools = try #require(try JSONValue(parsing: sent)["tools"]?.arrayValue)
        #expect(tools.count == Self.oddTools.count)
        for (tool, spec) in zip(tools, Self.oddTools) {
            #expect(tool["function"]?["name"]?.stringValue == spec.name)
            #expect(tool["function"]?["description"]?.stringValue == spec.description)
            #expect(tool["function"]?["parameters"] == spec.parameters)
        }
    }

    @Test func changingADescriptionOrSchemaEncodesItAgain() throws {
        let original = Self.oddTools[1]
        #expect(original.parametersJSON == original.parameters.jsonBytes)  // cached now
        var changed = original
        changed.description = "Another \"description\""
        changed.parameters = ["type": "object", "properties": ["x": ["type": "integer"]]]
        #expect(changed.descriptionJSON == Array(#""Another \"description\"""#.utf8))
        #expect(changed.parametersJSON == Array(#"{"type":"object","properties":{"x":{"type":"integer"}}}"#.utf8))
        // The copy it came from keeps its own encoding.
        #expect(original.parametersJSON == original.parameters.jsonBytes)
        #expect(String(decoding: original.descriptionJSON, as: UTF8.self) == JSONValue.string(original.description).jsonString)

        let client = OpenAIChatClient(configuration: .init(apiKey: "k", model: "gpt-4o-mini"))
        let request = ModelRequest(messages: [.user("hi")], tools: [changed])
        let sent = try JSONValue(parsing: try #require(client.httpRequest(for: request).body))
        #expect(sent["tools"] == .array([Self.tree(for: changed)]))
        // The estimate counts the new schema's bytes.
        let schemaBytes = changed.parameters.jsonBytes.count
        #expect(request.estimatedInputTokens == (16 + 2 + 16 + changed.name.utf8.count + changed.description.utf8.count + schemaBytes + 3) / 4)
    }

    @Test(arguments: [
        ("https://api.openai.com/v1", "max_completion_tokens"),
        ("HTTPS://API.OpenAI.COM/v1", "max_completion_tokens"),
        ("https://api.openai.com.example/v1", "max_completion_tokens"),
        ("https://my-resource.openai.azure.com/openai", "max_completion_tokens"),
        ("https://MY.OPENAI.AZURE.COM", "max_completion_tokens"),
        ("https://ünïcode.openai.azure.com/v1", "max_completion_tokens"),
        ("https://ÜNÏCODE.OPENAI.AZURE.COM/v1", "max_completion_tokens"),
        ("http://api.openai.com/v1", "max_tokens"),
        ("https://api.openai.co", "max_tokens"),
        ("https://openai.azure.co", "max_tokens"),
        ("http://127.0.0.1:8080/v1", "max_tokens"),
        ("https://ünïcode.example/v1", "max_tokens"),
        ("", "max_tokens"),
    ])
    func automaticMaxTokensFieldFollowsTheHost(baseURL: String, field: String) {
        var configuration = OpenAIChatClient.Configuration(baseURL: baseURL, apiKey: nil, model: "m")
        #expect(configuration.maxTokensField == field)
        // The host check is derived when the base URL is set: changing it afterwards follows.
        let other = field == "max_tokens" ? "max_completion_tokens" : "max_tokens"
        configuration.baseURL = field == "max_tokens" ? "https://api.openai.com/v1" : "http://127.0.0.1:8080/v1"
        #expect(configuration.maxTokensField == other)
        configuration.baseURL = baseURL
        #expect(configuration.maxTokensField == field)

        var client = OpenAIChatClient(configuration: .init(baseURL: "http://127.0.0.1:1/v1", apiKey: nil, model: "m"))
        client.configuration.baseURL = baseURL
        let body = try? JSONValue(parsing: client.httpRequest(for: ModelRequest(messages: [.user("hi")], maxOutputTokens: 9)).body ?? [])
        #expect(body?[field] == .integer(9))
        #expect(body?[other] == nil)
    }
}
