import Brigade
import BrigadeSync
import BrigadeTesting
#if canImport(Glibc)
import Glibc
#endif

/// A fresh temporary folder for batch files (BrigadeTesting's `TemporaryFolder`), with non-throwing
/// helpers: a batch test has no use for a folder it cannot write.
final class BatchTempDirectory {
    private let folder: TemporaryFolder
    var path: String { folder.path }

    init() {
        do { folder = try TemporaryFolder(prefix: "brigade-batch-test-") } catch { preconditionFailure("cannot create a temporary folder: \(error)") }
    }

    func file(_ name: String) -> String { folder.file(name) }

    func write(_ name: String, _ text: String) -> String {
        do { return try folder.write(name, text) } catch { preconditionFailure("cannot write \(name): \(error)") }
    }

    func read(_ name: String) -> String { folder.read(name) ?? "" }

    /// The parsed lines of a results file.
    func records(_ name: String) throws -> [BatchRecord] {
        try read(name).split(separator: "\n").map { try BatchRecord(parsing: Array($0.utf8)) }
    }
}

/// A deterministic runner: every item costs the same (or what `cost` says), items whose prompt starts
/// with "fail" fail, and each call is logged with the budget it got.
struct BatchFakeRunner: BatchItemRunner {
    struct Call: Sendable { var id: BatchItemID; var budget: BatchBudget }

    var usd = 1.0
    var inputTokens = 100
    var outputTokens = 10
    let calls = LockedState<[Call]>([])

    func run(_ item: BatchItem, budget: BatchBudget) async -> BatchItemOutcome {
        calls.withLock { $0.append(Call(id: item.id, budget: budget)) }
        await Task.yield()
        let usage = TokenUsage(inputTokens: inputTokens, outputTokens: outputTokens)
        if item.prompt.hasPrefix("fail") {
            return .failure("asked to fail", usage: usage, costUSD: usd, calls: 1)
        }
        return BatchItemOutcome(
            answer: "answer to \(item.prompt)", stopReason: "completed", usage: usage, costUSD: usd, calls: 2,
            timings: ["model": .milliseconds(3)]
        )
    }

    var ranIDs: [String] { calls.withLock { $0 }.map(\.id.key) }
}

/// JSON Lines input of `count` items with ids `item-1` … and optional extra JSON per item.
func batchInputText(_ count: Int, extra: (Int) -> String = { _ in "" }) -> String {
    (1...count).map { "{\"id\": \"item-\($0)\", \"prompt\": \"question \($0)\"\(extra($0))}" }.joined(separator: "\n") + "\n"
}
