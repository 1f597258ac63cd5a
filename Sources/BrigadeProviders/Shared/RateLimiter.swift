import BrigadeCore
import BrigadeSync
import CurlHTTP
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// One rate limiter per provider endpoint (and API key), shared by every run of the process —
/// batch items, chat turns, protocol runs and embedders alike — so that together they stay under the
/// provider's limits instead of each meeting 429s.
///
/// It holds requests back before they are sent: by the configured ``RateLimits``, by what the
/// provider's headers say is left (`x-ratelimit-remaining-requests` / `-tokens` with their
/// `x-ratelimit-reset-*` durations on OpenAI; `anthropic-ratelimit-requests-remaining`,
/// `anthropic-ratelimit-input-tokens-remaining` / `anthropic-ratelimit-tokens-remaining` with their
/// RFC 3339 `-reset` times on Anthropic), and by `Retry-After` on a 429, which pauses every request
/// to the endpoint. A wait counts against the caller's deadline: one that would pass it fails with
/// `.deadlineExceeded` at once. The bookkeeping is `RateLimiterState`, apart from the clock.
public final class RateLimiter: Sendable {
    /// The endpoint's name for messages and ``RateLimitWait``.
    public let name: String
    private let state: LockedState<RateLimiterState>

    /// - Parameters:
    ///   - name: the endpoint's name, e.g. `api.openai.com (OpenAI API)`.
    ///   - limits: the proactive limits (none by default: only the headers are followed).
    public init(name: String, limits: RateLimits = RateLimits()) {
        self.name = name
        self.state = LockedState(RateLimiterState(limits: limits))
    }

    private static let registry = Mutex<[String: RateLimiter]>([:])

    /// The limiter of `endpoint` for `apiKey`, made on first use; `limits` tighten the ones it has
    /// (each limit the stricter of the two).
    public static func shared(endpoint: String, apiKey: String?, name: String, limits: RateLimits) -> RateLimiter {
        var hasher = Hasher()
        hasher.combine(apiKey ?? "")
        let key = endpoint + " " + String(hasher.finalize())
        let limiter = registry.withLock { registry in
            if let existing = registry[key] { return existing }
            let made = RateLimiter(name: name, limits: limits)
            registry[key] = made
            return made
        }
        limiter.state.withLock { $0.limits = $0.limits.tightened(by: limits) }
        return limiter
    }

    /// The limits in force.
    public var limits: RateLimits { state.withLock { $0.limits } }

    /// Waits until a request of `estimatedInputTokens` may start, and counts it as started.
    /// Balance it with ``finish(outputTokens:)``.
    /// - Parameters:
    ///   - onWait: called once, before the first wait, with its expected length.
    /// - Throws: `.deadlineExceeded` when the wait would pass `deadline`; `.cancelled`.
    func acquire(estimatedInputTokens: Int, deadline: ContinuousClock.Instant?, onWait: (RateLimitWait) -> Void) async throws(ModelError) {
        var reported = false
        while true {
            if Task.isCancelled { throw ModelError(.cancelled, "the request to \(name) was cancelled while waiting for the rate limit") }
            let now = ContinuousClock.now
            let (decision, version) = state.withLock { ($0.admit(estimatedInputTokens: estimatedInputTokens, now: now), $0.version) }
            let wait: Duration
            switch decision {
            case .admitted:
                return
            case .wait(let duration):
                if let deadline, now + duration >= deadline {
                    throw ModelError(.deadlineExceeded, "waiting \(duration.waitText) for the rate limit of \(name) would pass the deadline")
                }
                if !reported { onWait(RateLimitWait(model: name, delay: duration)) }
                reported = true
                wait = duration
            case .waitForRelease:
                if let deadline, now >= deadline {
                    throw ModelError(.deadlineExceeded, "the deadline passed while waiting for a free request slot of \(name)")
                }
                wait = deadline.map { $0 - now } ?? .seconds(3600)
            }
            await sleep(for: wait, orUntilChangeFrom: version)
        }
    }

    /// A request admitted by ``acquire(estimatedInputTokens:deadline:onWait:)`` ended; `began`:
    /// ``responseBegan(_:)`` was called for it.
    func finish(outputTokens: Int, began: Bool) {
        let now = ContinuousClock.now
        state.withLock { $0.finish(outputTokens: outputTokens, began: began, now: now) }
    }

    /// The response of an admitted request began: it counts in the request windows from now, and
    /// its headers are learned from (what is left and when it resets, `Retry-After` on a 429).
    func responseBegan(_ head: HTTPResponseHead) {
        let now = ContinuousClock.now
        state.withLock { $0.responseBegan(now: now) }
        let wallNow = Date()
        let headers = head.headers
        if head.status == 429, let delay = RetryAfter.delay(
            milliseconds: headers["retry-after-ms"], retryAfter: headers["retry-after"], now: wallNow.timeIntervalSince1970) {
            state.withLock { $0.pause(until: now + delay) }
        }
        func instant(duration name: String) -> ContinuousClock.Instant? {
            headers[name].flatMap(Self.parseResetDuration).map { now + $0 }
        }
        func instant(date name: String) -> ContinuousClock.Instant? {
            guard let text = headers[name], let date = Self.parseDate(text) else { return nil }
            return now + .milliseconds(Int64(max(0, date.timeIntervalSince(wallNow)) * 1000))
        }
        var requests: (Int?, ContinuousClock.Instant?) = (nil, nil)
        var tokens: (Int?, ContinuousClock.Instant?) = (nil, nil)
        if let remaining = headers["x-ratelimit-remaining-requests"].flatMap({ Int($0) }) {
            requests = (remaining, instant(duration: "x-ratelimit-reset-requests"))
        } else if let remaining = headers["anthropic-ratelimit-requests-remaining"].flatMap({ Int($0) }) {
            requests = (remaining, instant(date: "anthropic-ratelimit-requests-reset"))
        }
        if let remaining = headers["x-ratelimit-remaining-tokens"].flatMap({ Int($0) }) {
            tokens = (remaining, instant(duration: "x-ratelimit-reset-tokens"))
        } else if let remaining = headers["anthropic-ratelimit-input-tokens-remaining"].flatMap({ Int($0) }) {
            tokens = (remaining, instant(date: "anthropic-ratelimit-input-tokens-reset"))
        } else if let remaining = headers["anthropic-ratelimit-tokens-remaining"].flatMap({ Int($0) }) {
            tokens = (remaining, instant(date: "anthropic-ratelimit-tokens-reset"))
        }
        guard requests.0 != nil || tokens.0 != nil else { return }
        state.withLock { $0.learn(remainingRequests: requests.0, requestsResetAt: requests.1, remainingTokens: tokens.0, tokensResetAt: tokens.1) }
    }

    /// Sleeps for `duration`, or less when the state changes (a request finished, something was learned).
    private func sleep(for duration: Duration, orUntilChangeFrom version: Int) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: duration) }
            group.addTask { [state] in try? await state.wait(until: { $0.version != version }) }
            await group.next()
            group.cancelAll()
        }
    }

    /// OpenAI's reset durations: `1s`, `6m0s`, `59.9s`, `20ms`, `1h2m3.5s`.
    static func parseResetDuration(_ text: String) -> Duration? {
        var total = 0.0
        var number = ""
        var matched = false
        var characters = Array(text.trimmingWhitespace())[...]
        while let character = characters.first {
            if character.isNumber || character == "." {
                number.append(character)
                characters.removeFirst()
                continue
            }
            guard let value = Double(number) else { return nil }
            number = ""
            if characters.starts(with: ["m", "s"]) {
                total += value / 1000
                characters.removeFirst(2)
            } else {
                switch character {
                case "h": total += value * 3600
                case "m": total += value * 60
                case "s": total += value
                default: return nil
                }
                characters.removeFirst()
            }
            matched = true
        }
        guard number.isEmpty, matched else { return nil }
        return .milliseconds(Int64((total * 1000).rounded(.up)))
    }

    /// Anthropic's RFC 3339 reset times, with or without fractional seconds.
    static func parseDate(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(text, strategy: .iso8601)
    }
}
