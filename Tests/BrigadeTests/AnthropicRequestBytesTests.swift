import Testing
import Brigade
@testable import BrigadeCore
@testable import BrigadeProviders

/// The body the Anthropic client sends is written from each tool's cached description and schema
/// and its kept system prompt; it must be byte for byte the encoding of ``AnthropicClient/requestBody(for:)``'s tree.
@Suite("Anthropic request bytes (cached tool JSON)", .timeLimit(.minutes(1)))
struct AnthropicRequestBytesTests {
    static var configurations: [AnthropicClient.Configuration] {
        let plain = AnthropicClient.Configuration(apiKey: "k", model: "claude \"odd\" é")
        var cachingAll = AnthropicClient.Configuration(apiKey: "k", model: "m", streaming: false)
        cachingAll.promptCaching = PromptCaching()
        var cachingSome = AnthropicClient.Configuration(apiKey: "k", model: "m")
        cachingSome.promptCaching = PromptCaching(system: false, tools: true, conversation: false)
        cachingSome.toolChoice = .tool("weather")
        var systemOnly = AnthropicClient.Configuration(apiKey: "k", model: "m")
        systemOnly.promptCaching = PromptCaching(system: true, tools: false, conversation: true)
        systemOnly.toolChoice = .required
        var none = AnthropicClient.Configuration(apiKey: "k", model: "m")
        none.toolChoice = .none
        return [plain, cachingAll, cachingSome, systemOnly, none]
    }

    static var requests: [ModelRequest] {
        var requests = OpenAIRequestBytesTests.requests
        let conversation = OpenAIRequestBytesTests.conversation
        requests.append(ModelRequest(messages: [.system("one"), .system(""), .user("u"), .system("two \u{2028}")], tools: OpenAIRequestBytesTests.oddTools))
        requests.append(ModelRequest(messages: [.system("")] + conversation.dropFirst(), tools: []))
        requests.append(ModelRequest(messages: conversation, tools: [], toolsEnabled: false, temperature: 0.5))
        return requests
    }

    @Test func sentBodyIsTheTreeEncodingByteForByte() throws {
        for configuration in Self.configurations {
            let client = AnthropicClient(configuration: configuration)
            for request in Self.requests {
                let tree = client.requestBody(for: request).jsonBytes
                // Twice: the first call encodes and keeps the system prompt, the second copies it.
                for _ in 0..<2 {
                    let sent = try #require(client.httpRequest(for: request).body)
                    #expect(sent == tree, "\(String(decoding: sent, as: UTF8.self))\n!=\n\(String(decoding: tree, as: UTF8.self))")
                }
            }
        }
    }

    /// The client keeps its last system prompt's JSON; another prompt replaces it.
    @Test func systemPromptsInTurnAreEachSentAsTheirOwnText() throws {
        let client = AnthropicClient(configuration: .init(apiKey: "k", model: "m"))
        for prompt in ["You are brief.", "Be \"odd\" \\ \u{2028}\n\t\u{01} é 🚀", "", "You are brief."] {
            let request = ModelRequest(messages: [.system(prompt), .user("hi")])
            let sent = try JSONValue(parsing: try #require(client.httpRequest(for: request).body))
            #expect(sent["system"] == (prompt.isEmpty ? nil : .string(prompt)))
        }
    }
}
