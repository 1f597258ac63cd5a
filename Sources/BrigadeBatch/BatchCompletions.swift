import Synchronization

/// Where child tasks leave finished items, and the outcomes of result writes, for the engine's task
/// to take in bulk.
///
/// The engine wakes on `TaskGroup.next()` and then takes everything left so far, so items that
/// finish while earlier lines are written and synced go out together with one `write(2)` and one
/// `fsync` (group commit, see ``BatchResultsWriter``).
final class BatchCompletions: Sendable {
    private struct Taken {
        var finished: [BatchRun.Finished] = []
        var written: [BatchRun.Written] = []
    }

    private let items = Mutex(Taken())

    func add(_ finished: BatchRun.Finished) {
        items.withLock { $0.finished.append(finished) }
    }

    func add(_ written: BatchRun.Written) {
        items.withLock { $0.written.append(written) }
    }

    /// Everything finished and written since the last call, in order of finishing.
    func takeAll() -> (finished: [BatchRun.Finished], written: [BatchRun.Written]) {
        items.withLock { items in
            defer {
                items.finished.removeAll(keepingCapacity: true)
                items.written.removeAll(keepingCapacity: true)
            }
            return (items.finished, items.written)
        }
    }
}
