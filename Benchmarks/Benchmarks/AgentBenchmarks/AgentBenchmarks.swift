import BenchSupport
import Benchmark
import Brigade

/// Benchmarks for the agent loop: one turn of K parallel 200 ms calls, and the cost of a 3-turn run.
let benchmarks: @Sendable () -> Void = {
    ModelServerProcess.serveIfRequested()
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(10),
        maxIterations: 15
    )
    for model in ModelKind.allCases {
        for tool in WaitTool.allCases {
            for calls in [1, 16, 256, 1000] {
                registerTurnBenchmark(calls: calls, tool: tool, model: model)
            }
        }
    }
    for tool in WaitTool.allCases {
        registerThreeTurnBenchmark(tool: tool)
    }
    registerFanOutFloorBenchmarks()
}

let startServer: @Sendable () async throws -> Void = { try await ModelServerProcess.shared.start() }
let stopServer: @Sendable () async throws -> Void = { await ModelServerProcess.shared.stop() }

/// The model asks for `calls` calls of a 200 ms tool at once, then answers: ideal wall time 200 ms.
func registerTurnBenchmark(calls: Int, tool: WaitTool, model: ModelKind) {
    let scenario = BenchScenario(calls: calls, tool: "wait", rounds: 1)
    var configuration = Benchmark.Configuration(
        metrics: [.wallClock, .overhead, .fanOut, .modelTime, .cpu, .peakMemoryResident],
        units: [.overhead: .count, .fanOut: .count, .modelTime: .count, .cpu: .count]
    )
    if model == .http {
        configuration.setup = startServer
        configuration.teardown = stopServer
    }
    Benchmark("Turn of \(calls) x 200 ms calls, \(tool.rawValue) tool, \(model.rawValue)", configuration: configuration) { benchmark in
        let agent = try await AgentRig.agent(model: model, tool: tool, scenario: scenario)
        let before = ResourceUsage.current()
        benchmark.startMeasurement()
        let start = ContinuousClock.now
        let result = await agent.run(scenario.prompt)
        let wall = start.duration(to: .now)
        benchmark.stopMeasurement()
        let cpu = ResourceUsage.current().cpuMicroseconds - before.cpuMicroseconds
        if let problem = AgentRig.problem(with: result, scenario: scenario) {
            benchmark.error(problem)
            return
        }
        let fanOut = result.turnTimings.first { $0.toolCalls > 0 }?.fanOutWallTime ?? .zero
        benchmark.measurement(.overhead, (wall - WaitTool.duration).microseconds)
        benchmark.measurement(.fanOut, fanOut.microseconds)
        benchmark.measurement(.modelTime, result.turnTimings.reduce(Duration.zero) { $0 + $1.modelTime }.microseconds)
        benchmark.measurement(.cpu, cpu)
    }
}

/// A typical small run over real HTTP: 4 calls, 4 more calls, then the answer (3 model turns).
func registerThreeTurnBenchmark(tool: WaitTool) {
    let scenario = BenchScenario(calls: 4, tool: "wait", rounds: 2)
    Benchmark(
        "3-turn run (2 x 4 calls), \(tool.rawValue) tool, HTTP model",
        configuration: .init(
            metrics: [.wallClock, .cpu, .childrenCPU, .cpuTotal, .peakMemoryResident, .mallocCountTotal],
            units: [.cpu: .count, .childrenCPU: .count],
            setup: startServer,
            teardown: stopServer
        )
    ) { benchmark in
        let agent = try await AgentRig.agent(model: .http, tool: tool, scenario: scenario)
        let before = ResourceUsage.current()
        let childrenBefore = ResourceUsage.current(children: true)
        benchmark.startMeasurement()
        let result = await agent.run(scenario.prompt)
        benchmark.stopMeasurement()
        let cpu = ResourceUsage.current().cpuMicroseconds - before.cpuMicroseconds
        let childrenCPU = ResourceUsage.current(children: true).cpuMicroseconds - childrenBefore.cpuMicroseconds
        if let problem = AgentRig.problem(with: result, scenario: scenario) {
            benchmark.error(problem)
            return
        }
        benchmark.measurement(.cpu, cpu)
        benchmark.measurement(.childrenCPU, childrenCPU)
    }
}
