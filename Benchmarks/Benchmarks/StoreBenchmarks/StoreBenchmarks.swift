import BenchSupport
import Benchmark
import Foundation

/// What the run store costs: runs of an in-process agent (scripted model, a closure tool that answers
/// at once) with and without a ``RunStore``, interleaved within each iteration, and the file's size.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .storeCPUPerRun, .storeCPUPerCall, .storeWallPerRun, .storeWallPerCall, .storeKiBPer1000Runs],
        timeUnits: .milliseconds,
        units: [
            .storeCPUPerRun: .count, .storeCPUPerCall: .count, .storeWallPerRun: .count, .storeWallPerCall: .count,
            .storeKiBPer1000Runs: .count,
        ],
        warmupIterations: 1,
        maxDuration: .seconds(60),
        maxIterations: 8
    )
    for concurrency in [1, 8] {
        let shape = StoreRig.Shape(runs: 200, calls: 10, concurrency: concurrency)
        Benchmark("Store cost, \(shape.runs) runs of \(shape.calls) parallel calls, \(concurrency) at once") { benchmark in
            let cost = try await StoreRig.measure(shape)
            benchmark.measurement(.storeCPUPerRun, cost.cpuPerRun)
            benchmark.measurement(.storeCPUPerCall, cost.cpuPerCall)
            benchmark.measurement(.storeWallPerRun, cost.wallPerRun)
            benchmark.measurement(.storeWallPerCall, cost.wallPerCall)
            benchmark.measurement(.storeKiBPer1000Runs, cost.kibPer1000Runs)
            print("store: \(shape.runs) runs × \(shape.calls) calls, \(concurrency) at once: \(cost.summary)")
        }
    }
}

extension BenchmarkMetric {
    /// Extra CPU (all threads: the runs and the store's writer) per run, in µs.
    static let storeCPUPerRun = BenchmarkMetric.custom("store cpu us/run", polarity: .prefersSmaller, useScalingFactor: false)
    /// The extra CPU of a run with K calls over one without calls, divided by K, in µs.
    static let storeCPUPerCall = BenchmarkMetric.custom("store cpu us/call", polarity: .prefersSmaller, useScalingFactor: false)
    /// Extra wall time per run, the final flush included, in µs.
    static let storeWallPerRun = BenchmarkMetric.custom("store wall us/run", polarity: .prefersSmaller, useScalingFactor: false)
    /// The extra wall time of a run with K calls over one without calls, divided by K, in µs.
    static let storeWallPerCall = BenchmarkMetric.custom("store wall us/call", polarity: .prefersSmaller, useScalingFactor: false)
    /// The database file and its write-ahead log per 1,000 runs of the benchmark's shape, in KiB.
    static let storeKiBPer1000Runs = BenchmarkMetric.custom("KiB/1000 runs", polarity: .prefersSmaller, useScalingFactor: false)
}
