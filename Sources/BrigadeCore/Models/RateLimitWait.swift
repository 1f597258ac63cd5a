/// A model call held back by its provider's ``RateLimiter`` before it is sent.
public struct RateLimitWait: Sendable, Hashable {
    /// The endpoint's name, e.g. `api.openai.com (OpenAI API)`.
    public var model: String
    /// How long the call waits.
    public var delay: Duration

    public init(model: String, delay: Duration) {
        self.model = model
        self.delay = delay
    }

    /// `waiting for rate limit, 1.2 s`.
    public var progressLine: String { "waiting for rate limit, \(delay.waitText)" }
}
