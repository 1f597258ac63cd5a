// A test-only program: runs the batch engine with a fake runner of a few milliseconds per item, so
// that BatchCrashTests can kill it with SIGKILL at random moments and check the results file.
//
//   BatchCrashHarness INPUT RESULTS CONCURRENCY GLOBAL_USD ITEM_USD COST_USD DELAY_MS
//
// Prints `recorded ID` on stdout (unbuffered) after each result line is synced, and
// `summary JSON` at the end. Exits 0 when the batch ended, 1 on an error, 2 on bad arguments.
import Brigade
#if canImport(Glibc)
import Glibc
#endif

/// Pays `cost` per item after `delay`; honours cancellation.
struct DelayedFakeRunner: BatchItemRunner {
    let cost: Double
    let delay: Duration

    func run(_ item: BatchItem, budget: BatchBudget) async -> BatchItemOutcome {
        do {
            try await Task.sleep(for: delay)  // stands in for the model's latency
        } catch {
            return .failure("cancelled", stopReason: "cancelled")
        }
        return BatchItemOutcome(
            answer: "answer to \(item.prompt)", stopReason: "completed",
            usage: TokenUsage(inputTokens: 100, outputTokens: 20), costUSD: cost, calls: 1
        )
    }
}

func say(_ text: String, to fd: Int32 = 1) {
    let bytes = Array((text + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
        if written <= 0 { return }
        offset += written
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 8, let concurrency = Int(arguments[3]), let globalUSD = Double(arguments[4]),
    let itemUSD = Double(arguments[5]), let cost = Double(arguments[6]), let delayMS = Int(arguments[7])
else {
    say("usage: BatchCrashHarness INPUT RESULTS CONCURRENCY GLOBAL_USD ITEM_USD COST_USD DELAY_MS", to: 2)
    exit(2)
}

do {
    let input = try BatchInput(contentsOf: arguments[1])
    let configuration = BatchConfiguration(
        concurrency: concurrency, budget: BatchBudget(usd: globalUSD), defaultItemBudget: BatchBudget(usd: itemUSD)
    )
    let engine = BatchEngine(runner: DelayedFakeRunner(cost: cost, delay: .milliseconds(delayMS)), configuration: configuration)
    let summary = try await engine.run(input, resultsPath: arguments[2], inputPath: arguments[1]) { event in
        if case .recorded(let record) = event { say("recorded \(record.id.key)") }
    }
    say("summary \(summary.json.jsonString)")
} catch {
    say("BatchCrashHarness: \(error)", to: 2)
    exit(1)
}
