// ModelServerCheck: proves that the benchmarks' lean model server answers byte for byte like
// BrigadeTesting's FakeModelServer (on FlyingFox), which the benchmarks used before.
//
// 1. Records the requests Brigade really sends in the benchmarks' scenarios (a batch of echo items,
//    agent runs with 4 x 2 and 16 tool calls, streamed and not, OpenAI and Anthropic) against a
//    FakeModelServer answering with BenchScenario.
// 2. Replays them, plus hand-made edge cases (an unknown path, Connection headers, HTTP/1.0),
//    over one raw keep-alive connection each to a fresh FakeModelServer and to the lean server
//    child process (ModelServerProcess, as the benchmarks start it), and compares the responses'
//    bytes: status line, headers, chunk framing, events, ids, usage.
// 3. Checks the lean server's timings: every Brigade request held at least its scenario's latency.
//
// Run: `swift run -c release ModelServerCheck` in Benchmarks/. Exits 0 when all match.
import BenchSupport
import Brigade
import BrigadeTesting
import CurlHTTP
import Foundation
import Logging

ModelServerProcess.serveIfRequested()

let latencyMilliseconds = 2
let logger = Logger(label: "model-server-check", factory: { _ in SwiftLogNoOpLogHandler() })
let httpClient = HTTPClient(configuration: .init(maxConnectionsPerHost: 8, maxCachedConnections: 8))

/// Runs the benchmarks' kinds of work against `server` so that it records Brigade's requests.
func driveBrigade(against server: FakeModelServer) async throws {
    func openAI(streaming: Bool) -> OpenAIChatClient {
        OpenAIChatClient(
            configuration: .init(baseURL: server.openAIBaseURL, apiKey: "bench", model: "bench", streaming: streaming, retryPolicy: .none),
            httpClient: httpClient)
    }
    // BatchBenchmarks: echo items through the batch engine.
    let runner = AgentBatchRunner(
        registry: ToolRegistry(), configuration: Agent.Configuration(model: openAI(streaming: true), systemPrompt: "You are a benchmark.", routing: .model),
        logger: logger)
    let prompt = BenchScenario(latencyMilliseconds: latencyMilliseconds).prompt
    let input = try BatchInput(entries: (1...12).map { .item(BatchItem(id: BatchItemID($0), prompt: "\(prompt) item=\($0)", line: $0)) })
    let folder = try makeTemporaryDirectory("model-server-check")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let summary = try await BatchEngine(runner: runner, configuration: BatchConfiguration(concurrency: 4)).run(input, resultsPath: folder + "/results.jsonl")
    guard summary.ok == 12 else { throw CheckFailure("the batch ran \(summary.ok) of 12 items ok") }

    // AgentBenchmarks (streamed) and MapBenchmarks (not streamed): tool rounds, then the answer.
    let wait = Tool(name: "wait", description: "Returns at once.") { _, _ in ToolOutput(text: "waited") }
    for (streaming, scenario) in [
        (true, BenchScenario(calls: 4, rounds: 2, latencyMilliseconds: latencyMilliseconds)),
        (true, BenchScenario(calls: 16, rounds: 1, latencyMilliseconds: latencyMilliseconds)),
        (false, BenchScenario(calls: 2, rounds: 1, latencyMilliseconds: latencyMilliseconds)),
        (false, BenchScenario(latencyMilliseconds: latencyMilliseconds)),
    ] {
        var registry = ToolRegistry()
        try registry.register(wait)
        let configuration = Agent.Configuration(
            model: openAI(streaming: streaming), limits: Budget.Limits(maxTurns: scenario.rounds + 2), systemPrompt: "You are a benchmark.",
            dispatch: Dispatcher.Configuration(maxParallelCalls: max(1, scenario.calls)), routing: .model)
        let result = await Agent(registry: registry, configuration: configuration, logger: logger).run(scenario.prompt)
        guard result.stopReason == .finished, result.toolCalls == scenario.calls * scenario.rounds else {
            throw CheckFailure("the agent run for \(scenario.prompt) stopped with \(result.stopReason) after \(result.toolCalls) calls")
        }
    }
    // The Anthropic API, streamed and not (no benchmark uses it yet; the lean server serves it too).
    for streaming in [true, false] {
        let model = AnthropicClient(
            configuration: .init(baseURL: server.anthropicBaseURL, apiKey: "bench", model: "bench", streaming: streaming, retryPolicy: .none),
            httpClient: httpClient)
        let result = await Agent(registry: ToolRegistry(), configuration: Agent.Configuration(model: model, routing: .model), logger: logger).run(prompt)
        guard result.stopReason == .finished else { throw CheckFailure("the Anthropic run stopped with \(result.stopReason)") }
    }
}

/// One request to replay: its bytes for a server at a port (the Host header names the port).
struct Replay {
    var label: String
    var bytes: @Sendable (UInt16) -> [UInt8]
}

func replay(of request: FakeModelRequest, index: Int) -> Replay {
    let kind = "\(request.api == .openAIChat ? "OpenAI" : "Anthropic") \(request.isStreaming ? "stream" : "JSON")"
    return Replay(label: "Brigade request \(index + 1) (\(kind))") { port in
        let headers = request.headers.filter { $0.key != "host" && $0.key != "content-length" }.sorted { $0.key < $1.key }
        var head = "\(request.method) \(request.path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(request.bodyText.utf8.count)\r\n\r\n"
        return Array((head + request.bodyText).utf8)
    }
}

/// Edge cases Brigade does not send but a server must get right; the last one closes the connection.
func handMadeReplays() -> [Replay] {
    func request(_ label: String, path: String = "/v1/chat/completions", version: String = "HTTP/1.1", host: String? = nil, extra: String = "", body: String) -> Replay {
        Replay(label: label) { port in
            Array("POST \(path) \(version)\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\n\(extra)Content-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        }
    }
    let echo = #"{"model":"m","stream":true,"messages":[{"role":"user","content":"latency_ms=1 héllo wörld 👋🏽 \"quoted\"\n"}]}"#
    let tools = #"{"model":"m","messages":[{"role":"user","content":"calls=3 tool=look latency_ms=1"}],"tools":[{"type":"function","function":{"name":"look","parameters":{}}}]}"#
    return [
        request("unknown path", path: "/v1/embeddings", body: "{}"),
        request("another server's Host", host: "127.0.0.1:1", body: echo),
        request("Connection: keep-alive echoed", extra: "Connection: keep-alive\r\n", body: echo),
        request("non-ASCII prompt, streamed", body: echo),
        request("tool calls, JSON", body: tools),
        request("not JSON", body: "not json"),
        request("HTTP/1.0 keep-alive", version: "HTTP/1.0", extra: "Connection: keep-alive\r\n", body: tools),
        request("Connection: close", extra: "Connection: close\r\n", body: echo),
    ]
}

/// Each replay's response from a server at `port`, over one connection; with `closes`, checks that
/// the server closed it after the last request (`Connection: close`).
func responses(port: UInt16, replays: [Replay], closes: Bool = false) throws -> [[UInt8]] {
    let connection = try RawHTTPConnection(port: port)
    let answers = try replays.map { try connection.exchange($0.bytes(port)) }
    if closes, !connection.isClosedByServer() { throw CheckFailure("the server on port \(port) kept the connection open after `Connection: close`") }
    return answers
}

func replacing(_ old: [UInt8], with new: [UInt8], in bytes: [UInt8]) -> [UInt8] {
    guard let start = RawHTTPConnection.find(old, in: bytes, from: 0) else { return bytes }
    return Array(bytes[..<start]) + new + replacing(old, with: new, in: Array(bytes[(start + old.count)...]))
}

func firstDifference(_ left: [UInt8], _ right: [UInt8]) -> String {
    let index = (0..<min(left.count, right.count)).first { left[$0] != right[$0] } ?? min(left.count, right.count)
    func excerpt(_ bytes: [UInt8]) -> String { String(decoding: bytes[max(0, index - 60)..<min(bytes.count, index + 60)], as: UTF8.self).debugDescription }
    return "lengths \(left.count) and \(right.count), first difference at byte \(index):\n  FlyingFox: \(excerpt(left))\n  lean:      \(excerpt(right))"
}

do {
    let recorder = try await FakeModelServer.start()
    recorder.respond(with: BenchScenario.respond(to:))
    try await driveBrigade(against: recorder)
    let recorded = recorder.requests
    await recorder.stop()
    let brigadeReplays = recorded.enumerated().map { replay(of: $0.element, index: $0.offset) }
    let handMade = handMadeReplays()
    let replays = brigadeReplays + handMade

    let flyingFox = try await FakeModelServer.start(recordsRequests: false)
    flyingFox.respond(with: BenchScenario.respond(to:))
    let expected = try responses(port: flyingFox.port, replays: brigadeReplays) + responses(port: flyingFox.port, replays: handMade, closes: true)
    await flyingFox.stop()

    let baseURL = try await ModelServerProcess.shared.start()
    guard let port = URLComponents(string: baseURL)?.port.flatMap({ UInt16(exactly: $0) }) else { throw CheckFailure("no port in \(baseURL)") }
    let lean = try responses(port: port, replays: brigadeReplays)
    let timings = try await ModelServerProcess.shared.timings()
    let leanHandMade = try responses(port: port, replays: handMade, closes: true)
    await ModelServerProcess.shared.stop()

    // The 421 message names the server's port: both are ephemeral ports, of five digits.
    let expectedHere = expected.map { replacing(Array("port \(flyingFox.port) ".utf8), with: Array("port \(port) ".utf8), in: $0) }
    var mismatches = 0
    for (index, replay) in replays.enumerated() where expectedHere[index] != (lean + leanHandMade)[index] {
        mismatches += 1
        print("DIFFERENT: \(replay.label): \(firstDifference(expectedHere[index], (lean + leanHandMade)[index]))")
    }
    if timings.requests != recorded.count || timings.minHeldMilliseconds < Double(latencyMilliseconds) {
        print("DIFFERENT: the lean server's timings: \(timings.line); expected \(recorded.count) requests, each held ≥ \(latencyMilliseconds) ms")
        mismatches += 1
    }
    let bytes = expected.reduce(0) { $0 + $1.count }
    print("\(replays.count) requests (\(recorded.count) recorded from Brigade, \(replays.count - recorded.count) hand-made), \(bytes) response bytes: \(mismatches == 0 ? "all byte-for-byte equal" : "\(mismatches) different")")
    print("lean server, Brigade's requests: \(timings.line)")
    exit(mismatches == 0 ? 0 : 1)
} catch {
    print("model server check failed: \(error)")
    exit(2)
}
