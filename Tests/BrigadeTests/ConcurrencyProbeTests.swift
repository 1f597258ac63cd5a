import BrigadeTesting
import Testing

/// `ConcurrencyProbe`, the test helper that proves calls run at once: a level reached by calls that
/// met inside counts for all of them, even for one that starts waiting after the others have left.
@Suite("Concurrency probe", .timeLimit(.minutes(1)))
struct ConcurrencyProbeTests {
    @Test func aLevelReachedCountsForACallerThatWaitsAfterTheOthersLeft() async throws {
        let probe = ConcurrencyProbe()
        // Three tasks are inside at once; the last one sees the level, passes and leaves before the
        // second has started waiting (as happens when a scheduler runs them in that order).
        probe.enter()
        probe.enter()
        probe.enter()
        try await probe.waitUntilActive(atLeast: 3)
        probe.leave()
        // A wait on the current count alone would never return here: only two are left inside.
        try await probe.waitUntilActive(atLeast: 3)
        probe.leave()
        try await probe.waitUntilActive(atLeast: 3)
        probe.leave()
        #expect(probe.maxActive == 3 && probe.active == 0)
    }

    @Test func aWaiterIsWokenWhenTheLevelIsReached() async throws {
        let probe = ConcurrencyProbe()
        probe.enter()
        let waiter = Task {
            try await probe.waitUntilActive(atLeast: 2)
            probe.leave()
        }
        probe.enter()
        try await waiter.value
        probe.leave()
        #expect(probe.maxActive == 2 && probe.active == 0)
    }

    @Test func aLevelFromAnEarlierBusyPeriodDoesNotCount() async throws {
        let probe = ConcurrencyProbe()
        probe.enter()
        probe.enter()
        probe.leave()
        probe.leave()
        // The probe was empty since: a new caller alone must wait for the level again. Cancelled, it
        // throws whether or not it had started waiting; a remembered level would return at once.
        probe.enter()
        defer { probe.leave() }
        let waiter = Task { try await probe.waitUntilActive(atLeast: 2) }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
    }
}
