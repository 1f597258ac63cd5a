import BrigadeSync
import BrigadeTesting
import Dispatch
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `offThePool`, which the long synchronous tests run in so that they never hold a thread of the
/// cooperative pool that every other test of the run shares.
@Suite("Work off the cooperative pool", .timeLimit(.minutes(1)))
struct OffThePoolTests {
    /// Every thread of the pool is taken by a task that blocks until the body of `offThePool` lets
    /// it go; the body first waits for all of them to be running. On a pool thread the body could
    /// never see the last of them start (it would hold that thread itself): the tasks give up after
    /// 10 s and the test fails. On a thread of its own it lets them go at once.
    @Test func theBodyRunsWhileEveryThreadOfThePoolIsTaken() async {
        let width = Self.poolWidth
        let running = LockedState(0)
        let release = DispatchSemaphore(value: 0)
        let blockers = (0..<width).map { _ in
            Task {
                running.withLock { $0 += 1 }
                return release.wait(timeout: .now() + 10) == .success
            }
        }
        await offThePool {
            while running.withLock({ $0 }) < width { usleep(1000) }
            for _ in 0..<width { release.signal() }
        }
        for blocker in blockers {
            #expect(await blocker.value, "a task holding a pool thread waited 10 s for the body")
        }
    }

    @Test func theBodyKeepsTheTestsTaskLocalsAndItsErrors() async throws {
        #expect(Test.current != nil)
        await offThePool { #expect(Test.current != nil) }
        struct Failure: Error {}
        await #expect(throws: Failure.self) { try await offThePool { () throws(Failure) in throw Failure() } }
        #expect(await offThePool { 42 } == 42)
    }

    /// The threads of Swift's global executor on Linux: a dispatch queue as wide as the CPUs this
    /// process may run on, which libdispatch counts with `pthread_getaffinity_np` (a GNU extension
    /// not exported to Swift).
    static var poolWidth: Int {
        typealias GetAffinity = @convention(c) (pthread_t, Int, UnsafeMutableRawPointer?) -> Int32
        guard let symbol = dlsym(nil, "pthread_getaffinity_np") else { return 1 }
        var set = [UInt8](repeating: 0, count: 128)  // a cpu_set_t: 1024 bits
        let getAffinity = unsafeBitCast(symbol, to: GetAffinity.self)
        guard set.withUnsafeMutableBytes({ getAffinity(pthread_self(), $0.count, $0.baseAddress) }) == 0 else { return 1 }
        return set.reduce(0) { $0 + $1.nonzeroBitCount }
    }
}
