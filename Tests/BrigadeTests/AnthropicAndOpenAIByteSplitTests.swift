import BrigadeTesting
import CurlHTTP
import Testing
import Brigade
@testable import BrigadeCore
@testable import BrigadeProviders

/// The whole decoding pipeline (SSE parser + assembler) fed a real server's stream split at every
/// byte boundary: inside events, inside JSON, inside UTF-8 sequences, between CR and LF.
@Suite("Stream decoding split at every byte", .timeLimit(.minutes(1)))
struct AnthropicAndOpenAIByteSplitTests {
    static let turn = FakeTurn(
        text: "Grüße, 世界 👋🏽!",
        toolCalls: [FakeToolCall(name: "weather", arguments: #"{"city":"Zürich"}"#), FakeToolCall(name: "clock", arguments: "{}")],
        usage: TokenUsage(inputTokens: 10, outputTokens: 5)
    )

    /// The raw `text/event-stream` body the fake server sends for `turn` on `path`.
    func rawStream(path: String, body: String) async throws -> [UInt8] {
        try await withFakeModelServer { server in
            server.enqueue(Self.turn)
            let request = HTTPRequest(method: "POST", url: server.baseURL + path, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
            return try await ProviderTestHTTP.client.send(request).body
        }
    }

    func decode<State: ModelStreamDecoding>(_ bytes: [UInt8], splitAt cuts: [Int], into state: State) throws -> (String, ModelResponse) {
        var state = state
        var parser = ServerSentEventParser()
        var events = ServerSentEventBatch()
        var text = ""
        var start = 0
        for end in cuts + [bytes.count] {
            try parser.feed(bytes[start..<end], into: &events)
            for event in events {
                if let delta = try state.consume(event: event) { text += delta }
            }
            start = end
        }
        return (text, try state.response())
    }

    /// Seconds of CPU in a debug build: off the cooperative pool, which the other suites' servers share.
    func check<State: ModelStreamDecoding>(_ bytes: [UInt8], _ makeState: () -> State) async throws {
        try await offThePool {
            let (_, whole) = try decode(bytes, splitAt: [], into: makeState())
            #expect(whole.text == Self.turn.text)
            #expect(whole.toolCalls.map(\.name) == ["weather", "clock"])
            #expect(whole.toolCalls.map(\.rawArguments) == [#"{"city":"Zürich"}"#, "{}"])
            #expect(whole.usage == TokenUsage(inputTokens: 10, outputTokens: 5))
            for cut in 1..<bytes.count {
                let (text, response) = try decode(bytes, splitAt: [cut], into: makeState())
                #expect(text == whole.text)
                #expect(response == whole)
            }
            let (text, response) = try decode(bytes, splitAt: Array(1..<bytes.count), into: makeState())  // one byte at a time
            #expect(text == whole.text)
            #expect(response == whole)
        }
    }

    @Test func openAI() async throws {
        let bytes = try await rawStream(path: "/v1/chat/completions", body: #"{"model": "m", "stream": true, "stream_options": {"include_usage": true}, "messages": []}"#)
        #expect(bytes.count > 1000)
        try await check(bytes) { OpenAIStreamAssembler() }
    }

    @Test func anthropic() async throws {
        let bytes = try await rawStream(path: "/v1/messages", body: #"{"model": "m", "stream": true, "messages": []}"#)
        #expect(bytes.count > 1000)
        try await check(bytes) { AnthropicStreamAssembler() }
    }
}
