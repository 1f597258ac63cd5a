import BenchSupport
import Benchmark
import Brigade
import CurlHTTP
import Foundation
import Logging

/// Map-reduce over 500 one-line chunks against the model server child process, which answers every
/// request after 100 ms (the brief carries `latency_ms=100`), at concurrency 32, with one reduce call.
/// The bound is 500 × 100 ms / 32 + one 100 ms reduce = 1.6625 s; `efficiency %` = bound / wall.
/// After each iteration the server's recorded request times are checked: 501 requests, each held at
/// least 100 ms, at most 32 at once (else the iteration is an error, not a number).
let benchmarks: @Sendable () -> Void = {
    ModelServerProcess.serveIfRequested()
    Benchmark(
        "Map-reduce 500 chunks, concurrency 32, 100 ms model latency",
        configuration: .init(
            metrics: [.wallClock, .cpuTotal, .peakMemoryResident, MapRig.efficiency], timeUnits: .milliseconds,
            units: [MapRig.efficiency: .count], warmupIterations: 1, maxDuration: .seconds(60), maxIterations: 5,
            setup: { _ = try await ModelServerProcess.shared.start() }, teardown: { await ModelServerProcess.shared.stop() }
        )
    ) { benchmark in
        try await MapRig.run(chunks: 500, concurrency: 32, latencyMilliseconds: 100, benchmark: benchmark)
    }
}

enum MapRig {
    static let efficiency = BenchmarkMetric.custom("efficiency %", polarity: .prefersLarger, useScalingFactor: false)
    static let logger = Logger(label: "brigade-bench", factory: { _ in SwiftLogNoOpLogHandler() })
    static let httpClient = HTTPClient(configuration: .init(maxConnectionsPerHost: 64, maxCachedConnections: 64))

    static func run(chunks: Int, concurrency: Int, latencyMilliseconds: Int, benchmark: Benchmark) async throws {
        let baseURL = try await ModelServerProcess.shared.start()
        let model = OpenAIChatClient(
            configuration: .init(baseURL: baseURL, apiKey: "bench", model: "bench", streaming: false, retryPolicy: .none), httpClient: httpClient)
        let agent = Agent(registry: ToolRegistry(), configuration: Agent.Configuration(model: model, routing: .model), logger: logger)
        var configuration = MapReduce.Configuration(
            brief: "latency_ms=\(latencyMilliseconds) list the numbers", chunker: MapChunker(maxTokens: 1), concurrency: concurrency,
            reduceInputTokens: 1_000_000)
        configuration.mapPrompt = "map"
        configuration.reducePrompt = "reduce"
        let source = MapSource(name: "numbers.txt", text: (1...chunks).map { "n\($0)" }.joined(separator: "\n\n"))
        _ = try await ModelServerProcess.shared.timings()  // forget the warm-up's requests
        let start = ContinuousClock.now
        benchmark.startMeasurement()
        let report = try await MapReduce(agent: agent, configuration: configuration).run([source])
        benchmark.stopMeasurement()
        let wall = ContinuousClock.now - start
        precondition(report.chunks.count == chunks && report.failed.isEmpty && !report.reduction.isPartial, "map-reduce failed: \(report.text.prefix(300))")
        let served = try await ModelServerProcess.shared.timings()
        if served.requests != chunks + 1 || served.minHeldMilliseconds < Double(latencyMilliseconds) || served.maxConcurrent > concurrency {
            benchmark.error("the model server did not serve the workload as meant: \(served.line)")
        }
        let latency = Double(latencyMilliseconds) / 1000
        let bound = Double(chunks) * latency / Double(concurrency) + latency
        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        benchmark.measurement(efficiency, Int((bound / seconds * 100).rounded()))
        FileHandle.standardError.write(Data("map-reduce: wall \(String(format: "%.3f", seconds)) s, bound \(String(format: "%.4f", bound)) s, \(String(format: "%.1f", bound / seconds * 100)) % of the bound; server: \(served.line)\n".utf8))
    }
}
