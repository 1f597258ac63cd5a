// swift-tools-version: 6.1
// Benchmarks live in their own package so the root package (and CI) never builds them.
// Run from this folder: `swift package benchmark` (see docs/benchmarks.md).
import PackageDescription

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
        // One executable target per area, under Benchmarks/<Name>/ (the benchmark plugin's layout).
        .executableTarget(
            name: "HTTPBenchmarks",
            dependencies: [
                .product(name: "CurlHTTP", package: "Brigade"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "FlyingFox", package: "FlyingFox"),
            ],
            path: "Benchmarks/HTTPBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        // Shared by the targets below: the model server they start as a child process, CPU time.
        .target(
            name: "BenchSupport",
            dependencies: [
                .product(name: "Brigade", package: "Brigade"),
                .product(name: "BrigadeTesting", package: "Brigade"),
            ],
            path: "Benchmarks/BenchSupport"
        ),
        .executableTarget(
            name: "RegistryBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "Brigade", package: "Brigade"),
                .product(name: "CurlHTTP", package: "Brigade"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/RegistryBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        .executableTarget(
            name: "AgentBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "Brigade", package: "Brigade"),
                .product(name: "BrigadeTesting", package: "Brigade"),
                .product(name: "CurlHTTP", package: "Brigade"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/AgentBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        .executableTarget(
            name: "BatchBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "Brigade", package: "Brigade"),
                .product(name: "CurlHTTP", package: "Brigade"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/BatchBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        .executableTarget(
            name: "MapBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "Brigade", package: "Brigade"),
                .product(name: "CurlHTTP", package: "Brigade"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/MapBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "Brigade", package: "Brigade"),
                .product(name: "BrigadeTesting", package: "Brigade"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/StoreBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        // Brigade's in-process side of Benchmarks/Compare (a plain executable, not a benchmark).
        .executableTarget(
            name: "CompareRunner",
            dependencies: [
                .product(name: "Brigade", package: "Brigade"),
                .product(name: "CurlHTTP", package: "Brigade"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/CompareRunner"
        ),
    ]
)
