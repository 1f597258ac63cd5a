import Benchmark
import CurlHTTP

/// Benchmarks for the CurlHTTP target: the client against a local server, and the SSE parser.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(15),
        maxIterations: 20
    )

    // 100 requests at once to an endpoint that holds each for 200 ms: the ideal is 200 ms of
    // wall time. Connections are warm (the first, warm-up iteration opens them).
    Benchmark(
        "HTTP 100 concurrent 200 ms requests",
        configuration: .init(
            setup: { try await LocalServer.shared.start() },
            teardown: { await LocalServer.shared.stop() }
        )
    ) { benchmark in
        let client = LocalServer.shared.client
        let url = LocalServer.shared.baseURL + "/delay?ms=200"
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<100 {
                group.addTask { try await client.send(HTTPRequest(url: url)).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        guard statuses.count == 100, statuses.allSatisfy({ $0 == 200 }) else {
            benchmark.error("unexpected statuses: \(Set(statuses))")
            return
        }
    }

    // The same with a fresh client per iteration, so every request opens its connection.
    Benchmark(
        "HTTP 100 concurrent 200 ms requests, cold connections",
        configuration: .init(
            setup: { try await LocalServer.shared.start() },
            teardown: { await LocalServer.shared.stop() }
        )
    ) { benchmark in
        let client = HTTPClient(configuration: .init(maxConnectionsPerHost: 100, maxCachedConnections: 100))
        let url = LocalServer.shared.baseURL + "/delay?ms=200"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<100 {
                group.addTask { _ = try await client.send(HTTPRequest(url: url)) }
            }
            try await group.waitForAll()
        }
        await client.shutdown()   // on a throw above, the client's deinit stops it without blocking
    }

    // Parse 4 MiB of a model-style event stream fed in 16 KiB network-sized chunks.
    let corpus = SSECorpus.make(bytes: 4 << 20)
    Benchmark(
        "SSE parse 4 MiB in 16 KiB chunks",
        configuration: .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal, .custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)],
            timeUnits: .milliseconds,
            // scripts/bench-check compares the allocation count with Benchmarks/Thresholds.
            thresholds: [.mallocCountTotal: .init(relative: [.p90: 2.0])]
        )
    ) { benchmark in
        let clock = ContinuousClock()
        let start = clock.now
        // The model streams' path (`feed(_:into:)`: events' data as bytes in one reused batch).
        var parser = ServerSentEventParser()
        var batch = ServerSentEventBatch()
        var events = 0
        var offset = 0
        while offset < corpus.count {
            let end = min(offset + 16 * 1024, corpus.count)
            try parser.feed(corpus[offset..<end], into: &batch)
            events += batch.count
            offset = end
        }
        parser.finish()
        let elapsed = start.duration(to: clock.now)
        blackHole(events)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        benchmark.measurement(.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false), Int(Double(corpus.count) / 1_048_576 / seconds))
    }
}
