// A test-only program: runs the batch engine with a fake runner of a few milliseconds per item, so
// that BatchCrashTests can kill it with SIGKILL at random moments and check the results file.
//
//   BatchCrashHarness INPUT RESULTS CONCURRENCY GLOBAL_USD ITEM_USD COST_USD DELAY_MS
//
// Each item needs a permit before it runs: one byte read from stdin is one permit, and the end of
// stdin (or no stdin) means permits without limit. The test hands out permits, so the harness can
// never run ahead of it and finish before the moment the test chose to kill it, however loaded the
// machine is.
//
// Prints `recorded ID` on stdout (unbuffered) after each result line is synced, and
// `summary JSON` at the end. Exits 0 when the batch ended, 1 on an error, 2 on bad arguments.
import Brigade
import BrigadeSync
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Permits to run items, fed from stdin by a dedicated thread.
final class Permits: Sendable {
    private struct State {
        var available = 0
        var unlimited = false
    }

    private let state = LockedState(State())

    /// Reads stdin on its own thread: each byte adds a permit, the end of input lifts the limit.
    func feedFromStandardInput() {
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 256)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                self.add(count > 0 ? count : nil)
                if count <= 0 { return }
            }
        }
    }

    /// Adds `count` permits, or lifts the limit when `count` is nil.
    private func add(_ count: Int?) {
        state.withLock { state in
            if let count { state.available += count } else { state.unlimited = true }
        }
    }

    /// Takes a permit, waiting for one. Throws `CancellationError` when cancelled first.
    func acquire() async throws {
        try await state.wait(until: { state in
            if state.unlimited { return true }
            guard state.available > 0 else { return false }
            state.available -= 1
            return true
        })
    }
}

/// Pays `cost` per item after a permit and `delay`; honours cancellation.
struct DelayedFakeRunner: BatchItemRunner {
    let cost: Double
    let delay: Duration
    let permits: Permits

    func run(_ item: BatchItem, budget: BatchBudget) async -> BatchItemOutcome {
        do {
            try await permits.acquire()
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
    let permits = Permits()
    permits.feedFromStandardInput()
    let runner = DelayedFakeRunner(cost: cost, delay: .milliseconds(delayMS), permits: permits)
    let engine = BatchEngine(runner: runner, configuration: configuration)
    let summary = try await engine.run(input, resultsPath: arguments[2], inputPath: arguments[1]) { event in
        if case .recorded(let record) = event { say("recorded \(record.id.key)") }
    }
    say("summary \(summary.json.jsonString)")
} catch {
    say("BatchCrashHarness: \(error)", to: 2)
    exit(1)
}
