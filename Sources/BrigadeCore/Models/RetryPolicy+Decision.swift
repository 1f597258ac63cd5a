/// A failed attempt, as the retry loop sees it.
package struct AttemptFailure: Error, Sendable, Hashable {
    package var error: ModelError
    /// Whether sending the same request again could succeed (429, 5xx, connection failures, and
    /// streams that broke before any output was delivered).
    var isRetryable: Bool
    /// The wait the server asked for, if it did.
    var serverDelay: Duration?

    package init(_ error: ModelError, isRetryable: Bool, serverDelay: Duration? = nil) {
        self.error = error
        self.isRetryable = isRetryable
        self.serverDelay = serverDelay
    }
}

/// What the retry loop does after a failed attempt.
package enum RetryDecision: Sendable, Hashable {
    case retry(RetryDelay)
    case fail(ModelError)
}

extension RetryPolicy {
    /// Decides, without any I/O or clock reading of its own, whether attempt number `attempt`
    /// (1-based) is followed by another one.
    ///
    /// A wait that would end past `deadline` is never started: the call fails with the last error,
    /// whose message says so.
    package func decision(
        after failure: AttemptFailure,
        attempt: Int,
        now: ContinuousClock.Instant,
        deadline: ContinuousClock.Instant?,
        randomUnit: Double
    ) -> RetryDecision {
        guard failure.isRetryable, attempt <= maxRetries else { return .fail(failure.error) }
        guard let delay = delay(beforeRetry: attempt, serverDelay: failure.serverDelay, randomUnit: randomUnit) else {
            var error = failure.error
            error.message += " (not retried: the server asked to wait longer than \(maxServerDelay.waitText))"
            return .fail(error)
        }
        if let deadline, now.advanced(by: delay.duration) >= deadline {
            var error = failure.error
            error.message += " (not retried: waiting \(delay.duration.waitText) would pass the deadline)"
            return .fail(error)
        }
        return .retry(delay)
    }
}
