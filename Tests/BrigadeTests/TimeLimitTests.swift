import Brigade
import BrigadeTesting
import Testing

@testable import BrigadeCore

/// `withTimeLimit` on the system clock, where the process's deadline timer cancels the operation.
@Suite("Time limits", .timeLimit(.minutes(1)))
struct TimeLimitTests {
    @Test func anOperationThatEndsFirstKeepsItsValue() async {
        let outcome = await withTimeLimit(.now + .seconds(30)) { 42 }
        guard case .finished(let value) = outcome else { Issue.record("got \(outcome)"); return }
        #expect(value == 42)
    }

    @Test func theDeadlineCancelsAnOperationThatWaitsForever() async {
        let deadline = ContinuousClock.now + .milliseconds(50)
        let outcome = await withTimeLimit(deadline) { () async -> ContinuousClock.Instant in
            await Self.sleepUntilCancelled()
            return .now
        }
        guard case .deadlinePassed = outcome else { Issue.record("got \(outcome)"); return }
        #expect(ContinuousClock.now >= deadline)
    }

    @Test func aDeadlineAlreadyPassedCancelsTheOperationAtOnce() async {
        let sawCancellation = Latch()
        let outcome = await withTimeLimit(.now - .seconds(1)) { () async -> Bool in
            if Task.isCancelled { sawCancellation.open() }
            return Task.isCancelled
        }
        guard case .deadlinePassed = outcome else { Issue.record("got \(outcome)"); return }
        #expect(sawCancellation.isOpen)
    }

    @Test func deadlinesSetOutOfOrderEachPassAtTheirOwnTime() async {
        // The later limits start first: the timer must move to each earlier deadline as it comes.
        let start = ContinuousClock.now
        let offsets = [400, 300, 200, 100, 250].map { Duration.milliseconds($0) }
        let ends = await withTaskGroup(of: (Duration, ContinuousClock.Instant?).self) { group in
            for offset in offsets {
                group.addTask {
                    let outcome = await withTimeLimit(start + offset) { await Self.sleepUntilCancelled() }
                    guard case .deadlinePassed = outcome else { return (offset, nil) }
                    return (offset, .now)
                }
            }
            return await group.reduce(into: [(Duration, ContinuousClock.Instant?)]()) { $0.append($1) }
        }
        #expect(ends.count == offsets.count)
        for (offset, end) in ends {
            guard let end else { Issue.record("the \(offset) limit did not pass"); continue }
            #expect(end >= start + offset)
        }
    }

    @Test func theCallersCancellationReachesTheOperationAndItsValueIsReturned() async {
        let started = Latch()
        let task = Task {
            await withTimeLimit(.now + .seconds(30)) { () async -> String in
                started.open()
                await Self.sleepUntilCancelled()
                return "stopped"
            }
        }
        try? await started.wait()
        task.cancel()
        guard case .finished(let value) = await task.value else { Issue.record("the deadline passed instead"); return }
        #expect(value == "stopped")
    }

    @Test func manyLimitsEndingEarlyLeaveNoCancellationBehind() async {
        // Limits whose operations ended are not cancelled later (their tasks are gone).
        for _ in 0..<200 {
            _ = await withTimeLimit(.now + .milliseconds(20)) { 1 }
        }
        try? await Task.sleep(for: .milliseconds(60))
        let outcome = await withTimeLimit(.now + .seconds(30)) { Task.isCancelled }
        guard case .finished(let cancelled) = outcome else { Issue.record("got \(outcome)"); return }
        #expect(!cancelled)
    }

    private static func sleepUntilCancelled() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(10))
        }
    }
}
