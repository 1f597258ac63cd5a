import Foundation

/// The limits a ``FakeModelServer`` enforces like a real provider: requests past them get a 429 with
/// `Retry-After` and consume no scripted turn. Counted by arrival time.
public struct FakeRateLimit: Sendable, Hashable {
    /// At most this many requests arrive in any `window`.
    public var requests: Int
    public var window: Duration

    public init(requests: Int, per window: Duration) {
        self.requests = requests
        self.window = window
    }
}

/// The server's rate-limit bookkeeping: configured windows, and what its own headers announced
/// (`x-ratelimit-remaining-requests: 0` until `x-ratelimit-reset-requests`, or the Anthropic
/// `anthropic-ratelimit-requests-*` pair) — a server that says "none left until …" refuses until then.
struct FakeRateLimitState: Sendable {
    var limits: [FakeRateLimit] = []
    var arrivals: [ContinuousClock.Instant] = []
    var closedUntil: ContinuousClock.Instant?
    var rejected = 0

    /// Whether a request arriving `now` is over a limit (then counted as rejected, not as an arrival).
    mutating func refuses(now: ContinuousClock.Instant) -> Bool {
        if let closedUntil, now < closedUntil {
            rejected += 1
            return true
        }
        for limit in limits where arrivals.filter({ $0 > now - limit.window }).count >= limit.requests {
            rejected += 1
            return true
        }
        if !limits.isEmpty { arrivals.append(now) }
        return false
    }

    /// Remembers what a response's headers announce.
    mutating func announce(_ headers: [String: String], now: ContinuousClock.Instant) {
        let lowered = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        var until: ContinuousClock.Instant?
        if lowered["x-ratelimit-remaining-requests"] == "0", let reset = lowered["x-ratelimit-reset-requests"], reset.hasSuffix("ms"), let ms = Int(reset.dropLast(2)) {
            until = now + .milliseconds(ms)
        }
        if lowered["anthropic-ratelimit-requests-remaining"] == "0", let reset = lowered["anthropic-ratelimit-requests-reset"] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: reset) {
                until = now + .milliseconds(Int64(max(0, date.timeIntervalSinceNow) * 1000))
            }
        }
        if let until { closedUntil = max(closedUntil ?? until, until) }
    }
}
