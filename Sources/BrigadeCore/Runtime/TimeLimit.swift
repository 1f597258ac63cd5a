/// How a raced operation ended.
package enum TimeLimitOutcome<Value: Sendable>: Sendable {
    case finished(Value)
    /// The deadline passed first; the operation's task was cancelled.
    case deadlinePassed
}

/// Runs `operation` in a child task and cancels it when `deadline` passes first on `clock`.
///
/// Structured: returns only after the operation's task has ended, so the operation must honour
/// cancellation promptly (executors kill processes, model clients abort transfers). Without a deadline
/// the operation simply runs. When the calling task is cancelled the operation is cancelled too and its
/// own result (usually a cancellation error) is returned.
package func withTimeLimit<Value: Sendable>(
    _ deadline: ContinuousClock.Instant?,
    clock: any RuntimeClock = .system,
    operation: @escaping @Sendable () async -> Value
) async -> TimeLimitOutcome<Value> {
    guard let deadline else { return .finished(await operation()) }
    return await withTaskGroup(of: TimeLimitOutcome<Value>?.self) { group in
        group.addTask { .finished(await operation()) }
        group.addTask {
            do {
                try await clock.sleep(until: deadline)
                return .deadlinePassed
            } catch {
                return nil  // cancelled: the operation finished first or the caller was cancelled
            }
        }
        while let outcome = await group.next() {
            if let outcome {
                group.cancelAll()
                return outcome
            }
        }
        return .deadlinePassed  // unreachable: the operation's child always yields a non-nil outcome
    }
}
