import Brigade
import BrigadeTesting
import CurlHTTP
import Testing

/// A model server that never stops — a line, an event, tool arguments or text without end, or
/// nothing but keep-alives — must end the call with bounded memory and an error naming the cap.
/// Before these caps each of these calls ran until the suite's time limit, memory growing byte
/// for byte.
@Suite("Hostile model servers", .serialized, .timeLimit(.minutes(2)))
struct HostileModelServerTests {
    enum Provider: String, CaseIterable, Sendable { case openAI, anthropic }

    static let smallLimits = ModelResponseLimits(maxLineBytes: 64 * 1024, maxEventBytes: 256 * 1024, maxToolArgumentBytes: 32 * 1024, maxResponseBytes: 8 * 1024 * 1024)

    func client(_ provider: Provider, _ server: FakeModelServer, limits: ModelResponseLimits = smallLimits, idle: Duration = .seconds(60), log: ProviderCallLog? = nil) -> any ModelClient {
        switch provider {
        case .openAI:
            OpenAIChatClient(
                configuration: .init(baseURL: server.openAIBaseURL, apiKey: "k", model: "m", retryPolicy: ProviderTestHTTP.fastRetries, idleTimeout: idle, responseLimits: limits),
                httpClient: ProviderTestHTTP.client, onRetry: log?.onRetry
            )
        case .anthropic:
            AnthropicClient(
                configuration: .init(baseURL: server.anthropicBaseURL, apiKey: "k", model: "m", retryPolicy: ProviderTestHTTP.fastRetries, idleTimeout: idle, responseLimits: limits),
                httpClient: ProviderTestHTTP.client, onRetry: log?.onRetry
            )
        }
    }

    func failure(
        _ provider: Provider, _ turn: FakeTurn, limits: ModelResponseLimits = smallLimits, idle: Duration = .seconds(60),
        code: ModelError.Code = .malformedResponse
    ) async throws -> ModelError? {
        try await withFakeModelServer { server in
            server.enqueue(turn)
            let log = ProviderCallLog()
            let client = client(provider, server, limits: limits, idle: idle, log: log)
            let error = await expectProviderFailure(code) {
                try await client.complete(ModelRequest(messages: [.user("go")], maxOutputTokens: 1_000_000), deadline: nil) { _ in }
            }
            #expect(log.retryEvents.isEmpty, "a cap is not retried: \(log.retryEvents.map(\.error))")
            return error
        }
    }

    @Test("a line that never ends fails at maxLineBytes", arguments: Provider.allCases)
    func endlessLine(provider: Provider) async throws {
        let error = try await failure(provider, .fault(.endlessLine))
        #expect(error?.message.contains("65536-byte cap (maxLineBytes)") == true, "\(String(describing: error))")
    }

    @Test("an event that never ends fails at maxEventBytes", arguments: Provider.allCases)
    func endlessEvent(provider: Provider) async throws {
        let error = try await failure(provider, .fault(.endlessEvent))
        #expect(error?.message.contains("262144-byte cap (maxEventBytes)") == true, "\(String(describing: error))")
    }

    @Test("tool-call arguments that never end fail at maxToolArgumentBytes", arguments: Provider.allCases)
    func endlessArguments(provider: Provider) async throws {
        let turn = FakeTurn(
            toolCalls: [FakeToolCall(name: "shell", arguments: #"{"cmd": "endless-arguments "#)],
            fault: .repeatEventForever(containing: "endless-arguments"), argumentFragmentSize: 40
        )
        let error = try await failure(provider, turn)
        #expect(error?.message.contains(#"tool call "shell"'s arguments passed the 32768-byte cap (maxToolArgumentBytes)"#) == true, "\(String(describing: error))")
    }

    @Test("a response past maxResponseBytes fails, keep-alive comments counted", arguments: Provider.allCases)
    func responseCap(provider: Provider) async throws {
        let limits = ModelResponseLimits(maxResponseBytes: 2 * 1024 * 1024)
        let error = try await failure(provider, .fault(.keepAlivesForever), limits: limits)
        #expect(error?.message.contains("2097152-byte cap (maxResponseBytes)") == true, "\(String(describing: error))")
    }

    @Test("text streamed past max_tokens is cut at the allowance, ends as .length and is counted", arguments: Provider.allCases)
    func textPastMaxTokens(provider: Provider) async throws {
        try await withFakeModelServer { server in
            let piece = "endless words that ignore max_tokens. "
            server.enqueue(FakeTurn(text: piece, fault: .repeatEventForever(containing: "endless words"), textPieceSize: 1000))
            let deltas = ProviderCallLog()
            let response = try await client(provider, server).complete(ModelRequest(messages: [.user("go")], maxOutputTokens: 1000), deadline: nil, onTextDelta: deltas.onTextDelta)
            let allowance = ModelResponseLimits.outputTokenAllowance(maxOutputTokens: 1000)
            #expect(allowance == 2256)
            #expect(response.finishReason == .length)
            #expect(response.toolCalls.isEmpty)
            let bytes = response.text.utf8.count
            #expect(bytes > allowance * 4 && bytes <= allowance * 4 + piece.utf8.count, "\(bytes) bytes")
            #expect(deltas.textDeltas.joined() == response.text)
            if provider == .anthropic {
                // message_start reported usage; its output is raised to what was read.
                #expect((response.usage?.outputTokens ?? 0) >= allowance)
            }
        }
    }

    /// Keep-alives flow as fast as the server can send them (so curl's own idle timer, which any
    /// byte resets, never fires); a cap far above what two seconds of them can reach.
    static let roomForKeepAlives = ModelResponseLimits(maxResponseBytes: 1 << 40)

    @Test("keep-alive comments do not reset the idle timer", arguments: Provider.allCases)
    func keepAliveComments(provider: Provider) async throws {
        let error = try await failure(provider, .fault(.keepAlivesForever), limits: Self.roomForKeepAlives, idle: .seconds(2), code: .unreachable)
        #expect(error?.message.contains("sent only keep-alives for 2 s (idle timeout)") == true, "\(String(describing: error))")
    }

    @Test("Anthropic ping events do not reset the idle timer")
    func pingEvents() async throws {
        let turn = FakeTurn(text: "hello", fault: .repeatEventForever(containing: "\"ping\""))
        let error = try await failure(.anthropic, turn, limits: Self.roomForKeepAlives, idle: .seconds(2), code: .unreachable)
        #expect(error?.message.contains("keep-alives") == true, "\(String(describing: error))")
    }
}
