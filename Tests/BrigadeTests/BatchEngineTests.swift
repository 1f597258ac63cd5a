import BrigadeSync
import Testing
import Brigade
@testable import BrigadeBatch
@testable import BrigadeCore

@Suite("Batch engine", .timeLimit(.minutes(1)))
struct BatchEngineTests {
    func run(
        _ text: String, _ configuration: BatchConfiguration, runner: any BatchItemRunner = BatchFakeRunner(),
        in directory: BatchTempDirectory, results: String = "results.jsonl"
    ) async throws -> BatchSummary {
        let input = try BatchInput(parsing: Array(text.utf8))
        return try await BatchEngine(runner: runner, configuration: configuration).run(input, resultsPath: directory.file(results))
    }

    @Test(arguments: [1, 4])
    func globalBudgetStopsAtTheRightItemAndSkipsTheRest(concurrency: Int) async throws {
        let directory = BatchTempDirectory()
        let runner = BatchFakeRunner(usd: 1)
        let configuration = BatchConfiguration(
            concurrency: concurrency, budget: BatchBudget(usd: 6.5), defaultItemBudget: BatchBudget(usd: 1)
        )
        let summary = try await run(batchInputText(10), configuration, runner: runner, in: directory)
        #expect(Set(runner.ranIDs) == Set((1...6).map { "item-\($0)" }))
        #expect(summary.ok == 6 && summary.failed == 0 && summary.skipped == 4 && summary.ran == 6)
        #expect(summary.spent.usd == 6 && summary.stoppedBy == "usd")
        let records = try directory.records("results.jsonl")
        #expect(records.count == 10)
        let skipped = records.filter { $0.status == .skipped }
        #expect(skipped.map(\.id.key) == (7...10).map { "item-\($0)" })
        #expect(skipped.allSatisfy { $0.stopReason == "budget" && $0.costUSD == 0 })
    }

    @Test func withoutItemBudgetsTheReserveIsTheAverageOfFinishedItems() async throws {
        let directory = BatchTempDirectory()
        let runner = BatchFakeRunner(usd: 0.25, inputTokens: 1000)
        let configuration = BatchConfiguration(concurrency: 1, budget: BatchBudget(inputTokens: 3500))
        let summary = try await run(batchInputText(6), configuration, runner: runner, in: directory)
        // After three items 3000 tokens are spent; 500 remain, less than the average 1000.
        #expect(runner.ranIDs == ["item-1", "item-2", "item-3"])
        #expect(summary.ok == 3 && summary.skipped == 3 && summary.stoppedBy == "input_tokens")
        #expect(summary.spent == BatchSpend(usd: 0.75, inputTokens: 3000, outputTokens: 30))
    }

    @Test func perItemBudgetIsPassedThroughNarrowedToWhatTheGlobalBudgetHasLeft() async throws {
        let directory = BatchTempDirectory()
        let runner = BatchFakeRunner(usd: 1)
        let text = "{\"id\": \"own\", \"prompt\": \"p\", \"budget\": {\"usd\": 0.5, \"output_tokens\": 100}}\n"
            + "{\"id\": \"default\", \"prompt\": \"p\"}\n"
            + "{\"id\": \"big\", \"prompt\": \"p\", \"budget\": {\"usd\": 50, \"wall_seconds\": 5}}\n"
        let configuration = BatchConfiguration(
            concurrency: 1, budget: BatchBudget(usd: 60), defaultItemBudget: BatchBudget(inputTokens: 2000, wallSeconds: 30)
        )
        _ = try await run(text, configuration, runner: runner, in: directory)
        let budgets = Dictionary(uniqueKeysWithValues: runner.calls.withLock { $0 }.map { ($0.id.key, $0.budget) })
        #expect(budgets["own"] == BatchBudget(usd: 0.5, inputTokens: 2000, outputTokens: 100, wallSeconds: 30))
        // No usd of its own: it may use what is left of the global $60 after the first item's $1.
        #expect(budgets["default"] == BatchBudget(usd: 59, inputTokens: 2000, wallSeconds: 30))
        #expect(budgets["big"] == BatchBudget(usd: 50, inputTokens: 2000, wallSeconds: 5))
    }

    @Test func malformedLinesBecomeFailedItemsAndTheBatchGoesOn() async throws {
        let directory = BatchTempDirectory()
        let text = "{\"id\": \"a\", \"prompt\": \"p\"}\n{\"id\": \"b\", \"prompt\": \n{\"id\": \"c\", \"prompt\": \"p\", \"budget\": {\"cents\": 1}}\nplain\n"
        let summary = try await run(text, BatchConfiguration(concurrency: 2), in: directory)
        #expect(summary.ok == 2 && summary.failed == 2 && summary.ran == 2)
        let records = try directory.records("results.jsonl")
        let failed = records.filter { $0.status == .failed }.sorted { ($0.line ?? 0) < ($1.line ?? 0) }
        #expect(failed.map(\.id.key) == ["2", "c"])
        #expect(failed.map(\.line) == [2, 3])
        #expect(failed.allSatisfy { $0.stopReason == "invalid_input" })
        #expect(failed[0].error?.hasPrefix("line 2: invalid JSON") == true)
        #expect(failed[1].error == "line 3: unknown budget key \"cents\" (allowed: usd, input_tokens, output_tokens, wall_seconds)")
    }

    @Test func runnerFailureIsRecordedAndDoesNotStopTheBatch() async throws {
        let directory = BatchTempDirectory()
        let text = "{\"id\": 1, \"prompt\": \"ok\"}\n{\"id\": 2, \"prompt\": \"fail now\"}\n{\"id\": 3, \"prompt\": \"ok\"}\n"
        let summary = try await run(text, BatchConfiguration(concurrency: 1), in: directory)
        #expect(summary.ok == 2 && summary.failed == 1 && summary.stoppedBy == nil)
        let failed = try #require(try directory.records("results.jsonl").first { $0.status == .failed })
        #expect(failed.id.json == 2 && failed.error == "asked to fail" && failed.costUSD == 1)
    }

    @Test func failFastStopsStartingItemsAfterTheFirstFailure() async throws {
        let directory = BatchTempDirectory()
        let runner = BatchFakeRunner()
        let text = "{\"id\": 1, \"prompt\": \"ok\"}\n{\"id\": 2, \"prompt\": \"fail now\"}\n{\"id\": 3, \"prompt\": \"ok\"}\n{\"id\": 4, \"prompt\": \"ok\"}\n"
        let summary = try await run(text, BatchConfiguration(concurrency: 1, failFast: true), runner: runner, in: directory)
        #expect(runner.ranIDs == ["1", "2"])
        #expect(summary.ok == 1 && summary.failed == 1 && summary.skipped == 2 && summary.stoppedBy == "fail_fast")
        let skipped = try directory.records("results.jsonl").filter { $0.status == .skipped }
        #expect(skipped.map(\.stopReason) == ["fail_fast", "fail_fast"])
    }

    @Test func outputLineCarriesEverythingAboutTheItem() async throws {
        let directory = BatchTempDirectory()
        let text = "{\"id\": \"q1\", \"prompt\": \"hello\", \"mode\": \"agent\", \"metadata\": {\"source\": \"test\", \"n\": 3}}\n"
        _ = try await run(text, BatchConfiguration(), runner: BatchFakeRunner(usd: 0.125, inputTokens: 7, outputTokens: 5), in: directory)
        let line = directory.read("results.jsonl")
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
        let json = try JSONValue(parsing: line)
        let keys = json.objectValue?.keys ?? []
        #expect(keys == ["id", "status", "line", "mode", "answer", "stop_reason", "usage", "cost_usd", "calls", "timings", "error", "metadata"])
        #expect(json["id"] == "q1" && json["status"] == "ok" && json["line"] == 1 && json["mode"] == "agent")
        #expect(json["answer"] == "answer to hello" && json["stop_reason"] == "completed" && json["error"] == .null)
        #expect(json["usage"] == ["input_tokens": 7, "output_tokens": 5] && json["cost_usd"] == 0.125 && json["calls"] == 2)
        #expect(json["timings"]?["model_ms"] == 3 && json["timings"]?["latency_ms"]?.doubleValue != nil)
        #expect(json["metadata"] == ["source": "test", "n": 3])
    }

    @Test func resultsFileThatIsTheInputFileIsRefused() async throws {
        let directory = BatchTempDirectory()
        let path = directory.write("input.jsonl", batchInputText(2))
        let input = try BatchInput(contentsOf: path)
        let error = await #expect(throws: BatchError.self) {
            try await BatchEngine(runner: BatchFakeRunner()).run(input, resultsPath: path, inputPath: path)
        }
        #expect(error?.code == .invalidOption)
        #expect(directory.read("input.jsonl") == batchInputText(2))
    }

    @Test func eventsReportStartEveryRecordProgressAndTheSummary() async throws {
        let directory = BatchTempDirectory()
        let events = LockedState<[String]>([])
        let input = try BatchInput(parsing: Array(batchInputText(3).utf8))
        let engine = BatchEngine(runner: BatchFakeRunner(), configuration: BatchConfiguration(concurrency: 1, progressInterval: .zero))
        _ = try await engine.run(input, resultsPath: directory.file("r.jsonl")) { event in
            let name = switch event {
            case .started(let progress, _): "started \(progress.done)/\(progress.total)"
            case .recorded(let record): "recorded \(record.id.key)"
            case .progress(let progress): "progress \(progress.done)/\(progress.total)"
            case .finished(let summary): "finished \(summary.ok)"
            }
            events.withLock { $0.append(name) }
        }
        #expect(events.withLock { $0 } == [
            "started 0/3", "recorded item-1", "progress 1/3", "recorded item-2", "progress 2/3",
            "recorded item-3", "progress 3/3", "progress 3/3", "finished 3",
        ])
    }

    @Test func itemOutlivingItsWallBudgetIsCancelledAndRecordedAsFailed() async throws {
        let directory = BatchTempDirectory()
        let text = "{\"id\": \"slow\", \"prompt\": \"p\", \"budget\": {\"wall_seconds\": 0.05}}\n{\"id\": \"quick\", \"prompt\": \"p\"}\n"
        let summary = try await run(text, BatchConfiguration(concurrency: 2), runner: BatchSleepingRunner(), in: directory)
        #expect(summary.failed == 1 && summary.ok == 1)
        let slow = try #require(try directory.records("results.jsonl").first { $0.id.key == "slow" })
        #expect(slow.status == .failed && slow.stopReason == "wall_seconds")
        #expect(slow.error == "exceeded its wall-time budget of 0.050s: cancelled")
    }
}

/// Answers `quick` at once and sleeps on anything else until cancelled.
struct BatchSleepingRunner: BatchItemRunner {
    func run(_ item: BatchItem, budget: BatchBudget) async -> BatchItemOutcome {
        if item.id.key == "quick" { return BatchItemOutcome(answer: "quick", stopReason: "completed") }
        do {
            try await Task.sleep(for: .seconds(3600))  // stands in for a runner that ignores its own wall budget
        } catch {
            return .failure("cancelled", stopReason: "cancelled")
        }
        return BatchItemOutcome(answer: "late", stopReason: "completed")
    }
}
