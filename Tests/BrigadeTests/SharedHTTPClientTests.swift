import Brigade
import CurlHTTP
import Testing

@Suite("Model clients share one HTTP client")
struct SharedHTTPClientTests {
    @Test("Providers built without an HTTP client all use HTTPClient.shared; one passed in is kept")
    func providersShareTheProcessClient() async {
        let openAI = OpenAIChatClient(apiKey: nil, model: "a")
        let anthropic = AnthropicClient(apiKey: "k", model: "b")
        let openAIFromConfiguration = OpenAIChatClient(configuration: .init(apiKey: nil, model: "c"))
        let anthropicFromConfiguration = AnthropicClient(configuration: .init(apiKey: "k", model: "d"))
        #expect(openAI.httpClient === anthropic.httpClient)
        #expect(openAI.httpClient === HTTPClient.shared)
        #expect(openAIFromConfiguration.httpClient === HTTPClient.shared)
        #expect(anthropicFromConfiguration.httpClient === HTTPClient.shared)

        let own = HTTPClient()
        let embedded = OpenAIChatClient(apiKey: nil, model: "e", httpClient: own)
        #expect(embedded.httpClient === own)
        #expect(embedded.httpClient !== HTTPClient.shared)
        await own.shutdown()
    }
}
