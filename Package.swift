// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Brigade",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Brigade", targets: ["Brigade"]),
        .library(name: "BrigadeTesting", targets: ["BrigadeTesting"]),
        .library(name: "CurlHTTP", targets: ["CurlHTTP"]),
        .executable(name: "brigade", targets: ["BrigadeCLI"]),
        .executable(name: "fake-model-server", targets: ["FakeModelServerTool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        // libcurl and libyaml, wrapped thinly (typed shims for curl's variadic calls). libcurl is loaded
        // with the first curl call, not linked (Sources/CCurl/include/shim.h says why): building needs its
        // headers (libcurl4-openssl-dev), an HTTP request needs libcurl.so.4.
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
        ),
        // libedit (line editing and history for `brigade chat`), loaded by the chat's first line editor, not
        // linked (Sources/CEdit/include/shim.h says why), with typed shims for its variadic calls (and prctl):
        // building needs its header (libedit-dev), line editing needs libedit.so.2.
        .target(
            name: "CEdit",
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        // SQLite for the run store (docs/store.md), wrapped thinly: a module map plus one shim.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        // swift-mustache 2.1.1 (Apache 2.0, Sources/Mustache/LICENSE.txt), vendored so that nothing in `brigade`
        // links full Foundation: NSLock became a Mutex, the NSNull conformance is gone, a folder is walked
        // with `subpathsOfDirectory`, FoundationEssentials instead of Foundation (docs/benchmarks.md, "Memory (peak RSS)", third pass).
        .target(name: "Mustache", exclude: ["LICENSE.txt"]),
        // The package's one waiter primitive (`LockedState`) and what is built on it; `package` access.
        .target(name: "BrigadeSync"),
        .target(
            name: "CurlHTTP",
            dependencies: ["CCurl", "BrigadeSync"]
        ),
        // The layers (docs/architecture.md). The core: JSON values, tools and registry, JSON Schema, the
        // scheduler (Dispatcher), budgets, the runtime, events, the ModelClient protocol, traces and the run
        // store. No YAML, no Mustache, no libcurl.
        .target(
            name: "BrigadeCore",
            dependencies: [
                "BrigadeSync",
                "CSQLite",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The model providers (OpenAI Chat Completions, Anthropic Messages) on CurlHTTP.
        .target(
            name: "BrigadeProviders",
            dependencies: ["BrigadeCore", "BrigadeSync", "CurlHTTP"]
        ),
        // OpenTelemetry trace export (OTLP/HTTP JSON) on CurlHTTP.
        .target(
            name: "BrigadeTelemetry",
            dependencies: ["BrigadeCore", "BrigadeSync", "CurlHTTP"]
        ),
        // Agents from files: YAML, config, loaders, the command/http/builtin executors, routes and their
        // Mustache joins, MCP servers, sub-agents and map-reduce workers.
        .target(
            name: "BrigadeWorkspace",
            dependencies: [
                "BrigadeCore",
                "BrigadeProviders",
                "BrigadeTelemetry",
                "BrigadeSync",
                "CurlHTTP",
                "CYAML",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                "Mustache",
            ]
        ),
        // JSONL batch jobs over an agent.
        .target(
            name: "BrigadeBatch",
            dependencies: [
                "BrigadeCore",
                "BrigadeSync",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The library product: every layer above, re-exported (`import Brigade`).
        .target(
            name: "Brigade",
            dependencies: ["BrigadeCore", "BrigadeProviders", "BrigadeTelemetry", "BrigadeWorkspace", "BrigadeBatch"]
        ),
        .target(
            name: "BrigadeTesting",
            dependencies: [
                "Brigade",
                "BrigadeSync",
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        .executableTarget(
            name: "FakeModelServerTool",
            dependencies: ["BrigadeTesting"]
        ),
        .executableTarget(
            name: "BrigadeCLI",
            dependencies: [
                "Brigade",
                "BrigadeSync",
                "CEdit",
                "CurlHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        // An example program embedding Brigade (built with the package, so CI keeps it compiling).
        .executableTarget(
            name: "EmbeddedAgent",
            dependencies: [
                "Brigade",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/EmbeddedAgent"
        ),
        .testTarget(
            name: "CurlHTTPTests",
            dependencies: [
                "CurlHTTP",
                "BrigadeSync",
                "BrigadeTesting",
                .product(name: "FlyingFox", package: "FlyingFox"),
            ]
        ),
        // Test-only, so it lives under Tests/: runs the batch engine with a fake runner so
        // BatchCrashTests can SIGKILL it. Not a product; BrigadeTests depends on it so it gets built.
        .executableTarget(
            name: "BatchCrashHarness",
            dependencies: ["Brigade", "BrigadeSync"],
            path: "Tests/BatchCrashHarness"
        ),
        .testTarget(
            name: "BrigadeCommandTests",
            dependencies: [
                "BrigadeCLI",
                "Brigade",
                "BrigadeTesting",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        .testTarget(
            name: "BrigadeTests",
            dependencies: [
                "Brigade",
                "BrigadeCore",
                "BrigadeProviders",
                "BrigadeTelemetry",
                "BrigadeWorkspace",
                "BrigadeBatch",
                "BrigadeTesting",
                "BatchCrashHarness",
                "BrigadeSync",
                "CurlHTTP",
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Unit tests of the REPL's pure parts, and the `brigade` binary driven through a pseudo-terminal.
        .testTarget(
            name: "BrigadeCLITests",
            dependencies: ["BrigadeCLI", "Brigade", "BrigadeTesting"]
        ),
        // `brigade run --json` driven as a child process (the dependency on BrigadeCLI builds it).
        .testTarget(
            name: "BrigadeCLIProtocolTests",
            dependencies: [
                "Brigade",
                "BrigadeTesting",
                "BrigadeCLI",
                "EmbeddedAgent",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        // The public API only: `import Brigade` and `import BrigadeTesting`, never `@testable` or `package`.
        .testTarget(
            name: "BrigadeAPITests",
            dependencies: [
                "Brigade",
                "BrigadeTesting",
                .product(name: "Logging", package: "swift-log"),
            ],
            // Built outside the package's access domain, so a `package` symbol is a compile error here.
            packageAccess: false
        ),
    ]
)

// The libFuzzer targets (Tests/Fuzz), only in the manifest `scripts/fuzz` builds (BRIGADE_FUZZ=1,
// scratch path .build-fuzz): the default build and `swift test` never see them.
if Context.environment["BRIGADE_FUZZ"] == "1" {
    package.targets.append(.executableTarget(
        name: "BrigadeFuzz",
        dependencies: ["Brigade", "CurlHTTP"],
        path: "Tests/Fuzz/BrigadeFuzz",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    ))
}

// One settings loop for every target (Swift 6 mode is implied by tools 6.2); the vendored Mustache is kept as written.
for target in package.targets where target.type != .system && target.name != "Mustache" {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
