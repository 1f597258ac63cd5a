import Brigade
import BrigadeTesting
import CurlHTTP
import Testing

@Suite("Secret redaction", .timeLimit(.minutes(1)))
struct SecretRedactionTests {
    static let key = "sk-live-0123456789abcdefGHIJ"

    @Test func anyPieceOfEightBytesOrMoreIsRedactedWhateverItsCase() {
        let redactor = SecretRedactor(secrets: [Self.key, "tok-XYZ98765-secret"])
        #expect(redactor.redact("key: \(Self.key).") == "key: [redacted].")
        #expect(redactor.redact("half 456789abcdef was sent") == "half [redacted] was sent")
        #expect(redactor.redact("SK-LIVE-0123 upper") == "[redacted] upper")
        #expect(redactor.redact("two 0123456789 and XYZ98765-s") == "two [redacted] and [redacted]")
        // Seven bytes are not enough; other text stays as it is.
        #expect(redactor.redact("sk-live and 0123456 and café") == "sk-live and 0123456 and café")
        #expect(SecretRedactor(secrets: ["", "abc"]).isEmpty)
        #expect(SecretRedactor(secrets: ["short"]).redact("a short one") == "a [redacted] one")
    }

    @Test func aLongTextIsScannedOnceAndKeepsEverythingElse() async {
        await offThePool {
            let redactor = SecretRedactor(secrets: [Self.key])
            let filler = String(repeating: "0123456 sk-live ", count: 200_000)
            let text = filler + "abcdefGHIJ" + filler
            #expect(redactor.redact(text) == filler + "[redacted]" + filler)
        }
    }

    @Test func aServerEchoingAFragmentOfTheKeyDoesNotLeakIt() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.fault(.status(401, message: "Incorrect API key provided: sk-live-01**********GHIJ (fragment 3456789abcde).")))
            let client = OpenAIChatClient(
                configuration: .init(baseURL: server.openAIBaseURL, apiKey: Self.key, model: "gpt-test", retryPolicy: ProviderTestHTTP.fastRetries),
                httpClient: ProviderTestHTTP.client)
            var failure: ModelError?
            do {
                _ = try await client.complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            } catch {
                failure = error as? ModelError
            }
            let message = try #require(failure).description
            #expect(message.contains("(fragment [redacted])"), "\(message)")
            #expect(!message.contains("3456789a"))
            #expect(!message.contains("sk-live-01"))
        }
    }
}

@Suite("Values quoted in errors are size-capped")
struct ErrorQuoteTests {
    @Test func aHugeValueIsCutWithItsTrueSize() async {
        await offThePool {
            let huge = String(repeating: "é", count: 6_000_000)
            let quoted = huge.quotedForError(limit: 201)
            #expect(quoted == String(repeating: "é", count: 100) + "…(12,000,000 bytes)")
            #expect("short".quotedForError() == "short")
        }
    }

    @Test func aHugeBadConfigValueMakesASmallError() async {
        await offThePool {
            let huge = "ftp://" + String(repeating: "x", count: 15_000_000)
            let yaml = "models:\n  a: {provider: openai, model: m, base_url: \"\(huge)\"}\nmodel: a\n"
            var message = ""
            do { _ = try BrigadeConfig.parse(yaml, file: "/p/config.yaml", environment: [:]) } catch { message = "\(error)" }
            #expect(message.contains("must start with http:// or https://"), "\(message.prefix(300))")
            #expect(message.contains("…(15,000,006 bytes)"), "\(message.prefix(300))")
            #expect(message.utf8.count < 1_000)
        }
    }
}
