import BrigadeTesting
import Testing

@testable import BrigadeCore

/// The deadline heap drops entries whose task ended, so that long limits on many short calls do not
/// pile up in it until their deadlines (docs/runtime.md, "Time limits").
@Suite("Deadline scheduler", .timeLimit(.minutes(1)))
struct DeadlineSchedulerTests {
    /// A scheduler of the test's own: its heap holds only this test's entries. Never released (its
    /// timer's handler refers to it).
    static let scheduler = DeadlineScheduler()

    @Test func entriesOfShortCallsDoNotPileUpAndLiveDeadlinesStillFire() async throws {
        let scheduler = Self.scheduler
        // Limits that stay live across the compactions below (on a machine that runs them within
        // two seconds), and pass only later.
        var outlived: [Task<Bool, Never>] = []
        for offset in 0..<20 {
            let started = Latch()
            outlived.append(Task { () -> Bool in
                let entry = scheduler.schedule(.now + .seconds(2) + .milliseconds(offset))
                started.open()
                await Self.sleepUntilCancelled()
                return entry.end()
            })
            try await started.wait()
        }

        // Ten fan-out turns of 1,000 calls each under 30-second limits, every call ending at once.
        var counts: [Int] = []
        for _ in 0..<10 {
            await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<1000 {
                    group.addTask { scheduler.schedule(.now + .seconds(30)).end() }
                }
                for await fired in group { #expect(!fired) }
            }
            counts.append(scheduler.heapCount)
        }
        // Without compaction the heap would hold 10,020 entries; with it, at most the live ones plus
        // about two turns' worth of ended ones (compaction waits for half the heap to have ended).
        #expect(counts.allSatisfy { $0 <= 2020 }, "\(counts)")

        // The live limits survived the compactions: each deadline cancels its task.
        for task in outlived { #expect(await task.value) }
        // And a limit set after them passes too.
        let later = await Task { () -> Bool in
            let entry = scheduler.schedule(.now + .milliseconds(20))
            await Self.sleepUntilCancelled()
            return entry.end()
        }.value
        #expect(later)
    }

    @Test func theSharedSchedulerStaysSmallAcrossManyShortLimits() async {
        // The real path: `withTimeLimit` on the process's scheduler. Other tests add their own live
        // entries meanwhile, hence the slack; without compaction this alone leaves 5,000.
        for _ in 0..<5 {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<1000 {
                    group.addTask { _ = await withTimeLimit(.now + .seconds(30)) { 1 } }
                }
            }
        }
        #expect(DeadlineScheduler.shared.heapCount < 3000, "\(DeadlineScheduler.shared.heapCount)")
    }

    private static func sleepUntilCancelled() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(10))
        }
    }
}
