import Subprocess
import Testing
import Brigade
@testable import BrigadeBatch
@testable import BrigadeCore
import BrigadeTesting
#if canImport(Glibc)
import Glibc
#endif

@Suite("Batch crash safety", .timeLimit(.minutes(1)))
struct BatchCrashTests {
    /// The harness is built next to the test binary.
    static var harnessPath: String { BuiltProduct.path("BatchCrashHarness") }

    enum Ending: Equatable {
        case killed(recorded: Int)
        case finished(summary: JSONValue)
    }

    /// Runs the harness once; kills it with SIGKILL after `killAfter` recorded lines (0: at once).
    ///
    /// The harness runs an item only with a permit from its stdin (see its header), so it cannot run
    /// ahead of this reader: it gets `permits` of them (the end of input, meaning no limit, when
    /// `killAfter` is nil). With more permits than `killAfter`, items are still running or being
    /// written when the kill lands.
    func runHarness(_ arguments: [String], killAfter: Int?, permits: Int = 0) async throws -> Ending {
        signal(SIGPIPE, SIG_IGN)  // a harness that ends on its own closes its stdin: EPIPE, not death
        let result = try await Subprocess.run(
            .path(.init(Self.harnessPath)), arguments: Arguments(arguments),
            input: .inputWriter, output: .sequence, error: .string(limit: 16 * 1024)
        ) { execution in
            var recorded = 0
            var summary: JSONValue?
            if killAfter == 0 {
                try? execution.send(signal: .kill)
            } else {
                if permits > 0 { _ = try? await execution.standardInputWriter.write(Array(repeating: UInt8(ascii: "+"), count: permits)) }
                if killAfter == nil { try? await execution.standardInputWriter.finish() }
            }
            for try await line in execution.standardOutput.strings() {
                if line.hasPrefix("recorded ") {
                    recorded += 1
                    if recorded == killAfter { try? execution.send(signal: .kill) }
                } else if line.hasPrefix("summary ") {
                    summary = try JSONValue(parsing: String(line.dropFirst("summary ".count)))
                }
            }
            try? await execution.standardInputWriter.finish()
            return (recorded, summary)
        }
        let (recorded, summary) = result.closureResult
        switch result.terminationStatus {
        case .exited(0):
            return .finished(summary: try #require(summary))
        case .signaled(SIGKILL):
            return .killed(recorded: recorded)
        default:
            Issue.record("harness ended with \(result.terminationStatus): \(result.standardError)")
            return .killed(recorded: recorded)
        }
    }

    /// Every complete line is a result and no id occurs twice.
    func checkResults(_ directory: BatchTempDirectory, after attempt: Int) throws -> [BatchRecord] {
        let text = directory.read("results.jsonl")
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()  // empty after the final newline, or a torn tail that the next start repairs
        let records = try lines.map { try BatchRecord(parsing: Array($0.utf8)) }
        let ids = records.map(\.id)
        #expect(Set(ids).count == ids.count, "duplicate ids after attempt \(attempt)")
        return records
    }

    @Test func killNineAtRandomMomentsLosesNothingDuplicatesNothingAndCarriesSpend() async throws {
        let directory = BatchTempDirectory()
        let count = 200
        let input = directory.write("input.jsonl", batchInputText(count))
        // $0.25 per item against $45: exactly 180 items fit, whatever the number of restarts.
        let arguments = [input, directory.file("results.jsonl"), "4", "45", "0.25", "0.25", "2"]
        var random = SplitMix64(seed: 0x5EED_BA7C)
        var kills = 0
        var finished: JSONValue?
        for attempt in 1...400 where finished == nil {
            let killAfter = Int(random.next() % 24)  // 0: right after spawn, before or during start-up
            let inFlight = 1 + Int(random.next() % 4)  // items allowed past the kill: running or being written
            switch try await runHarness(arguments, killAfter: killAfter, permits: killAfter + inFlight) {
            case .killed: kills += 1
            case .finished(let summary): finished = summary
            }
            _ = try checkResults(directory, after: attempt)
        }
        let summary = try #require(finished, "the harness never finished")
        #expect(kills >= 8, "too few kills to mean anything: \(kills)")
        #expect(summary["ok"] == 180 && summary["skipped"] == 20 && summary["failed"] == 0)
        #expect(summary["spent"]?["usd"] == 45)

        let records = try checkResults(directory, after: 0)
        #expect(records.count == count, "lost items")
        let ok = records.filter { $0.status == .ok }
        #expect(Set(ok.map(\.id.key)) == Set((1...180).map { "item-\($0)" }))
        #expect(ok.map(\.costUSD).reduce(0, +) == 45)
        #expect(records.filter { $0.status == .skipped }.allSatisfy { $0.stopReason == "budget" })

        // Once more: nothing left that fits, nothing runs, nothing changes.
        guard case .finished(let again) = try await runHarness(arguments, killAfter: nil) else {
            Issue.record("the last run did not finish")
            return
        }
        #expect(again["ran"] == 0 && again["resumed"] == 180 && again["ok"] == 180 && again["skipped"] == 20)
        #expect(try checkResults(directory, after: 0).count == count)
    }

    @Test func harnessRefusesBadArguments() async throws {
        let result = try await Subprocess.run(
            .path(.init(Self.harnessPath)), arguments: ["only-one"], output: .discarded, error: .string(limit: 4096)
        )
        #expect(result.terminationStatus == .exited(2))
        #expect(result.standardError.contains("usage: BatchCrashHarness"))
    }
}
