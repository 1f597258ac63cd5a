import BenchSupport
import Brigade
import BrigadeTesting
import Foundation
import Logging

/// Runs agents with and without a store and turns the difference into costs.
enum StoreRig {
    /// `runs` runs, each one turn of `calls` parallel calls then an answer, `concurrency` runs at once.
    struct Shape: Sendable {
        var runs: Int
        var calls: Int
        var concurrency: Int
    }

    struct Cost {
        var cpuPerRun: Int
        var cpuPerCall: Int
        var wallPerRun: Int
        var wallPerCall: Int
        var kibPer1000Runs: Int

        var summary: String {
            "+\(cpuPerRun) us CPU and +\(wallPerRun) us wall per run; per call +\(cpuPerCall) us CPU, +\(wallPerCall) us wall; "
                + "\(kibPer1000Runs) KiB (\(String(format: "%.1f", Double(kibPer1000Runs) / 1024)) MiB) per 1,000 runs"
        }
    }

    /// Wall and CPU time of one phase, in µs.
    struct Phase {
        var wall: Int
        var cpu: Int
    }

    static let logger = Logger(label: "brigade-bench", factory: { _ in SwiftLogNoOpLogHandler() })
    /// Stands for an API key: every stored text is redacted against it, as in the CLI.
    static let secret = "sk-bench-0123456789abcdefghij"
    static let result = String(repeating: "r", count: 200)
    static let tool = Tool(
        name: "lookup", description: "Returns a record.", parameters: ["type": "object", "properties": ["key": ["type": "string"]]]
    ) { _, _ in
        ToolOutput(text: result)
    }

    /// Four phases, interleaved: no calls without and with a store, `calls` calls without and with.
    static func measure(_ shape: Shape) async throws -> Cost {
        let folder = try makeTemporaryDirectory("store-bench")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bare0 = try await phase(shape, calls: 0, storePath: nil)
        let stored0 = try await phase(shape, calls: 0, storePath: folder + "/none.sqlite")
        let bare = try await phase(shape, calls: shape.calls, storePath: nil)
        let path = folder + "/calls.sqlite"
        let stored = try await phase(shape, calls: shape.calls, storePath: path)
        let runs = shape.runs
        let perRunCPU = (stored.cpu - bare.cpu) / runs
        let perRunWall = (stored.wall - bare.wall) / runs
        let perRunCPU0 = (stored0.cpu - bare0.cpu) / runs
        let perRunWall0 = (stored0.wall - bare0.wall) / runs
        // The database and its write-ahead log: the log is folded into the file when the last
        // connection closes, which may come a moment after the store's last user lets go of it.
        let bytes = ["", "-wal"].reduce(0) { total, suffix in
            total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0)
        }
        return Cost(
            cpuPerRun: perRunCPU, cpuPerCall: (perRunCPU - perRunCPU0) / max(shape.calls, 1),
            wallPerRun: perRunWall, wallPerCall: (perRunWall - perRunWall0) / max(shape.calls, 1),
            kibPer1000Runs: bytes * 1000 / runs / 1024
        )
    }

    /// `shape.runs` runs of `calls` calls; with a store at `storePath`, flushed and closed at the end.
    static func phase(_ shape: Shape, calls: Int, storePath: String?) async throws -> Phase {
        let registry = try ToolRegistry([tool])
        let before = ResourceUsage.current()
        let start = ContinuousClock.now
        do {
            let store = try storePath.map { try RunStore(configuration: RunStore.Configuration(path: $0, secrets: [secret])) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for run in 0..<shape.runs {
                    if run >= shape.concurrency { try await group.next() }
                    group.addTask { try await one(run, calls: calls, registry: registry, store: store) }
                }
                try await group.waitForAll()
            }
            if let failure = await store?.flush() { throw failure }
        }  // the store is released: its file closed, the write-ahead log checkpointed into it
        let wall = start.duration(to: .now)
        return Phase(wall: wall.microseconds, cpu: ResourceUsage.current().cpuMicroseconds - before.cpuMicroseconds)
    }

    /// One run: `calls` lookups at once, then the answer.
    static func one(_ run: Int, calls: Int, registry: ToolRegistry, store: RunStore?) async throws {
        let toolCalls = (0..<calls).map { ToolCall(id: "call_\($0)", name: "lookup", rawArguments: #"{"key":"item \#(run)-\#($0)"}"#) }
        let turns: [ScriptedTurn] = (calls > 0 ? [.toolCalls(toolCalls, text: "Looking.", usage: TokenUsage(inputTokens: 500, outputTokens: 40))] : [])
            + [.answer("The answer to run \(run).", usage: TokenUsage(inputTokens: 900, outputTokens: 60))]
        let configuration = Agent.Configuration(
            model: ScriptedModelClient(turns), pricing: ModelPricing(inputPerMillion: 1, outputPerMillion: 2), store: store
        )
        let agent = Agent(registry: registry, configuration: configuration, logger: logger)
        let result = await agent.run("Look up \(calls) items for run \(run) (key \(secret)).")
        guard result.toolCalls == calls, result.calls.allSatisfy({ $0.status == .ok }) else {
            throw BenchFailure(message: "run \(run) made \(result.toolCalls) calls, expected \(calls): \(result.stopReason)")
        }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
