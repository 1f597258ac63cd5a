import BenchSupport
import Benchmark
import Brigade

/// The layers under "Turn of 1000 x 200 ms calls, closure tool": the same 1,000 calls of the 200 ms
/// closure through the dispatcher alone (no agent, model, budget or event channel), and 1,000 bare
/// tasks sleeping 200 ms in a task group (the Swift runtime's floor for this fan-out on the machine).
func registerFanOutFloorBenchmarks() {
    let configuration = Benchmark.Configuration(metrics: [.wallClock, .overhead, .cpu, .peakMemoryResident], units: [.overhead: .count, .cpu: .count])
    let calls = 1000

    Benchmark("Fan-out floor: 1000 x 200 ms calls, closure tool, Dispatcher alone", configuration: configuration) { benchmark in
        var registry = ToolRegistry()
        try registry.register(WaitTool.closure.make())
        let dispatcher = Dispatcher(registry: registry, configuration: .init(maxParallelCalls: calls), logger: AgentRig.logger)
        let toolCalls = (0..<calls).map { ToolCall(id: "call_\($0)", name: "wait", rawArguments: "{}") }
        try await measure(benchmark) {
            let results = await dispatcher.dispatch(toolCalls) { _ in }
            if let failed = results.first(where: { $0.status != .ok }) { throw FloorProblem(message: "call \(failed.call.id) ended \(failed.status.rawValue)") }
        }
    }

    Benchmark("Fan-out floor: 1000 x 200 ms sleeps, bare task group", configuration: configuration) { benchmark in
        try await measure(benchmark) {
            await withDiscardingTaskGroup { group in
                for _ in 0..<calls {
                    group.addTask { try? await Task.sleep(for: WaitTool.duration) }
                }
            }
        }
    }
}

private struct FloorProblem: Error {
    var message: String
}

/// Runs `body` once under measurement and records its overhead over 200 ms and this process's CPU.
private func measure(_ benchmark: Benchmark, _ body: () async throws -> Void) async throws {
    let before = ResourceUsage.current()
    benchmark.startMeasurement()
    let start = ContinuousClock.now
    try await body()
    let wall = start.duration(to: .now)
    benchmark.stopMeasurement()
    benchmark.measurement(.overhead, (wall - WaitTool.duration).microseconds)
    benchmark.measurement(.cpu, ResourceUsage.current().cpuMicroseconds - before.cpuMicroseconds)
}
