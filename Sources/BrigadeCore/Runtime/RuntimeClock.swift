/// The time source of the runtime: the budget's wall time, call timeouts and the deadlines the agent
/// and the dispatcher enforce.
///
/// Instants are `ContinuousClock.Instant`s, so deadlines keep one type across the API. The default,
/// ``SystemRuntimeClock``, is the system's monotonic clock. A test passes a clock it advances by hand
/// (`ManualClock` in BrigadeTesting) to make "the budget ran out while a call was running" happen
/// exactly when the test says, however slowly the machine runs.
///
/// The clock governs what the runtime decides; model clients and executors that talk to the outside
/// world (HTTP transfers, processes) keep their own real-time limits.
public protocol RuntimeClock: Sendable {
    /// The current instant.
    var now: ContinuousClock.Instant { get }

    /// Suspends until `deadline`; returns at once when it has passed.
    /// - Throws: `CancellationError` when the calling task is cancelled first.
    func sleep(until deadline: ContinuousClock.Instant) async throws
}

/// The system's monotonic clock (`ContinuousClock`): the runtime's default.
public struct SystemRuntimeClock: RuntimeClock {
    public init() {}

    public var now: ContinuousClock.Instant { .now }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await Task.sleep(until: deadline, clock: .continuous)
    }
}

extension RuntimeClock where Self == SystemRuntimeClock {
    /// The system's monotonic clock.
    public static var system: SystemRuntimeClock { SystemRuntimeClock() }
}
