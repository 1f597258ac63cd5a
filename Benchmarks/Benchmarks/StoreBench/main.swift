// store-bench [--runs N] [--calls K]
//
// What the run store costs: N runs of an agent (scripted model, in process; K calls of a closure tool
// that returns 200 bytes at once, then the answer) with and without a store, each phase ending with
// `store.flush()`. Prints the extra wall and CPU time per run and per tool call, and the file's size
// per 1,000 runs. The store records in batches on its own queue, so the wall-time cost the run sees is
// lower than the CPU cost (the writer works on another core).
import Brigade
import BrigadeTesting
import Foundation
import Logging

struct Options {
    var runs = 1_000
    var calls = 10

    init(_ arguments: [String]) {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            let value = Int(rest.popFirst() ?? "") ?? 0
            switch flag {
            case "--runs": runs = max(1, value)
            case "--calls": calls = max(0, value)
            default:
                FileHandle.standardError.write(Data("store-bench: unknown option \(flag)\n".utf8))
                exit(64)
            }
        }
    }
}

struct Cost {
    var wall: Double
    var cpu: Double
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

let result = String(repeating: "r", count: 200)
let tool = Tool(name: "lookup", description: "Returns a record.", parameters: ["type": "object", "properties": ["key": ["type": "string"]]]) { _, _ in
    ToolOutput(text: result)
}

/// `runs` runs of `calls` calls each; the store (if any) flushed at the end.
func measure(runs: Int, calls: Int, store: RunStore?) async throws -> Cost {
    let logger = Logger(label: "store-bench") { _ in SwiftLogNoOpLogHandler() }
    let started = ContinuousClock.now
    let cpu = cpuSeconds()
    for run in 0..<runs {
        let toolCalls = (0..<calls).map { ToolCall(id: "c\($0)", name: "lookup", rawArguments: #"{"key":"item \#(run)-\#($0)"}"#) }
        let turns: [ScriptedTurn] = (calls > 0 ? [.toolCalls(toolCalls, text: "Looking.", usage: TokenUsage(inputTokens: 500, outputTokens: 40))] : [])
            + [.answer("The answer to run \(run).", usage: TokenUsage(inputTokens: 900, outputTokens: 60))]
        let configuration = Agent.Configuration(
            model: ScriptedModelClient(turns), pricing: ModelPricing(inputPerMillion: 1, outputPerMillion: 2),
            limits: Budget.Limits(maxCallsPerRun: 10_000, maxCallsPerTurn: 10_000), store: store)
        let agent = Agent(registry: try ToolRegistry([tool]), configuration: configuration, logger: logger)
        _ = try await agent.run("Look up \(calls) items for run \(run).", options: RunOptions(source: "bench"))
    }
    if let store, let failure = await store.flush() { throw failure }
    let wall = ContinuousClock.now - started
    return Cost(wall: Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18, cpu: cpuSeconds() - cpu)
}

func fileSize(_ path: String) -> Int {
    ["", "-wal"].reduce(0) { total, suffix in
        total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0)
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("store-bench-\(UUID().uuidString)").path
defer { try? FileManager.default.removeItem(atPath: folder) }

func milliseconds(_ seconds: Double) -> String { String(format: "%.3f ms", seconds * 1000) }

for calls in [0, options.calls] {
    _ = try await measure(runs: min(50, options.runs), calls: calls, store: nil)  // warm up
    let without = try await measure(runs: options.runs, calls: calls, store: nil)
    let path = folder + "/calls-\(calls).sqlite"
    let store = try RunStore(configuration: RunStore.Configuration(path: path))
    let with = try await measure(runs: options.runs, calls: calls, store: store)
    let runs = Double(options.runs)
    print("\(options.runs) runs of \(calls) calls: without store \(milliseconds(without.wall / runs)) wall, \(milliseconds(without.cpu / runs)) cpu per run; "
        + "with store \(milliseconds(with.wall / runs)) wall, \(milliseconds(with.cpu / runs)) cpu per run")
    print("  store cost per run: \(milliseconds((with.wall - without.wall) / runs)) wall, \(milliseconds((with.cpu - without.cpu) / runs)) cpu")
    if calls > 0 {
        let perCall = Double(calls) * runs
        print("  store cost per tool call (whole run's cost / calls): \(milliseconds((with.wall - without.wall) / perCall)) wall, \(milliseconds((with.cpu - without.cpu) / perCall)) cpu")
    }
    print("  size per 1,000 runs: \(String(format: "%.1f", Double(fileSize(path)) / runs * 1000 / 1_048_576)) MiB (database + write-ahead log)")
}
