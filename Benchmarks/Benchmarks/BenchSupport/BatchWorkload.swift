import Brigade
import CurlHTTP
import Foundation
import Logging

/// The batch of issue 17's target, shared by `BatchBenchmarks` and `FloorRunner`: `items` echo
/// items through `BatchEngine`, `AgentBatchRunner` and `OpenAIChatClient` (streaming) against the
/// benchmark model server, which answers each after 50 ms.
public enum BatchWorkload {
    static let logger = Logger(label: "brigade-bench", factory: { _ in SwiftLogNoOpLogHandler() })
    /// The benchmarks' client: one connection per concurrent item, all kept.
    public static let httpClient = HTTPClient(configuration: .init(maxConnectionsPerHost: 64, maxCachedConnections: 64))

    /// What one batch took.
    public struct Outcome: Sendable {
        public var summary: BatchSummary
        /// User + system CPU time of this process over the batch, in microseconds.
        public var cpuMicroseconds: Int { userMicroseconds + systemMicroseconds }
        /// The user-mode part of it.
        public var userMicroseconds: Int
        /// The kernel part of it.
        public var systemMicroseconds: Int
        /// Wall time of the batch, in seconds.
        public var seconds: Double
    }

    /// Runs `items` items (prompt `…latency_ms=50 item=<n>`) into a fresh results file, at most
    /// `concurrency` at once; `measuring` brackets just the batch (start, stop).
    public static func run(
        baseURL: String, items: Int, concurrency: Int, measuring: (start: () -> Void, stop: () -> Void)? = nil
    ) async throws -> Outcome {
        let model = OpenAIChatClient(
            configuration: .init(baseURL: baseURL, apiKey: "bench", model: "bench", retryPolicy: .none),
            httpClient: httpClient
        )
        let runner = AgentBatchRunner(
            registry: ToolRegistry(),
            configuration: Agent.Configuration(model: model, systemPrompt: "You are a benchmark.", routing: .model),
            logger: logger
        )
        let engine = BatchEngine(runner: runner, configuration: BatchConfiguration(concurrency: concurrency))
        let prompt = BenchScenario(latencyMilliseconds: 50).prompt
        let input = try BatchInput(entries: (1...items).map { index in
            .item(BatchItem(id: BatchItemID(index), prompt: "\(prompt) item=\(index)", line: index))
        })
        let folder = try makeTemporaryDirectory("brigade-bench-batch")
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let before = ResourceUsage.current()
        let start = ContinuousClock.now
        measuring?.start()
        let summary = try await engine.run(input, resultsPath: folder + "/results.jsonl")
        measuring?.stop()
        let elapsed = ContinuousClock.now - start
        let after = ResourceUsage.current()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Outcome(
            summary: summary, userMicroseconds: after.userMicroseconds - before.userMicroseconds,
            systemMicroseconds: after.systemMicroseconds - before.systemMicroseconds, seconds: seconds)
    }
}
