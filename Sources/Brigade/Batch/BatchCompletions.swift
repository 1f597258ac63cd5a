#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where child tasks leave finished items for the engine's task to take in bulk.
///
/// The engine wakes on `TaskGroup.next()` and then takes every item finished so far, so items
/// that finish while it writes and syncs are appended together with one `write(2)` and one
/// `fsync` (group commit) instead of one sync each.
// @unchecked Sendable: `items` is only touched with `mutex` held.
final class BatchCompletions: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var items: [BatchRun.Finished] = []

    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }

    func add(_ finished: BatchRun.Finished) {
        pthread_mutex_lock(&mutex)
        items.append(finished)
        pthread_mutex_unlock(&mutex)
    }

    /// Everything finished since the last call, in order of finishing.
    func takeAll() -> [BatchRun.Finished] {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        let taken = items
        items.removeAll(keepingCapacity: true)
        return taken
    }
}
