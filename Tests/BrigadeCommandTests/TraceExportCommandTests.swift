import Brigade
import BrigadeTesting
import Foundation
import Testing

/// `brigade ask` with the OpenTelemetry variables set: its spans reach a collector stand-in, and a
/// collector that is unreachable, failing or hanging never changes the run or its exit code.
@Suite("brigade ask exports its spans over OTLP", .timeLimit(.minutes(2)))
struct TraceExportCommandTests {
    static let key = "sk-cli-otel-0123456789-secret"

    /// A folder whose config points at `server`, with one `echo` command tool; the model asks for two
    /// echo calls in one turn, then answers.
    func askFolder(_ server: FakeModelServer) throws -> TemporaryFolder {
        server.enqueue(
            .toolCalls([FakeToolCall(name: "echo", json: ["text": "one"], id: "call_1"), FakeToolCall(name: "echo", json: ["text": "two"], id: "call_2")],
                       text: "Looking.", usage: TokenUsage(inputTokens: 100, outputTokens: 20)),
            .text("Done.", usage: TokenUsage(inputTokens: 300, outputTokens: 10)))
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", """
            model: {provider: openai, base_url: \(server.openAIBaseURL), model: fake, api_key_env: FAKE_KEY}
            routing: model
            """)
        try folder.write("tools/echo.yaml", """
            name: echo
            description: Echoes.
            kind: command
            parameters: {type: object, properties: {text: {type: string}}, required: [text]}
            command: {argv: [echo, "{{text}}"]}
            """)
        return folder
    }

    func ask(_ folder: borrowing TemporaryFolder, _ environment: [String: String]) async throws -> Brigade.Outcome {
        try await Brigade.run(["ask", "--no-store", "echo one and two"], in: folder.path, environment: environment.merging(["FAKE_KEY": Self.key]) { a, _ in a })
    }

    func exportLines(_ outcome: Brigade.Outcome) -> [Substring] {
        outcome.standardError.split(separator: "\n").filter { $0.contains("OTLP") || $0.contains("traces are not exported") }
    }

    @Test func theSpansOfTheRunReachTheCollectorWithTheHeaders() async throws {
        try await withFakeCollector { collector in
            try await withFakeModelServer { server in
                let folder = try askFolder(server)
                let outcome = try await ask(folder, [
                    "OTEL_EXPORTER_OTLP_ENDPOINT": collector.baseURL,
                    // The collector answers from this process's pool, which the suite's start keeps
                    // busy for seconds: the default 2 s exit wait is for a hanging collector (below).
                    "OTEL_EXPORTER_OTLP_TIMEOUT": "30000",
                    "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer%20collector-token,x-tenant=brigade-tests",
                    "OTEL_SERVICE_NAME": "ask-under-test",
                    "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true",
                ])
                #expect(outcome.status == 0, "\(outcome.standardError)")
                #expect(outcome.standardOutput == "Looking.\nDone.\n")
                #expect(exportLines(outcome).isEmpty, "\(outcome.standardError)")
                // The CLI waited for the export before it exited: the spans are there already.
                let exports = collector.exports
                #expect(exports.count == 1)
                let export = try #require(exports.first)
                #expect(export.path == "/v1/traces")
                #expect(export.headers["authorization"] == "Bearer collector-token")
                #expect(export.headers["x-tenant"] == "brigade-tests")
                #expect(export.bodyText.contains(#"{"key":"service.name","value":{"stringValue":"ask-under-test"}}"#))
                let names = export.spans.compactMap { $0["name"]?.stringValue }
                #expect(names.first == "invoke_agent brigade")
                #expect(names.filter { $0 == "execute_tool echo" }.count == 2)
                #expect(names.filter { $0 == "chat fake" }.count == 2)
                #expect(export.bodyText.contains(#""gen_ai.tool.call.arguments","value":{"stringValue":"{\"text\":\"one\"}"}"#), "\(export.bodyText)")
                #expect(!export.bodyText.contains(Self.key))
            }
        }
    }

    @Test func anUnreachableCollectorIsOneWarningAndTheRunIsUnchanged() async throws {
        try await withFakeModelServer { server in
            let folder = try askFolder(server)
            let outcome = try await ask(folder, ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:1/v1/traces"])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(outcome.standardOutput == "Looking.\nDone.\n")
            let lines = exportLines(outcome)
            #expect(lines.count == 1, "\(outcome.standardError)")
            #expect(lines.first?.hasPrefix("brigade: traces are not exported to http://127.0.0.1:1/v1/traces: ") == true)
        }
    }

    @Test func aFailingCollectorIsOneWarningAndTheRunIsUnchanged() async throws {
        try await withFakeCollector { collector in
            collector.behaviour = .fail(status: 500)
            try await withFakeModelServer { server in
                let folder = try askFolder(server)
                let outcome = try await ask(folder, ["OTEL_EXPORTER_OTLP_ENDPOINT": collector.baseURL, "OTEL_EXPORTER_OTLP_TIMEOUT": "30000"])
                #expect(outcome.status == 0, "\(outcome.standardError)")
                let lines = exportLines(outcome)
                #expect(lines.count == 1 && lines[0].contains("HTTP 500"), "\(outcome.standardError)")
            }
        }
    }

    @Test func aHangingCollectorDoesNotKeepTheCommandFromExiting() async throws {
        try await withFakeCollector { collector in
            collector.behaviour = .hang
            try await withFakeModelServer { server in
                let folder = try askFolder(server)
                let outcome = try await ask(folder, ["OTEL_EXPORTER_OTLP_ENDPOINT": collector.baseURL])
                #expect(outcome.status == 0, "\(outcome.standardError)")
                #expect(outcome.standardOutput == "Looking.\nDone.\n")
                #expect(collector.requestCount == 1)
                let lines = exportLines(outcome)
                #expect(lines.count == 1 && lines[0].contains("did not answer within 2 s"), "\(outcome.standardError)")
            }
        }
    }

    /// An export timeout set in the environment is the exit wait, also when it is over 2 s.
    @Test func anExportTimeoutFromTheEnvironmentIsTheExitWait() async throws {
        try await withFakeCollector { collector in
            collector.behaviour = .hang
            try await withFakeModelServer { server in
                let folder = try askFolder(server)
                let outcome = try await ask(folder, ["OTEL_EXPORTER_OTLP_ENDPOINT": collector.baseURL, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "3000"])
                #expect(outcome.status == 0, "\(outcome.standardError)")
                let lines = exportLines(outcome)
                // The export's own 3 s deadline and the 3 s exit wait end together: either may say so
                // first — never the 2 s default.
                #expect(lines.count == 1 && (lines[0].contains("did not answer within 3 s") || lines[0].contains("the request's deadline passed")), "\(outcome.standardError)")
                #expect(!outcome.standardError.contains("within 2 s"), "\(outcome.standardError)")
            }
        }
    }

    @Test func anUnsupportedProtocolIsOneWarningAndNoExport() async throws {
        try await withFakeCollector { collector in
            try await withFakeModelServer { server in
                let folder = try askFolder(server)
                let outcome = try await ask(folder, ["OTEL_EXPORTER_OTLP_ENDPOINT": collector.baseURL, "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"])
                #expect(outcome.status == 0, "\(outcome.standardError)")
                let lines = exportLines(outcome)
                #expect(lines.count == 1 && lines[0].contains("OTLP protocol grpc is not supported"), "\(outcome.standardError)")
                #expect(collector.requestCount == 0)
            }
        }
    }

    @Test func theSDKSwitchesTurnExportOffSilently() async throws {
        try await withFakeCollector { collector in
            for off in [["OTEL_SDK_DISABLED": "true"], ["OTEL_TRACES_EXPORTER": "none"]] {
                try await withFakeModelServer { server in
                    let folder = try askFolder(server)
                    let outcome = try await ask(folder, off.merging(["OTEL_EXPORTER_OTLP_ENDPOINT": collector.baseURL]) { a, _ in a })
                    #expect(outcome.status == 0, "\(outcome.standardError)")
                    #expect(exportLines(outcome).isEmpty, "\(outcome.standardError)")
                }
            }
            #expect(collector.requestCount == 0)
        }
    }
}
