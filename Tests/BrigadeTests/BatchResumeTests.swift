import Testing
import Brigade
@testable import BrigadeBatch
#if canImport(Glibc)
import Glibc
#endif

@Suite("Batch resume and repair", .timeLimit(.minutes(1)))
struct BatchResumeTests {
    func run(
        _ text: String, _ configuration: BatchConfiguration = BatchConfiguration(concurrency: 3),
        runner: BatchFakeRunner = BatchFakeRunner(), in directory: BatchTempDirectory
    ) async throws -> BatchSummary {
        let input = try BatchInput(parsing: Array(text.utf8))
        return try await BatchEngine(runner: runner, configuration: configuration).run(input, resultsPath: directory.file("results.jsonl"))
    }

    func budget(_ usd: Double) -> BatchConfiguration {
        BatchConfiguration(concurrency: 3, budget: BatchBudget(usd: usd), defaultItemBudget: BatchBudget(usd: 1))
    }

    @Test func resumeSkipsDoneItemsRetriesSkippedOnesAndCarriesSpend() async throws {
        let directory = BatchTempDirectory()
        let text = batchInputText(10)
        let first = try await run(text, budget(3.5), in: directory)
        #expect(first.ok == 3 && first.skipped == 7)

        // Same budget: the three done items carry $3, so nothing more fits and nothing runs.
        let idle = BatchFakeRunner()
        let second = try await run(text, budget(3.5), runner: idle, in: directory)
        #expect(idle.ranIDs.isEmpty)
        #expect(second.resumed == 3 && second.ran == 0 && second.ok == 3 && second.skipped == 7 && second.spent.usd == 3)

        // A higher budget: only skipped items run, and only as many as $6.5 minus the carried $3 allows.
        let more = BatchFakeRunner()
        let third = try await run(text, budget(6.5), runner: more, in: directory)
        #expect(Set(more.ranIDs) == ["item-4", "item-5", "item-6"])
        #expect(third.resumed == 3 && third.ran == 3 && third.ok == 6 && third.skipped == 4)
        #expect(third.spent.usd == 6 && third.spentThisRun.usd == 3)

        let records = try directory.records("results.jsonl")
        #expect(records.count == 10)
        #expect(Set(records.map(\.id)).count == 10, "one line per id")
        #expect(records.filter { $0.status == .ok }.count == 6)
    }

    @Test func failedItemsStayDoneUnlessRetryFailedIsSet() async throws {
        let directory = BatchTempDirectory()
        let text = "{\"id\": 1, \"prompt\": \"fail once\"}\n{\"id\": 2, \"prompt\": \"ok\"}\n"
        _ = try await run(text, in: directory)
        let again = BatchFakeRunner()
        _ = try await run(text, runner: again, in: directory)
        #expect(again.ranIDs.isEmpty)
        let retry = BatchFakeRunner()
        let summary = try await run(text, BatchConfiguration(retryFailed: true), runner: retry, in: directory)
        #expect(retry.ranIDs == ["1"] && summary.failed == 1 && summary.resumed == 1)
        #expect(try directory.records("results.jsonl").count == 2)
    }

    @Test func tornLastLineWithoutNewlineIsCutAndItsItemRunsAgain() async throws {
        let directory = BatchTempDirectory()
        let text = batchInputText(4)
        _ = try await run(text, in: directory)
        let full = directory.read("results.jsonl")
        let lines = full.split(separator: "\n", omittingEmptySubsequences: false)
        let keep = lines[0..<2].joined(separator: "\n") + "\n"
        let tornPart = String(lines[2].prefix(25))
        _ = directory.write("results.jsonl", keep + tornPart)
        let tornID = try BatchRecord(parsing: Array(lines[2].utf8)).id

        let rerun = BatchFakeRunner()
        let summary = try await run(text, runner: rerun, in: directory)
        let repair = try #require(summary.repair)
        #expect(repair.line == 3 && repair.removedBytes == tornPart.utf8.count && repair.reason == "no newline at the end")
        #expect(Set(rerun.ranIDs) == Set([tornID.key] + [try BatchRecord(parsing: Array(lines[3].utf8)).id.key]))
        let records = try directory.records("results.jsonl")
        #expect(records.count == 4 && Set(records.map(\.id)).count == 4)
        #expect(directory.read("results.jsonl").hasPrefix(keep))
    }

    @Test func unparsableLastLineWithNewlineIsCut() async throws {
        let directory = BatchTempDirectory()
        let text = batchInputText(2)
        _ = try await run(text, in: directory)
        let good = directory.read("results.jsonl")
        _ = directory.write("results.jsonl", good + "{\"id\": \"item-3\", \"sta\u{0}\u{0}\n")
        let summary = try await run(text, in: directory)
        #expect(summary.repair?.line == 3)
        #expect(summary.repair?.reason.hasPrefix("invalid JSON") == true)
        #expect(directory.read("results.jsonl") == good)
    }

    @Test func corruptLineBeforeTheLastIsAnErrorAndTheFileIsLeftAlone() async throws {
        let directory = BatchTempDirectory()
        let text = batchInputText(2)
        _ = try await run(text, in: directory)
        let good = directory.read("results.jsonl")
        let corrupt = "garbage\n" + good
        _ = directory.write("results.jsonl", corrupt)
        let error = await #expect(throws: BatchError.self) { try await run(text, in: directory) }
        #expect(error?.code == .corruptResults && error?.message.contains("line 1") == true)
        #expect(directory.read("results.jsonl") == corrupt)

        _ = directory.write("results.jsonl", "{\"id\": 1, \"prompt\": \"an input line\"}\n" + good)
        let notResults = await #expect(throws: BatchError.self) { try await run(text, in: directory) }
        #expect(notResults?.message.contains("no \"status\"") == true)
    }

    @Test func resultsFileWithRepeatedIDsIsRefused() async throws {
        let directory = BatchTempDirectory()
        _ = try await run(batchInputText(1), in: directory)
        let line = directory.read("results.jsonl")
        _ = directory.write("results.jsonl", line + line)
        let error = await #expect(throws: BatchError.self) { try await run(batchInputText(1), in: directory) }
        #expect(error?.code == .duplicateIDs && error?.duplicates.first?.locations == ["line 1", "line 2"])
    }

    @Test func resultsFileLockedByAnotherRunIsRefused() async throws {
        let directory = BatchTempDirectory()
        let path = directory.write("results.jsonl", "")
        let fd = open(path, O_RDWR | O_CLOEXEC)  // no child process spawned meanwhile keeps it (and the lock)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        defer {
            flock(fd, LOCK_UN)
            close(fd)
        }
        let error = await #expect(throws: BatchError.self) { try await run(batchInputText(1), in: directory) }
        #expect(error?.code == .resultsInUse)
    }

    @Test func cancellationStartsNothingNewAndWritesNoCancelledItem() async throws {
        let directory = BatchTempDirectory()
        let input = try BatchInput(parsing: Array(batchInputText(6).utf8))
        let (started, startedContinuation) = AsyncStream.makeStream(of: String.self)
        let runner = BatchBlockingRunner(started: startedContinuation)
        let engine = BatchEngine(runner: runner, configuration: BatchConfiguration(concurrency: 2))
        let path = directory.file("results.jsonl")
        let task = Task { try await engine.run(input, resultsPath: path) }
        var seen: [String] = []
        for await id in started {
            seen.append(id)
            if seen.count == 3 { break }  // item-1 finished at once; item-2 and item-3 are blocked
        }
        task.cancel()
        let summary = try await task.value
        #expect(summary.stoppedBy == "cancelled")
        #expect(summary.ok == 1 && summary.notStarted == 5 && summary.ran == 3)
        #expect(try directory.records("results.jsonl").map(\.id.key) == ["item-1"])
    }
}

/// Finishes `item-1` at once and blocks every other item until it is cancelled.
struct BatchBlockingRunner: BatchItemRunner {
    let started: AsyncStream<String>.Continuation

    func run(_ item: BatchItem, budget: BatchBudget) async -> BatchItemOutcome {
        started.yield(item.id.key)
        if item.id.key == "item-1" { return BatchItemOutcome(answer: "done", stopReason: "completed") }
        try? await Task.sleep(for: .seconds(3600))  // not a synchronisation: blocks until cancelled
        return .failure("cancelled", stopReason: "cancelled")
    }
}
