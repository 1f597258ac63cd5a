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
        await Self.expectCallersCancellationReturnsTheOperationsValue { await withTimeLimit($0, operation: $1) }
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

    @Test func aCallersCancellationBeforeTheDeadlineIsNotReportedAsTheDeadline() async {
        // The task is cancelled by its caller before its limit starts, with a deadline already past:
        // the operation's own result comes back, on both kinds of limit.
        let task = Task { () -> (TimeLimitOutcome<String>, TimeLimitOutcome<String>) in
            while !Task.isCancelled { await Task.yield() }
            let inChild = await withTimeLimit(.now - .seconds(1)) { "child" }
            let inTask = await withTimeLimitCancellingCallingTask(.now - .seconds(1)) { "task" }
            return (inChild, inTask)
        }
        task.cancel()
        let (inChild, inTask) = await task.value
        guard case .finished(let child) = inChild, case .finished(let own) = inTask else {
            Issue.record("reported as the deadline: \(inChild), \(inTask)")
            return
        }
        #expect(child == "child")
        #expect(own == "task")
    }

    @Test func onTheCallingTaskTheDeadlineCancelsThatTask() async {
        let deadline = ContinuousClock.now + .milliseconds(50)
        let (outcome, cancelledAfter) = await Task {
            let outcome = await withTimeLimitCancellingCallingTask(deadline) { () async -> Int in
                await Self.sleepUntilCancelled()
                return 1
            }
            return (outcome, Task.isCancelled)
        }.value
        guard case .deadlinePassed = outcome else { Issue.record("got \(outcome)"); return }
        #expect(cancelledAfter)
        #expect(ContinuousClock.now >= deadline)
    }

    @Test func onTheCallingTaskAnOperationThatEndsFirstLeavesTheTaskAlone() async {
        // Once the operation has ended, its deadline passing later cancels nothing. (A limit whose
        // deadline came first on a loaded machine is left out: its task was cancelled rightly.)
        let results = await withTaskGroup(of: (TimeLimitOutcome<Int>, Bool).self) { group in
            for _ in 0..<20 {
                group.addTask {
                    let outcome = await withTimeLimitCancellingCallingTask(.now + .milliseconds(20)) { 7 }
                    try? await Task.sleep(for: .milliseconds(60))  // past the deadline
                    return (outcome, Task.isCancelled)
                }
            }
            return await group.reduce(into: [(TimeLimitOutcome<Int>, Bool)]()) { $0.append($1) }
        }
        for (outcome, cancelledAfter) in results {
            if case .finished(let value) = outcome {
                #expect(value == 7)
                #expect(!cancelledAfter)
            }
        }
    }

    @Test func onTheCallingTaskTheCallersCancellationReturnsTheOperationsValue() async {
        await Self.expectCallersCancellationReturnsTheOperationsValue {
            await withTimeLimitCancellingCallingTask($0, operation: $1)
        }
    }

    /// Cancels the task running `limit` (30 s away) once its operation started: the operation sees the
    /// cancellation and its own value comes back, not `.deadlinePassed`.
    private static func expectCallersCancellationReturnsTheOperationsValue(
        _ limit: @escaping @Sendable (ContinuousClock.Instant, @escaping @Sendable () async -> String) async
            -> TimeLimitOutcome<String>
    ) async {
        let started = Latch()
        let task = Task {
            await limit(.now + .seconds(30)) { () async -> String in
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

    private static func sleepUntilCancelled() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(10))
        }
    }
}
