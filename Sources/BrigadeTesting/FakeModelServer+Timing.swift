/// When the ``FakeModelServer`` received one request and when its answer's head was ready.
public struct FakeRequestTiming: Sendable, Hashable {
    public var arrival: ContinuousClock.Instant
    /// After the turn's ``FakeLatency/beforeHead`` wait, just before the response is handed to the
    /// HTTP server (a fault or a hang after the wait is still counted as answered here).
    public var answered: ContinuousClock.Instant

    public init(arrival: ContinuousClock.Instant, answered: ContinuousClock.Instant) {
        self.arrival = arrival
        self.answered = answered
    }

    /// How long the server held the request before answering.
    public var held: Duration { answered - arrival }
}
