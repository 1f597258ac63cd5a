import Testing

import Brigade
@testable import BrigadeProviders

@Suite("Provider names in errors")
struct ProviderLabelTests {
    @Test func theHostAndTheAPI() {
        #expect(ProviderLabel.describe(api: "OpenAI", officialHost: "api.openai.com", baseURL: "https://api.openai.com/v1") == "api.openai.com (OpenAI API)")
        #expect(ProviderLabel.describe(api: "OpenAI", officialHost: "api.openai.com", baseURL: "http://127.0.0.1:8080/v1") == "127.0.0.1:8080 (OpenAI-compatible API)")
        #expect(ProviderLabel.describe(api: "Anthropic", officialHost: "api.anthropic.com", baseURL: "https://api.anthropic.com") == "api.anthropic.com (Anthropic API)")
        #expect(ProviderLabel.host(of: "https://user:secret@Proxy.example:3128/x?y") == "proxy.example:3128")
        #expect(ProviderLabel.describe(api: "OpenAI", officialHost: "api.openai.com", baseURL: "") == "OpenAI API")
    }
}
