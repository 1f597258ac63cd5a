// swift-tools-version: 6.1
// Benchmarks live in their own package so the root package (and CI) never builds them.
// Run from this folder: `swift package benchmark` (see docs/benchmarks.md).
import PackageDescription

let brigade: Target.Dependency = .product(name: "Brigade", package: "Brigade")
let brigadeTesting: Target.Dependency = .product(name: "BrigadeTesting", package: "Brigade")
let curlHTTP: Target.Dependency = .product(name: "CurlHTTP", package: "Brigade")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")

/// One executable target per area, under Benchmarks/<name>/ (the benchmark plugin's layout): the
/// Benchmark library and plugin plus `dependencies`.
func benchmark(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name,
        dependencies: dependencies + [.product(name: "Benchmark", package: "benchmark")],
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

let package = Package(
    name: "BrigadeBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Brigade", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        benchmark("HTTPBenchmarks", [curlHTTP, .product(name: "FlyingFox", package: "FlyingFox")]),
        // Shared by the targets below: the model server they start as a child process, CPU time, the batch workload.
        .target(name: "BenchSupport", dependencies: [brigade, brigadeTesting, curlHTTP, logging, "CBenchSocket"], path: "Benchmarks/BenchSupport"),
        // ppoll(2) and accept4(2) for BenchSupport's lean model server (Swift's Glibc module lacks them).
        .target(name: "CBenchSocket", path: "Benchmarks/CBenchSocket"),
        benchmark("RegistryBenchmarks", ["BenchSupport", brigade, curlHTTP]),
        benchmark("AgentBenchmarks", ["BenchSupport", brigade, brigadeTesting, curlHTTP, logging]),
        benchmark("BatchBenchmarks", ["BenchSupport", brigade, curlHTTP, logging]),
        benchmark("MapBenchmarks", ["BenchSupport", brigade, curlHTTP, logging]),
        benchmark("StoreBenchmarks", ["BenchSupport", brigade, brigadeTesting, logging]),
        // Brigade's in-process side of Benchmarks/Compare (a plain executable, not a benchmark).
        .executableTarget(name: "CompareRunner", dependencies: [brigade, curlHTTP, logging], path: "Benchmarks/CompareRunner"),
        // Proves that the lean model server answers byte for byte like FakeModelServer (a plain executable).
        .executableTarget(
            name: "ModelServerCheck", dependencies: ["BenchSupport", brigade, brigadeTesting, curlHTTP, logging], path: "Benchmarks/ModelServerCheck"),
        // Brigade's layers of Benchmarks/Floor: CurlHTTP alone, and the whole batch (a plain executable).
        .executableTarget(name: "FloorRunner", dependencies: ["BenchSupport", curlHTTP], path: "Benchmarks/FloorRunner"),
    ]
)
