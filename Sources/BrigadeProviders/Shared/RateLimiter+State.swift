/// The rate limiter's bookkeeping, apart from all I/O and clocks: callers pass `now`.
///
/// A request counts against the request windows from when it is admitted until a second (a
/// minute) after its response began: the provider received it before it answered, so requests
/// delayed on the way never arrive closer together than the limit allows. A request may start when
/// every window still has room: `⌈rpm/60⌉` requests in the last second, `rpm` in the last minute, the input
/// tokens of the last minute plus its estimate under the input limit (a lone request always
/// fits), the output tokens of the last minute under the output limit, fewer than
/// `maxConcurrentRequests` in flight, no `Retry-After` pause, and what the provider's headers
/// said is left (remaining requests and tokens until their reset).
///
/// Only the windows of limits that are set keep a history: without `requestsPerMinute` no send
/// times are kept, without a token limit no token counts, so an endpoint without limits (the
/// common case) pays nothing per request for them. A limit added later (a second configuration
/// tightening the first's) counts the requests from then on.
struct RateLimiterState: Sendable {
    enum Decision: Sendable, Equatable {
        case admitted
        /// Try again after this long.
        case wait(Duration)
        /// Try again when a request in flight finishes.
        case waitForRelease
    }

    /// What the provider's headers said is left, until `resetAt`.
    struct Allowance: Sendable {
        var remaining: Int
        var resetAt: ContinuousClock.Instant
    }

    static let minute = Duration.seconds(60)
    static let second = Duration.seconds(1)

    var limits: RateLimits
    /// When the responses of counted requests began (or they failed without one).
    private(set) var sent: [ContinuousClock.Instant] = []
    /// Admitted requests whose response has not begun: they count in every window.
    private(set) var awaitingResponse = 0
    private(set) var inputTokens: [(at: ContinuousClock.Instant, tokens: Int)] = []
    private(set) var outputTokens: [(at: ContinuousClock.Instant, tokens: Int)] = []
    private(set) var inFlight = 0
    /// No request starts before this (a `Retry-After`).
    private(set) var pausedUntil: ContinuousClock.Instant?
    private(set) var requestAllowance: Allowance?
    private(set) var tokenAllowance: Allowance?
    /// Changes whenever a request finishes or something is learned, for waiters.
    private(set) var version = 0

    init(limits: RateLimits) {
        self.limits = limits
    }

    /// Admits one request of `estimatedInputTokens`, or says how long to wait.
    mutating func admit(estimatedInputTokens: Int, now: ContinuousClock.Instant) -> Decision {
        prune(now: now)
        var wait = Duration.zero
        func needs(_ instant: ContinuousClock.Instant) { wait = max(wait, instant - now) }
        if let pausedUntil, pausedUntil > now { needs(pausedUntil) }
        if let allowance = requestAllowance {
            if allowance.resetAt <= now { requestAllowance = nil } else if allowance.remaining <= 0 { needs(allowance.resetAt) }
        }
        if let allowance = tokenAllowance {
            if allowance.resetAt <= now { tokenAllowance = nil } else if allowance.remaining < max(1, estimatedInputTokens) { needs(allowance.resetAt) }
        }
        var needsRelease = false
        if let rpm = limits.requestsPerMinute {
            for (limit, window) in [((rpm + 59) / 60, Self.second), (rpm, Self.minute)] {
                let recent = sent.filter { $0 > now - window }
                // How many counted requests must leave the window before one more fits.
                let excess = awaitingResponse + recent.count - limit + 1
                if excess <= 0 { continue }
                if excess <= recent.count { needs(recent[excess - 1] + window) } else { needsRelease = true }
            }
        }
        if let limit = limits.inputTokensPerMinute {
            var total = inputTokens.reduce(0) { $0 + $1.tokens } + estimatedInputTokens
            for entry in inputTokens where total > limit {
                total -= entry.tokens
                needs(entry.at + Self.minute)
            }
        }
        if let limit = limits.outputTokensPerMinute {
            var total = outputTokens.reduce(0) { $0 + $1.tokens }
            for entry in outputTokens where total >= limit {
                total -= entry.tokens
                needs(entry.at + Self.minute)
            }
        }
        if wait > .zero { return .wait(wait) }
        if needsRelease { return .waitForRelease }
        if let cap = limits.maxConcurrentRequests, inFlight >= cap { return .waitForRelease }
        if limits.requestsPerMinute != nil { awaitingResponse += 1 }
        if limits.inputTokensPerMinute != nil { inputTokens.append((now, max(0, estimatedInputTokens))) }
        inFlight += 1
        requestAllowance?.remaining -= 1
        tokenAllowance?.remaining -= max(0, estimatedInputTokens)
        return .admitted
    }

    /// The response of a request admitted earlier began (its head arrived).
    mutating func responseBegan(now: ContinuousClock.Instant) {
        guard awaitingResponse > 0 else { return }
        awaitingResponse -= 1
        sent.append(now)
        version += 1
    }

    /// A request admitted earlier ended; `outputTokens` it produced (0 for a failure);
    /// `began`: ``responseBegan(now:)`` was called for it.
    mutating func finish(outputTokens tokens: Int, began: Bool, now: ContinuousClock.Instant) {
        if !began { responseBegan(now: now) }
        inFlight = max(0, inFlight - 1)
        if tokens > 0, limits.outputTokensPerMinute != nil { outputTokens.append((now, tokens)) }
        version += 1
    }

    /// No request starts before `instant` (the provider asked for a pause: `Retry-After` on a 429).
    mutating func pause(until instant: ContinuousClock.Instant) {
        pausedUntil = max(pausedUntil ?? instant, instant)
        version += 1
    }

    /// What the provider's headers said is left.
    mutating func learn(remainingRequests: Int?, requestsResetAt: ContinuousClock.Instant?, remainingTokens: Int?, tokensResetAt: ContinuousClock.Instant?) {
        if let remaining = remainingRequests, let reset = requestsResetAt { requestAllowance = Allowance(remaining: remaining, resetAt: reset) }
        if let remaining = remainingTokens, let reset = tokensResetAt { tokenAllowance = Allowance(remaining: remaining, resetAt: reset) }
        version += 1
    }

    private mutating func prune(now: ContinuousClock.Instant) {
        let horizon = now - Self.minute
        if let first = sent.firstIndex(where: { $0 > horizon }) { sent.removeFirst(first) } else { sent.removeAll() }
        inputTokens.removeAll { $0.at <= horizon }
        outputTokens.removeAll { $0.at <= horizon }
    }
}
