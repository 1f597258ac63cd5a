import BenchSupport
import Benchmark
import Brigade
import CurlHTTP
import Foundation

/// Benchmarks for loading tool registries: a generated 1,000-tool folder, and the shipped workspace.
let benchmarks: @Sendable () -> Void = {
    ModelServerProcess.serveIfRequested()
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(15),
        maxIterations: 30,
        // scripts/bench-check compares the allocation count (stable from run to run) with the
        // baseline in Benchmarks/Thresholds; times vary too much on a shared machine to check.
        thresholds: [.mallocCountTotal: .init(relative: [.p90: 2.0])]
    )

    // 1,000 tool files (half command, a quarter http, a quarter builtin), written once.
    let registry = GeneratedRegistry(toolCount: 1_000)
    let httpClient = HTTPClient()

    Benchmark(
        "Registry load 1,000 tools (parse + build)",
        configuration: .init(setup: { try registry.write() }, teardown: { registry.remove() })
    ) { benchmark in
        let declarations = try RegistryLoader.load(directory: registry.directory, environment: [:])
        let tools = try ToolFactory.makeRegistry(declarations, httpClient: httpClient)
        guard tools.specs.count == registry.toolCount else {
            benchmark.error("loaded \(tools.specs.count) tools, expected \(registry.toolCount)")
            return
        }
        blackHole(tools)
    }

    // The two halves on their own: YAML parsing and decoding, then building the executors.
    Benchmark(
        "Registry load 1,000 tools (parse only)",
        configuration: .init(setup: { try registry.write() }, teardown: { registry.remove() })
    ) { benchmark in
        let declarations = try RegistryLoader.load(directory: registry.directory, environment: [:])
        guard declarations.count == registry.toolCount else {
            benchmark.error("parsed \(declarations.count) tools, expected \(registry.toolCount)")
            return
        }
        blackHole(declarations)
    }

    Benchmark(
        "Registry load 1,000 tools (build only)",
        configuration: .init(setup: { try registry.write() }, teardown: { registry.remove() })
    ) { benchmark in
        let declarations = try RegistryLoader.load(directory: registry.directory, environment: [:])
        benchmark.startMeasurement()
        let tools = try ToolFactory.makeRegistry(declarations, httpClient: httpClient)
        blackHole(tools)
    }

    // The repository's own config.yaml: tools/, routes/ (with their mustache joins) and prompts/.
    let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    Benchmark("Workspace.load shipped config.yaml", configuration: .init(timeUnits: .microseconds)) { benchmark in
        let workspace = try Workspace.load(
            configPath: repositoryRoot + "/config.yaml",
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
            currentDirectory: repositoryRoot,
            httpClient: httpClient
        )
        guard workspace.registry.specs.count > 0, workspace.routes.routes.count > 0 else {
            benchmark.error("the shipped workspace loaded \(workspace.registry.specs.count) tools and \(workspace.routes.routes.count) routes")
            return
        }
        blackHole(workspace)
    }
}
