#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// Appends result lines to a results file and syncs them on a serial dispatch queue, so that the
/// `fsync` blocks neither the engine's task nor a thread of the cooperative pool (two threads on a
/// two-core machine: a sync there would stall half the batch's CPU work).
///
/// Group commit: the first line of a group waits ``groupWindow`` for others, and lines queued
/// meanwhile or during the write and sync go out together with one `write(2)` and one `fsync` (at
/// a thousand items a second, about five lines per `fsync` instead of one or two; an `fsync` costs
/// this machine about 100 µs of CPU). A group's completions are called, on the writer's queue, only
/// once its lines are synced, and the engine reports an item as recorded only then, so an item
/// reported done is on disk. After a failed write or sync the file is cut back to its last synced
/// line and nothing more is written: every later completion gets the same error.
final class BatchResultsWriter: Sendable {
    /// Called once with the outcome of the lines it was queued with.
    typealias Completion = @Sendable (Result<Void, BatchError>) -> Void

    private struct Queue {
        var bytes: [UInt8] = []
        var completions: [Completion] = []
        var isFlushing = false
        var failure: BatchError?
    }

    private let fd: Int32
    private let path: String
    private let queue = Mutex(Queue())
    private let dispatchQueue = DispatchQueue(label: "brigade.batch.results")
    /// How long a group's first line waits for more before the write and `fsync`. Items do not wait
    /// for it (admission goes on meanwhile); only their `recorded` report comes that much later.
    static let groupWindow = DispatchTimeInterval.milliseconds(5)

    /// - Parameters:
    ///   - fd: the results file, open with `O_APPEND`; it must stay open until every completion was called.
    ///   - path: for error messages.
    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// Queues `lines` (whole lines, newlines included) to be appended after every line queued before, and synced.
    /// - Parameter completion: called once, when they are on disk or with the write's error; on the
    ///   writer's queue, or at once (on the calling thread) when an earlier write had failed.
    func enqueue(_ lines: [UInt8], completion: @escaping Completion) {
        let action: (startFlush: Bool, failure: BatchError?) = queue.withLock { queue in
            if let failure = queue.failure { return (false, failure) }
            queue.bytes.append(contentsOf: lines)
            queue.completions.append(completion)
            if queue.isFlushing { return (false, nil) }
            queue.isFlushing = true
            return (true, nil)
        }
        if let failure = action.failure { completion(.failure(failure)) }
        if action.startFlush { scheduleFlush() }
    }

    private func scheduleFlush() {
        dispatchQueue.asyncAfter(deadline: .now() + Self.groupWindow) { self.flush() }
    }

    /// Writes and syncs whatever is queued; what is queued meanwhile forms the next group.
    private func flush() {
        let batch: (bytes: [UInt8], completions: [Completion])? = queue.withLock { queue in
            guard !queue.completions.isEmpty else {
                queue.isFlushing = false
                return nil
            }
            defer {
                queue.bytes = []
                queue.completions = []
            }
            return (queue.bytes, queue.completions)
        }
        guard let batch else { return }
        let result: Result<Void, BatchError>
        do throws(BatchError) {
            try BatchFile.appendAndSync(fd, batch.bytes, path: path)
            result = .success(())
        } catch {
            result = .failure(error)
            // Nothing is written after a failure; what was queued meanwhile fails with it.
            let stranded = queue.withLock { queue in
                queue.failure = error
                defer { queue.bytes = []; queue.completions = [] }
                return queue.completions
            }
            for completion in stranded { completion(.failure(error)) }
        }
        for completion in batch.completions { completion(result) }
        let hasMore = queue.withLock { queue in
            if queue.completions.isEmpty { queue.isFlushing = false }
            return queue.isFlushing
        }
        if hasMore { scheduleFlush() }
    }
}
