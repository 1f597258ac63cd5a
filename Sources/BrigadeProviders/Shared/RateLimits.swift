/// Proactive limits on one provider endpoint, shared by every run of the process (see ``RateLimiter``).
/// `nil` leaves a limit off; the limiter still follows what the provider's headers say.
public struct RateLimits: Sendable, Hashable {
    /// Requests started in any minute; also spread out to at most `⌈rpm / 60⌉` in any second, as
    /// providers enforce per-minute limits over shorter periods.
    public var requestsPerMinute: Int?
    /// Estimated input tokens (4 bytes a token of the request) sent in any minute.
    public var inputTokensPerMinute: Int?
    /// Output tokens received in any minute (as reported, else estimated).
    public var outputTokensPerMinute: Int?
    /// Requests in flight at once.
    public var maxConcurrentRequests: Int?

    public init(requestsPerMinute: Int? = nil, inputTokensPerMinute: Int? = nil, outputTokensPerMinute: Int? = nil, maxConcurrentRequests: Int? = nil) {
        self.requestsPerMinute = requestsPerMinute
        self.inputTokensPerMinute = inputTokensPerMinute
        self.outputTokensPerMinute = outputTokensPerMinute
        self.maxConcurrentRequests = maxConcurrentRequests
    }

    /// The stricter of two settings, limit by limit.
    func tightened(by other: RateLimits) -> RateLimits {
        func min(_ a: Int?, _ b: Int?) -> Int? { a.map { a in b.map { Swift.min(a, $0) } ?? a } ?? b }
        return RateLimits(
            requestsPerMinute: min(requestsPerMinute, other.requestsPerMinute),
            inputTokensPerMinute: min(inputTokensPerMinute, other.inputTokensPerMinute),
            outputTokensPerMinute: min(outputTokensPerMinute, other.outputTokensPerMinute),
            maxConcurrentRequests: min(maxConcurrentRequests, other.maxConcurrentRequests)
        )
    }
}
