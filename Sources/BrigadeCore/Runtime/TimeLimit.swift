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
    guard clock is SystemRuntimeClock else { return await racingSleep(deadline, clock: clock, operation: operation) }
    // One child task, which the process's deadline timer cancels when the deadline passes first.
    return await withTaskGroup(of: TimeLimitOutcome<Value>.self) { group in
        group.addTask { await withTimeLimitCancellingCallingTask(deadline, operation: operation) }
        return await group.next() ?? .deadlinePassed  // the child always yields an outcome
    }
}

/// Runs `operation` in the calling task and cancels that task when `deadline` passes first on `clock`:
/// ``withTimeLimit(_:clock:operation:)`` without a child task, for a task that exists only to run
/// `operation` (a dispatched call's). After `.deadlinePassed` the calling task stays cancelled.
/// A cancellation of the task before the deadline is the caller's: `operation`'s own result is returned.
package func withTimeLimitCancellingCallingTask<Value: Sendable>(
    _ deadline: ContinuousClock.Instant,
    clock: any RuntimeClock = .system,
    operation: @escaping @Sendable () async -> Value
) async -> TimeLimitOutcome<Value> {
    guard clock is SystemRuntimeClock else { return await racingSleep(deadline, clock: clock, operation: operation) }
    let entry = DeadlineScheduler.shared.schedule(deadline)
    let value = await operation()
    return entry.end() ? .deadlinePassed : .finished(value)
}

/// ``withTimeLimit(_:clock:operation:)`` on another clock (a test's manual clock): the operation
/// races a second child task that sleeps until the deadline on that clock.
private func racingSleep<Value: Sendable>(
    _ deadline: ContinuousClock.Instant,
    clock: any RuntimeClock,
    operation: @escaping @Sendable () async -> Value
) async -> TimeLimitOutcome<Value> {
    await withTaskGroup(of: TimeLimitOutcome<Value>?.self) { group in
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
