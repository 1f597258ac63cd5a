/// When, how often and how long a model client waits before sending a failed request again.
///
/// Retried: HTTP 408, 409, 429 and every 5xx (Anthropic's 529 "overloaded" included), connection
/// failures, and streams that fail before any output was delivered. The wait before retry `n` is
/// "full jitter" exponential backoff — a uniform random duration in
/// `0 ... min(maxBackoff, initialBackoff × multiplier^(n-1))` — unless the server said how long to
/// wait (`retry-after-ms` or `Retry-After`, in seconds or as an HTTP date): then exactly that.
/// No wait ever runs past the deadline given to ``ModelClient/complete(_:deadline:onTextDelta:)``.
public struct RetryPolicy: Sendable, Hashable {
    /// Retries after the first attempt; `0` disables retrying.
    public var maxRetries: Int
    /// The backoff cap for the first retry.
    public var initialBackoff: Duration
    /// The largest backoff cap, however many retries came before.
    public var maxBackoff: Duration
    /// How much the backoff cap grows per retry.
    public var multiplier: Double
    /// A server-requested wait longer than this is not waited for: the call fails with the server's error.
    public var maxServerDelay: Duration

    /// - Parameters:
    ///   - maxRetries: retries after the first attempt (default 3, so at most 4 attempts).
    ///   - initialBackoff: backoff cap for the first retry (default 0.5 s).
    ///   - maxBackoff: largest backoff cap (default 20 s).
    ///   - multiplier: growth of the cap per retry (default 2).
    ///   - maxServerDelay: longest `Retry-After` honoured (default 60 s).
    public init(
        maxRetries: Int = 3,
        initialBackoff: Duration = .milliseconds(500),
        maxBackoff: Duration = .seconds(20),
        multiplier: Double = 2,
        maxServerDelay: Duration = .seconds(60)
    ) {
        self.maxRetries = max(0, maxRetries)
        self.initialBackoff = max(.zero, initialBackoff)
        self.maxBackoff = max(.zero, maxBackoff)
        self.multiplier = max(1, multiplier)
        self.maxServerDelay = max(.zero, maxServerDelay)
    }

    /// Never retry.
    public static let none = RetryPolicy(maxRetries: 0)

    /// The upper bound of the jittered backoff before retry number `retry` (1-based).
    public func backoffCap(beforeRetry retry: Int) -> Duration {
        let exponent = Double(max(0, retry - 1))
        let capSeconds = maxBackoff.inSeconds
        let grown = initialBackoff.inSeconds * pow(multiplier, exponent)
        return .seconds(min(capSeconds, grown.isFinite ? grown : capSeconds))
    }

    /// The wait before retry number `retry` (1-based), or `nil` when the server asked for a wait
    /// longer than ``maxServerDelay``.
    ///
    /// - Parameters:
    ///   - retry: which retry this is, starting at 1.
    ///   - serverDelay: the wait the server asked for (`retry-after-ms` / `Retry-After`), if any.
    ///   - randomUnit: a random number in `0..<1`, injected so the computation is deterministic under test.
    public func delay(beforeRetry retry: Int, serverDelay: Duration?, randomUnit: Double) -> RetryDelay? {
        if let serverDelay {
            let wait = max(.zero, serverDelay)
            return wait <= maxServerDelay ? RetryDelay(duration: wait, source: .server) : nil
        }
        let unit = min(max(randomUnit, 0), 1)
        return RetryDelay(duration: .seconds(backoffCap(beforeRetry: retry).inSeconds * unit), source: .backoff)
    }

    private func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0 && result.isFinite {
            result *= base
            remaining -= 1
        }
        return result
    }
}

/// How long a client waits before a retry, and why.
public struct RetryDelay: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        /// Jittered exponential backoff.
        case backoff
        /// The server's `retry-after-ms` or `Retry-After` header.
        case server
    }

    public var duration: Duration
    public var source: Source

    public init(duration: Duration, source: Source) {
        self.duration = duration
        self.source = source
    }
}

/// One retry a model client is about to make, reported to the client's `onRetry` observer.
public struct ModelRetryEvent: Sendable, Hashable {
    /// The attempt that failed, starting at 1.
    public var failedAttempt: Int
    /// Why it failed.
    public var error: ModelError
    /// How long the client waits before the next attempt.
    public var delay: RetryDelay
    /// The retries the client makes at most (``RetryPolicy/maxRetries``), when known.
    public var maxRetries: Int?

    public init(failedAttempt: Int, error: ModelError, delay: RetryDelay, maxRetries: Int? = nil) {
        self.failedAttempt = failedAttempt
        self.error = error
        self.delay = delay
        self.maxRetries = maxRetries
    }

    /// "model server busy, retrying in 2 s (1/4)": the progress line a person reads.
    public var progressLine: String {
        let what = switch error.code {
        case .rateLimited: "model server rate limit"
        case .unreachable: "model server unreachable"
        case .malformedResponse: "model response cut off"
        default: "model server busy"
        }
        return "\(what), retrying in \(delay.duration.waitText) (\(failedAttempt)\(maxRetries.map { "/\($0)" } ?? ""))"
    }
}
