import Dispatch

/// Runs `body` on a thread of its own instead of a thread of Swift's cooperative pool.
///
/// For a test whose work is long and synchronous (seconds of CPU in a debug build, a thousand
/// `fsync`s): on a 2-core machine the pool has two threads shared by every test of the run, and two
/// such tests hold both for as long as they run — every other test, its in-process servers and its
/// time limits stand still meanwhile (FlyingFox's 5 s `waitUntilListening` times out, progress lines
/// come late). On a thread of its own the work is time-sliced by the kernel with the pool's threads.
///
/// `body` stays in the calling task (task-locals such as the test being run, cancellation): only
/// its executor changes, so `#expect` and `#require` inside it work as anywhere in the test. The code
/// `body` awaits that is isolated to an actor still runs on that actor's executor.
package func offThePool<T, Failure: Error>(
    _ body: () async throws(Failure) -> T
) async throws(Failure) -> T {
    try await withTaskExecutorPreference(OwnThreadExecutor(), operation: body)
}

/// A task executor whose jobs run one at a time on a serial dispatch queue: an overcommitting
/// queue, which gets a thread of its own instead of waiting for one of the cooperative pool.
package final class OwnThreadExecutor: TaskExecutor {
    private let queue = DispatchQueue(label: "brigade.tests.own-thread")

    package init() {}

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
