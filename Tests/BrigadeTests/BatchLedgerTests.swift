import Testing
import Brigade
@testable import BrigadeBatch
@testable import BrigadeCore

@Suite("Batch ledger, summary and progress rendering", .timeLimit(.minutes(1)))
struct BatchLedgerTests {
    @Test func admitsWhileTheReserveFitsWaitsForItemsInFlightThenIsExhausted() {
        var ledger = BatchLedger(limits: BatchBudget(usd: 2.5))
        let item = BatchBudget(usd: 1)
        #expect(ledger.admit(item, elapsedSeconds: 0) == .admit(budget: BatchBudget(usd: 1), reserve: BatchSpend(usd: 1)))
        #expect(ledger.admit(item, elapsedSeconds: 0) == .admit(budget: BatchBudget(usd: 1), reserve: BatchSpend(usd: 1)))
        // 0.5 left after two reserves: wait for the items in flight.
        #expect(ledger.admit(item, elapsedSeconds: 0) == .wait(.usd))
        // The first spent only 0.25 of its reserve: now 1.25 is left and a third fits.
        ledger.settle(reserve: BatchSpend(usd: 1), spent: BatchSpend(usd: 0.25), latency: .seconds(1), countsTowardAverage: true)
        #expect(ledger.admit(item, elapsedSeconds: 0) == .admit(budget: BatchBudget(usd: 1), reserve: BatchSpend(usd: 1)))
        ledger.settle(reserve: BatchSpend(usd: 1), spent: BatchSpend(usd: 1), latency: .seconds(1), countsTowardAverage: true)
        ledger.settle(reserve: BatchSpend(usd: 1), spent: BatchSpend(usd: 1), latency: .seconds(1), countsTowardAverage: true)
        #expect(ledger.spent.usd == 2.25 && ledger.reserved == BatchSpend() && ledger.inFlight == 0)
        // 0.25 left, nothing in flight: exhausted for good.
        #expect(ledger.admit(item, elapsedSeconds: 0) == .exhausted(.usd))
        #expect(ledger.admit(BatchBudget(usd: 0.1), elapsedSeconds: 0) == .exhausted(.usd))
    }

    @Test func reserveFallsBackToTheAverageOfItemsThatRanAndNarrowsTheItemBudget() {
        var ledger = BatchLedger(limits: BatchBudget(usd: 10, outputTokens: 1000))
        #expect(ledger.reserve(for: .unlimited).spend == BatchSpend())
        ledger.carry(BatchSpend(usd: 1, inputTokens: 10, outputTokens: 100), latency: .seconds(2), countsTowardAverage: true)
        ledger.carry(BatchSpend(usd: 3, inputTokens: 11, outputTokens: 300), latency: .seconds(4), countsTowardAverage: true)
        ledger.carry(BatchSpend(), latency: .zero, countsTowardAverage: false)
        let reserve = ledger.reserve(for: BatchBudget(inputTokens: 5))
        #expect(reserve.spend == BatchSpend(usd: 2, inputTokens: 5, outputTokens: 200) && reserve.seconds == 3)
        // Spent $4 and 400 output tokens: what is left bounds the item's own budget.
        #expect(ledger.admit(BatchBudget(usd: 5, wallSeconds: 20), elapsedSeconds: 0) == .admit(
            budget: BatchBudget(usd: 5, outputTokens: 600, wallSeconds: 20),
            reserve: BatchSpend(usd: 5, inputTokens: 11, outputTokens: 200)
        ))
        // $9 does not fit in the $1 left beside the reserve in flight: wait for it.
        #expect(ledger.admit(BatchBudget(usd: 9), elapsedSeconds: 0) == .wait(.usd))
        ledger.settle(reserve: BatchSpend(usd: 5, inputTokens: 11, outputTokens: 200), spent: BatchSpend(usd: 2), latency: .seconds(1), countsTowardAverage: true)
        // $4 left, nothing in flight: exhausted.
        #expect(ledger.admit(BatchBudget(usd: 9), elapsedSeconds: 0) == .exhausted(.usd))
    }

    @Test func wallTimeCountsThisRunAndBoundsTheItem() {
        var ledger = BatchLedger(limits: BatchBudget(wallSeconds: 60))
        #expect(ledger.admit(.unlimited, elapsedSeconds: 10) == .admit(budget: BatchBudget(wallSeconds: 50), reserve: BatchSpend()))
        #expect(ledger.admit(BatchBudget(wallSeconds: 30), elapsedSeconds: 20) == .admit(budget: BatchBudget(wallSeconds: 30), reserve: BatchSpend()))
        // 25 s left, the item expects 30 s: no wait helps, time only grows.
        #expect(ledger.admit(BatchBudget(wallSeconds: 30), elapsedSeconds: 35) == .exhausted(.wallSeconds))
        var late = BatchLedger(limits: BatchBudget(wallSeconds: 60))
        #expect(late.admit(.unlimited, elapsedSeconds: 60) == .exhausted(.wallSeconds))
    }

    @Test func decimalPricesThatAddUpExactlyFit() {
        var ledger = BatchLedger(limits: BatchBudget(usd: 0.3))
        ledger.carry(BatchSpend(usd: 0.1), latency: .zero, countsTowardAverage: true)
        ledger.carry(BatchSpend(usd: 0.1), latency: .zero, countsTowardAverage: true)
        if case .admit = ledger.admit(BatchBudget(usd: 0.1), elapsedSeconds: 0) {} else {
            Issue.record("0.1 + 0.1 + 0.1 should fit in 0.3")
        }
    }

    @Test func zeroBudgetAdmitsNothing() {
        var ledger = BatchLedger(limits: BatchBudget(usd: 0))
        #expect(ledger.admit(.unlimited, elapsedSeconds: 0) == .exhausted(.usd))
    }

    @Test func percentilesUseTheNearestRank() {
        let hundred = (1...100).map { Duration.milliseconds($0) }.shuffled()
        #expect(BatchSummary.percentile(50, of: hundred) == .milliseconds(50))
        #expect(BatchSummary.percentile(95, of: hundred) == .milliseconds(95))
        #expect(BatchSummary.percentile(100, of: hundred) == .milliseconds(100))
        let ten = (1...10).map { Duration.seconds($0) }
        #expect(BatchSummary.percentile(50, of: ten) == .seconds(5))
        #expect(BatchSummary.percentile(95, of: ten) == .seconds(10))
        #expect(BatchSummary.percentile(95, of: [.seconds(3)]) == .seconds(3))
        #expect(BatchSummary.percentile(50, of: []) == nil)
    }

    @Test func summaryJSONAndText() throws {
        let summary = BatchSummary(
            total: 10, ok: 7, failed: 1, skipped: 2, resumed: 3, ran: 5, notStarted: 0,
            spent: BatchSpend(usd: 1.5, inputTokens: 12000, outputTokens: 800), spentThisRun: BatchSpend(usd: 0.5),
            latencyP50: .milliseconds(1200), latencyP95: .milliseconds(3400), elapsed: .seconds(2),
            stoppedBy: "usd", repair: nil
        )
        #expect(summary.itemsPerSecond == 2.5)
        let json = try JSONValue(parsing: summary.json.jsonString)
        #expect(json["ok"] == 7 && json["skipped"] == 2 && json["latency_p50_ms"] == 1200 && json["latency_p95_ms"] == 3400)
        #expect(json["spent"] == ["usd": 1.5, "input_tokens": 12000, "output_tokens": 800] && json["items_per_second"] == 2.5)
        #expect(json["stopped_by"] == "usd" && json["repair"] == .null)
        #expect(summary.description == """
            batch: 7 ok, 1 failed, 2 skipped of 10 (3 from an earlier run); stopped by usd
            spent $1.50, 12.0k input + 800 output tokens (this run $0.5000)
            5 run in 2.0s, 2.5 items/s, latency p50 1.2s p95 3.4s
            """)
    }

    let snapshot = BatchProgress(
        total: 1000, done: 450, ok: 440, failed: 5, skipped: 5, inFlight: 4, elapsed: .seconds(36.5),
        spent: BatchSpend(usd: 1.234), budget: BatchBudget(usd: 5)
    )

    @Test func plainProgressLine() {
        #expect(BatchProgressRenderer.line(snapshot)
            == "batch 450/1000 (45%): 440 ok, 5 failed, 5 skipped, 4 running; 12.3 items/s; $1.23 of $5.00; ETA 44.6s")
        let fresh = BatchProgress(total: 20, done: 5, resumed: 5, ok: 5, budget: BatchBudget(inputTokens: 2_000_000))
        #expect(BatchProgressRenderer.line(fresh)
            == "batch 5/20 (25%): 5 ok, 0 failed, 0 skipped, 0 running; 0.0 items/s; 0 of 2.0M in; ETA unknown")
    }

    @Test func progressBarFitsTheWidth() {
        let bar = BatchProgressRenderer.bar(snapshot, width: 80)
        #expect(bar == "[" + String(repeating: "#", count: 9) + String(repeating: ".", count: 13) + "]"
            + " 450/1000  45%  12.3/s  $1.23/$5.00  5 failed  ETA 44.6s")
        #expect(bar.count == 80)
        let narrow = BatchProgressRenderer.bar(snapshot, width: 30)
        #expect(narrow.count == 30 && narrow.hasPrefix("[####......] 450/1000"))
        let done = BatchProgressRenderer.bar(BatchProgress(total: 0, done: 0), width: 40)
        #expect(done.hasPrefix("[####") && done.contains("0/0  100%") && done.hasSuffix("ETA 0ms"))
    }

    @Test func numberFormatting() {
        #expect(BatchFormat.fixed(2.345, 1) == "2.3" && BatchFormat.fixed(-0.004, 2) == "0.00" && BatchFormat.fixed(-1.5, 0) == "-2")
        #expect(BatchFormat.fixed(0.05, 3) == "0.050" && BatchFormat.fixed(.infinity, 2) == "inf")
        #expect(BatchFormat.usd(0.0042) == "$0.0042" && BatchFormat.usd(12.5) == "$12.50" && BatchFormat.usd(0) == "$0.00")
        #expect(BatchFormat.tokens(950) == "950" && BatchFormat.tokens(12345) == "12.3k" && BatchFormat.tokens(4_500_000) == "4.5M")
        #expect(BatchFormat.duration(.milliseconds(850)) == "850ms" && BatchFormat.duration(.seconds(245)) == "4m05s")
        #expect(BatchFormat.duration(.seconds(3725)) == "1h02m" && BatchFormat.duration(.seconds(12.34)) == "12.3s")
    }
}
