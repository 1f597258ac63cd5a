import BrigadeSync
import Dispatch
import Synchronization

/// The store's writing side: records are queued by the runs (never waiting) and committed by one
/// serial queue, each batch — whatever was queued while the previous one committed — in one
/// transaction. One thread at a time uses the connection: the queue.
///
/// A batch that meets another process's lock is retried, whole, until the store's busy timeout; a
/// batch that still fails (a full disk, a lock held too long) is lost and remembered for ``flush()``,
/// and the next batches are tried all the same.
final class StoreWriter: Sendable {
    typealias Write = @Sendable (SQLiteConnection) throws(SQLiteError) -> Void

    private struct State {
        var pending: [Write] = []
        /// Records queued and committed (or lost with a failed batch) since the store opened.
        var queued = 0
        var done = 0
        var draining = false
        /// The first failure since the store opened.
        var failure: RunStoreError?
    }

    private let state = LockedState(State())
    private let connection: Mutex<SQLiteConnection>
    private let queue = DispatchQueue(label: "brigade.store.writer")
    private let path: String

    init(connection: sending SQLiteConnection, path: String) {
        self.connection = Mutex(connection)
        self.path = path
    }

    /// Queues one record; starts a batch unless one is already being committed.
    func enqueue(_ write: @escaping Write) {
        let start = state.withLock { state -> Bool in
            state.pending.append(write)
            state.queued += 1
            if state.draining { return false }
            state.draining = true
            return true
        }
        if start { queue.async { self.drain() } }
    }

    /// Commits batches until nothing is pending.
    private func drain() {
        while true {
            let batch = state.withLock { state -> [Write] in
                let batch = state.pending
                state.pending = []
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            let failure = commit(batch)
            state.withLock { state in
                state.done += batch.count
                if state.failure == nil { state.failure = failure }
            }
        }
    }

    private func commit(_ batch: [Write]) -> RunStoreError? {
        connection.withLock { connection -> RunStoreError? in
            do throws(SQLiteError) {
                try connection.retryingWhileBusy { () throws(SQLiteError) -> Void in
                    try connection.transaction { () throws(SQLiteError) -> Void in
                        for write in batch { try write(connection) }
                    }
                }
                return nil
            } catch {
                return RunStoreError(sqlite: error, path: path)
            }
        }
    }

    /// Waits until everything queued before the call is committed; the first failure, if any.
    func flush() async -> RunStoreError? {
        let target = state.withLock { $0.queued }
        do {
            return try await state.wait { state -> RunStoreError?? in
                state.done >= target ? .some(state.failure) : nil
            }
        } catch {
            return nil
        }
    }

    /// Runs `body` in its own transaction on the queue, after everything queued before it.
    func writeNow<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws(SQLiteError) -> T) async throws(RunStoreError) -> T {
        _ = await flush()
        let path = path
        let result: Result<T, RunStoreError> = await withCheckedContinuation { continuation in
            queue.async {
                let outcome = self.connection.withLock { connection -> Result<T, RunStoreError> in
                    do throws(SQLiteError) {
                        return .success(try connection.retryingWhileBusy { () throws(SQLiteError) -> T in
                            try connection.transaction { () throws(SQLiteError) -> T in try body(connection) }
                        })
                    } catch {
                        return .failure(RunStoreError(sqlite: error, path: path))
                    }
                }
                continuation.resume(returning: outcome)
            }
        }
        return try result.get()
    }
}
