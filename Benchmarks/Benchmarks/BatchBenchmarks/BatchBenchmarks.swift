import BenchSupport
import Benchmark
import Brigade

/// Benchmarks for the batch engine: items through `AgentBatchRunner` and the OpenAI client against
/// the model server child process, which echoes each prompt after 50 ms.
let benchmarks: @Sendable () -> Void = {
    ModelServerProcess.serveIfRequested()
    let metrics: [BenchmarkMetric] = [
        .wallClock, .itemsPerSecond, .cpuPerItem, .serverCPUPerItem, .itemLatencyP50, .itemLatencyP95, .cpuTotal, .peakMemoryResident,
    ]
    let units: [BenchmarkMetric: BenchmarkUnits] = [.itemsPerSecond: .count, .cpuPerItem: .count, .serverCPUPerItem: .count, .itemLatencyP50: .count, .itemLatencyP95: .count]
    let startServer: @Sendable () async throws -> Void = { try await ModelServerProcess.shared.start() }
    let stopServer: @Sendable () async throws -> Void = { await ModelServerProcess.shared.stop() }

    // One iteration: 10,000 items take tens of seconds, too long to repeat within the framework's
    // iteration model on a shared 2-core machine. The 1,000-item variant below gives medians.
    Benchmark(
        "Batch 10,000 items, concurrency 64, 50 ms model latency",
        configuration: .init(
            metrics: metrics, timeUnits: .milliseconds, units: units, warmupIterations: 0,
            maxDuration: .seconds(600), maxIterations: 1,
            setup: startServer, teardown: stopServer
        )
    ) { benchmark in
        try await BatchRig.run(items: 10_000, concurrency: 64, benchmark: benchmark)
    }

    Benchmark(
        "Batch 1,000 items, concurrency 64, 50 ms model latency",
        configuration: .init(
            metrics: metrics, timeUnits: .milliseconds, units: units, warmupIterations: 1,
            maxDuration: .seconds(60), maxIterations: 7,
            setup: startServer, teardown: stopServer
        )
    ) { benchmark in
        try await BatchRig.run(items: 1_000, concurrency: 64, benchmark: benchmark)
    }
}

enum BatchRig {
    /// Runs `items` echo items (``BatchWorkload``) and records the batch's numbers.
    static func run(items: Int, concurrency: Int, benchmark: Benchmark) async throws {
        let baseURL = try await ModelServerProcess.shared.start()
        let serverBefore = await ModelServerProcess.shared.cpuMicroseconds()
        let outcome = try await BatchWorkload.run(
            baseURL: baseURL, items: items, concurrency: concurrency,
            measuring: (start: { benchmark.startMeasurement() }, stop: { benchmark.stopMeasurement() })
        )
        let serverAfter = await ModelServerProcess.shared.cpuMicroseconds()
        let summary = outcome.summary

        guard summary.ok == items, summary.ran == items else {
            benchmark.error("the batch ran \(summary.ran) items, \(summary.ok) ok, \(summary.failed) failed, expected \(items) ok")
            return
        }
        benchmark.measurement(.itemsPerSecond, Int(summary.itemsPerSecond.rounded()))
        benchmark.measurement(.cpuPerItem, outcome.cpuMicroseconds / items)
        if let serverBefore, let serverAfter {
            benchmark.measurement(.serverCPUPerItem, (serverAfter - serverBefore) / items)
        }
        benchmark.measurement(.itemLatencyP50, summary.latencyP50?.microseconds ?? 0)
        benchmark.measurement(.itemLatencyP95, summary.latencyP95?.microseconds ?? 0)
    }
}

extension BenchmarkMetric {
    static let itemsPerSecond = BenchmarkMetric.custom("items/s", polarity: .prefersLarger, useScalingFactor: false)
    /// User + system CPU of this process (the model server is a separate process) per item.
    static let cpuPerItem = BenchmarkMetric.custom("cpu us/item", polarity: .prefersSmaller, useScalingFactor: false)
    /// CPU of the model server child process per item (10 ms resolution over the whole batch).
    static let serverCPUPerItem = BenchmarkMetric.custom("server cpu us/item", polarity: .prefersSmaller, useScalingFactor: false)
    static let itemLatencyP50 = BenchmarkMetric.custom("item p50 us", polarity: .prefersSmaller, useScalingFactor: false)
    static let itemLatencyP95 = BenchmarkMetric.custom("item p95 us", polarity: .prefersSmaller, useScalingFactor: false)
}
