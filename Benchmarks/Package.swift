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
    ]
)
