import BrigadeTesting
import CurlHTTP
import Foundation
import Logging
import Synchronization
import Testing
import Brigade
@testable import BrigadeCore
@testable import BrigadeProviders
@testable import BrigadeTelemetry

/// A real run — the fake model server with a retried model call, two parallel calls of which one is a
/// sub-agent — exported to the collector stand-in, with the store off.
@Suite("Run spans exported over OTLP", .timeLimit(.minutes(1)))
struct OTLPRunExportTests {
    static let secret = "sk-otel-test-0123456789SECRET"

    struct Received {
        var spans: [JSONValue]
        var runID: RunID

        func spans(named name: String) -> [JSONValue] { spans.filter { $0["name"]?.stringValue == name } }
        func span(named name: String) throws -> JSONValue { try #require(spans(named: name).first) }
        func attribute(_ span: JSONValue, _ key: String) -> JSONValue? {
            span["attributes"]?.arrayValue?.first { $0["key"]?.stringValue == key }?["value"]
        }
    }

    func exportRun(capturingContent: Bool) async throws -> Received {
        try await withFakeCollector { collector in
            try await withFakeModelServer { server in
                let usage = TokenUsage(inputTokens: 100, outputTokens: 10)
                let failures = Mutex(1)
                server.respond { request in
                    if request.systemText == "You research." { return .text("Paris has 2.1 million people.", usage: usage) }
                    guard request.trailingToolResults.isEmpty else { return .text("Done.", usage: usage) }
                    if failures.withLock({ count in defer { count -= 1 }; return count > 0 }) { return .fault(.status(503, message: "busy")) }
                    return .toolCalls([
                        FakeToolCall(name: "echo", json: ["text": .string("quick \(Self.secret)")], id: "call_echo"),
                        FakeToolCall(name: "researcher", json: ["task": "population of Paris"], id: "call_r"),
                    ], text: "Looking.", usage: usage)
                }
                let http = HTTPClient()
                let echo = Tool(name: "echo", description: "Echoes.", parameters: ["type": "object", "properties": ["text": ["type": "string"]]]) { arguments, _ in
                    ToolOutput(text: arguments["text"]?.stringValue ?? "")
                }
                let registry = try WorkerTestSupport.registry("""
                    tools:
                      - name: researcher
                        description: Looks a fact up.
                        kind: agent
                        agent: {prompt: researcher.md, limits: {max_turns: 3}}
                    """, prompts: ["researcher.md": "You research."], extra: [echo])
                let client = OpenAIChatClient(
                    configuration: .init(baseURL: server.openAIBaseURL, apiKey: "k", model: "gpt-test", streaming: true,
                                         retryPolicy: RetryPolicy(maxRetries: 2, initialBackoff: .milliseconds(5))),
                    httpClient: http)
                let exporter = OTLPTraceExporter(
                    settings: OTLPTraceSettings(url: collector.baseURL + "/v1/traces", serviceName: "otel-run-test", capturesContent: capturingContent),
                    httpClient: http, secrets: [Self.secret], onFailure: { Issue.record("export failed: \($0)") })
                let configuration = Agent.Configuration(
                    model: client, systemPrompt: "You plan.", dispatch: Dispatcher.Configuration(maxParallelCalls: 8), traceExporter: exporter)
                let agent = Agent(registry: registry, configuration: configuration, logger: Logger(label: "test"))
                let session = AgentSession()
                let result = try await agent.run("echo and research \(Self.secret)", options: RunOptions(session: session))
                #expect(result.stopReason == .finished)
                #expect(await exporter.flush(timeout: .seconds(30)))
                await exporter.shutdown(timeout: .seconds(5))
                await http.shutdown()
                return Received(spans: collector.spans, runID: try #require(result.runID))
            }
        }
    }

    @Test func theSpansOfARunArriveNestedWithTheGenAIAttributes() async throws {
        let received = try await exportRun(capturingContent: false)
        let spans = received.spans
        // One trace; every parent is a span of it; exactly one root.
        let traceIDs = Set(spans.compactMap { $0["traceId"]?.stringValue })
        #expect(traceIDs.count == 1 && traceIDs.first?.count == 32)
        let ids = Set(spans.compactMap { $0["spanId"]?.stringValue })
        #expect(ids.count == spans.count)
        #expect(spans.filter { $0["parentSpanId"] == nil }.count == 1)
        #expect(spans.allSatisfy { span in span["parentSpanId"]?.stringValue.map(ids.contains) ?? true })

        let root = try received.span(named: "invoke_agent brigade")
        #expect(root["parentSpanId"] == nil)
        #expect(received.attribute(root, "gen_ai.operation.name") == .object(["stringValue": "invoke_agent"]))
        #expect(received.attribute(root, "brigade.run.id") == .object(["stringValue": .string(received.runID.rawValue)]))
        #expect(received.attribute(root, "brigade.stop_reason") == .object(["stringValue": "finished"]))
        #expect(received.attribute(root, "gen_ai.conversation.id") != nil)

        // The parallel calls: execute_tool spans under the same turn, overlapping in time.
        let echo = try received.span(named: "execute_tool echo")
        let researcher = try received.span(named: "execute_tool researcher")
        #expect(echo["parentSpanId"] == researcher["parentSpanId"])
        #expect(received.attribute(echo, "gen_ai.tool.name") == .object(["stringValue": "echo"]))
        #expect(received.attribute(echo, "gen_ai.tool.call.id") == .object(["stringValue": "call_echo"]))
        #expect(received.attribute(echo, "gen_ai.operation.name") == .object(["stringValue": "execute_tool"]))
        #expect(received.attribute(echo, "gen_ai.tool.call.arguments") == nil)  // content capture is off
        #expect(received.attribute(root, "brigade.prompt") == nil)
        #expect(echo["kind"] == .integer(1))

        // The sub-agent: its own invoke_agent span under the call that started it, its chat under it.
        let child = try received.span(named: "invoke_agent researcher")
        #expect(child["parentSpanId"] == researcher["spanId"])
        let childChats = received.spans(named: "chat gpt-test").filter { chat in
            spans.contains { $0["spanId"] == chat["parentSpanId"] && $0["parentSpanId"] == child["spanId"] }
        }
        #expect(childChats.count == 1)

        // Model calls: client spans with provider, models and usage; the failed attempt is an error.
        let chats = received.spans(named: "chat gpt-test")
        #expect(chats.count == 3)  // two of the parent (one retried), one of the sub-agent
        for chat in chats {
            #expect(chat["kind"] == .integer(3))
            #expect(received.attribute(chat, "gen_ai.operation.name") == .object(["stringValue": "chat"]))
            #expect(received.attribute(chat, "gen_ai.provider.name") == .object(["stringValue": "openai"]))
            #expect(received.attribute(chat, "gen_ai.request.model") == .object(["stringValue": "gpt-test"]))
            #expect(received.attribute(chat, "gen_ai.response.model") == .object(["stringValue": "gpt-test"]))
            #expect(received.attribute(chat, "gen_ai.usage.input_tokens") == .object(["intValue": "100"]))
            #expect(received.attribute(chat, "gen_ai.usage.output_tokens") == .object(["intValue": "10"]))
        }
        let attempt = try received.span(named: "chat attempt failed")
        #expect(attempt["status"]?["code"] == .integer(2))
        #expect(received.attribute(attempt, "error.type") == .object(["stringValue": "503"]))
        #expect(chats.contains { $0["spanId"] == attempt["parentSpanId"] && received.attribute($0, "brigade.retries") == .object(["intValue": "1"]) })
        // Times are nanosecond strings, each span inside its parent's.
        let byID = Dictionary(spans.map { ($0["spanId"]!.stringValue!, $0) }, uniquingKeysWith: { a, _ in a })
        for span in spans {
            let start = try #require(span["startTimeUnixNano"]?.stringValue.flatMap { UInt64($0) })
            let end = try #require(span["endTimeUnixNano"]?.stringValue.flatMap { UInt64($0) })
            #expect(start <= end && start > 1_700_000_000_000_000_000)
            if let parent = span["parentSpanId"]?.stringValue.flatMap({ byID[$0] }), span["name"] != "chat attempt failed" {
                #expect(UInt64(parent["startTimeUnixNano"]!.stringValue!)! <= start)
            }
        }
        #expect(!spans.map(\.jsonString).joined().contains(Self.secret))
    }

    @Test func contentCaptureAddsCappedPreviewsWithSecretsRedacted() async throws {
        let received = try await exportRun(capturingContent: true)
        let echo = try received.span(named: "execute_tool echo")
        let arguments = try #require(received.attribute(echo, "gen_ai.tool.call.arguments")?["stringValue"]?.stringValue)
        #expect(arguments.contains("quick") && arguments.contains("[redacted]"))
        #expect(received.attribute(echo, "gen_ai.tool.call.result")?["stringValue"]?.stringValue?.contains("[redacted]") == true)
        let root = try received.span(named: "invoke_agent brigade")
        #expect(received.attribute(root, "brigade.prompt")?["stringValue"]?.stringValue?.hasPrefix("echo and research") == true)
        #expect(!received.spans.map(\.jsonString).joined().contains(Self.secret))
    }
}
