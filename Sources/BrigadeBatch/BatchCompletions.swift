import Synchronization
/// Where child tasks leave finished items for the engine's task to take in bulk.
///
/// The engine wakes on `TaskGroup.next()` and then takes every item finished so far, so items
/// that finish while it writes and syncs are appended together with one `write(2)` and one
/// `fsync` (group commit) instead of one sync each.
final class BatchCompletions: Sendable {
    private let items = Mutex<[BatchRun.Finished]>([])

    func add(_ finished: BatchRun.Finished) {
        items.withLock { $0.append(finished) }
    }

    /// Everything finished since the last call, in order of finishing.
    func takeAll() -> [BatchRun.Finished] {
        items.withLock { items in
            defer { items.removeAll(keepingCapacity: true) }
            return items
        }
    }
}
