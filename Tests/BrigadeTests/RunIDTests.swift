import Brigade
import Synchronization
import BrigadeTesting
import Testing

/// Run ids: unique, short, sorted by start time; a run carved from a run's budget names that run.
@Suite("Run ids")
struct RunIDTests {
    @Test func idsAreUniqueShortAndSortByTheirMillisecond() {
        let ids = (0..<2000).map { _ in RunID() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.rawValue.count == 20 && $0.rawValue.hasPrefix("run_") })
        let earlier = RunID.make(milliseconds: 1_700_000_000_000, random: 2_000_000_000)
        let later = RunID.make(milliseconds: 1_700_000_000_001, random: 0)
        #expect(earlier < later)
        #expect(later == "run_0loyw3v29_000000")
    }

    @Test func idsAreBase36PaddedToTheirWidths() {
        func reference(_ milliseconds: UInt64, _ random: UInt64) -> String {
            func pad(_ value: UInt64, _ digits: Int) -> String {
                let text = String(value, radix: 36)
                return String(repeating: "0", count: max(0, digits - text.count)) + text
            }
            return "run_" + pad(milliseconds, 9) + "_" + pad(random % 2_176_782_336, 6)
        }
        let cases: [(UInt64, UInt64)] = [
            (0, 0), (35, 35), (36, 36), (1_700_000_000_000, 2_176_782_335), (101_559_956_668_415, 2_176_782_336),
            (101_559_956_668_416, 12_345), (UInt64.max, UInt64.max), (1_765_000_000_123, 987_654_321),
        ]
        for (milliseconds, random) in cases {
            #expect(RunID.make(milliseconds: milliseconds, random: random) == reference(milliseconds, random))
        }
        // Past 36^9 ms the time takes a tenth digit, so ids still sort by their millisecond.
        #expect(RunID.make(milliseconds: 101_559_956_668_416, random: 0) == "run_1000000000_000000")
    }

    @Test func twoConcurrentRunsTagTheirEventsWithTheirOwnIDs() async throws {
        let agent = try makeAgent(ScriptedModelClient([.answer("one"), .answer("two")]), tools: [TestTools.echo()])
        let recorder = RunEventRecorder()
        let first = RunID(), second = RunID()
        async let a = agent.run("a", options: RunOptions(runID: first)) { recorder.record(RunEvent(runID: first, parentRunID: nil, event: $0)) }
        async let b = agent.run("b", options: RunOptions(runID: second)) { recorder.record(RunEvent(runID: second, parentRunID: nil, event: $0)) }
        let results = try await [a, b]
        #expect(results.map(\.runID) == [first, second])
        #expect(results.allSatisfy { $0.parentRunID == nil })
        for result in results {
            let events = recorder.events.filter { $0.runID == result.runID }
            guard case .finished(let finished)? = events.last?.event else {
                Issue.record("the run's events do not end with finished")
                continue
            }
            #expect(finished == result)
            #expect(events.allSatisfy { $0.json["run_id"] == .string(result.runID!.rawValue) && $0.json["parent_run_id"] == .null })
        }
    }

    @Test func aRunWithoutAnIDGetsOneAndARunCarvedFromARunsBudgetNamesIt() async throws {
        let agent = try makeAgent(ScriptedModelClient([.answer("parent"), .answer("child"), .answer("loose"), .answer("named")]))
        let parent = await agent.run("parent")
        let parentID = try #require(parent.runID)
        let parentLedger = BudgetLedger(limits: Budget.Limits(usd: 1), runID: parentID)
        let child = try await agent.run("child", options: RunOptions(parentBudget: parentLedger))
        #expect(child.parentRunID == parentID)
        #expect(child.runID != nil && child.runID != parentID)
        // A ledger no run owns (a session's) names no parent; a parent given explicitly wins.
        let session = BudgetLedger(limits: Budget.Limits(usd: 1))
        let loose = try await agent.run("loose", options: RunOptions(parentBudget: session))
        #expect(loose.parentRunID == nil)
        let named = try await agent.run("named", options: RunOptions(parentBudget: parentLedger, parentRunID: child.runID))
        #expect(named.parentRunID == child.runID)
    }
}

/// Collects enveloped events from concurrent runs.
final class RunEventRecorder: Sendable {
    private let state = Mutex<[RunEvent]>([])
    func record(_ event: RunEvent) { state.withLock { $0.append(event) } }
    var events: [RunEvent] { state.withLock { $0 } }
}
