// compare-runner --base-url URL --queries N --timestamps FILE
//
// Brigade's in-process side of Benchmarks/Compare (see Benchmarks/Compare/README.md): the library
// with a closure tool `wait` (sleeps 200 ms, records its start and end), an OpenAI Chat client
// against the fake model server, N queries one after another in one process. Prints one JSON line
// per query, as the Python peers do, and appends "query call start end" lines to FILE.
import Brigade
import CurlHTTP
import Foundation
import Logging
import Synchronization

struct Options {
    var baseURL = ""
    var queries = 1
    var timestamps = ""

    init(_ arguments: [String]) {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            let value = rest.popFirst() ?? ""
            switch flag {
            case "--base-url": baseURL = value
            case "--queries": queries = Int(value) ?? 1
            case "--timestamps": timestamps = value
            default:
                FileHandle.standardError.write(Data("compare-runner: unknown option \(flag)\n".utf8))
                exit(64)
            }
        }
    }
}

/// The `wait` calls' own records: "query call start end" in CLOCK_REALTIME seconds.
final class Stamps: Sendable {
    private let state = Mutex<(query: Int, call: Int, lines: [String])>((0, 0, []))

    func next(query: Int) { state.withLock { $0.query = query; $0.call = 0 } }

    func begin() -> (query: Int, call: Int) {
        state.withLock { state in
            defer { state.call += 1 }
            return (state.query, state.call)
        }
    }

    func record(_ slot: (query: Int, call: Int), start: Double, end: Double) {
        let line = "\(slot.query) \(slot.call) \(String(format: "%.6f", start)) \(String(format: "%.6f", end))\n"
        state.withLock { $0.lines.append(line) }
    }

    func write(to path: String) throws {
        let text = state.withLock { $0.lines.joined() }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            return
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}

func now() -> Double { Date().timeIntervalSince1970 }

let options = Options(Array(CommandLine.arguments.dropFirst()))
let stamps = Stamps()
var registry = ToolRegistry()
try registry.register(Tool(name: "wait", description: "Waits 200 ms.") { _, _ in
    let slot = stamps.begin()
    let start = now()
    try await Task.sleep(for: .milliseconds(200))
    stamps.record(slot, start: start, end: now())
    return ToolOutput(text: "waited 200 ms")
})
let client = OpenAIChatClient(configuration: .init(baseURL: options.baseURL, apiKey: "compare", model: "compare"), httpClient: HTTPClient())
let agent = Agent(
    registry: registry,
    configuration: Agent.Configuration(model: client, systemPrompt: "You are a benchmark.", routing: .model),
    logger: Logger(label: "compare", factory: { _ in SwiftLogNoOpLogHandler() })
)
let clock = ContinuousClock()
for query in 0..<options.queries {
    stamps.next(query: query)
    let started = clock.now
    let result = await agent.run("go")
    let wall = clock.now - started
    guard result.stopReason == .finished, result.answer.contains("All done") else {
        FileHandle.standardError.write(Data("compare-runner: query \(query) stopped with \(result.stopReason): \(result.answer)\n".utf8))
        exit(1)
    }
    let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
    print(#"{"query": \#(query), "wall_s": \#(seconds)}"#)
}
try stamps.write(to: options.timestamps)
