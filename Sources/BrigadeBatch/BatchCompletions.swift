import BrigadeSync

/// Where child tasks leave finished items, and the writer the outcomes of result writes, for the
/// engine's task to take in bulk.
///
/// The engine waits in ``next()`` and then takes everything left so far, so items that finish while
/// earlier lines are written and synced go out together with one `write(2)` and one `fsync` (group
/// commit, see ``BatchResultsWriter``). A synced write wakes the engine directly from the writer's
/// queue: no task waits for it.
final class BatchCompletions: Sendable {
    struct Taken: Sendable {
        var finished: [BatchRun.Finished] = []
        var written: [BatchRun.Written] = []

        var isEmpty: Bool { finished.isEmpty && written.isEmpty }
    }

    private let items = LockedState(Taken())

    func add(_ finished: BatchRun.Finished) {
        items.withLock { $0.finished.append(finished) }
    }

    func add(_ written: BatchRun.Written) {
        items.withLock { $0.written.append(written) }
    }

    /// Everything finished and written since the last call, in order of arrival; waits (whatever
    /// happens to the calling task) until there is something. The caller calls it only while an
    /// item runs or a write is outstanding, and each of those adds exactly one entry.
    func next() async -> Taken {
        await items.waitIgnoringCancellation { items in
            guard !items.isEmpty else { return nil }
            defer { items = Taken() }
            return items
        }
    }
}
