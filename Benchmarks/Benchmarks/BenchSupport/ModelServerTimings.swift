import Brigade
import Foundation
import BrigadeTesting

/// What the model server child recorded about the requests it answered (``FakeRequestTiming``):
/// how many, how long it held each before answering, and how many it held at once.
public struct ModelServerTimings: Sendable, Hashable {
    public var requests: Int
    /// The shortest and longest time a request waited in the server before its answer, in ms.
    public var minHeldMilliseconds: Double
    public var maxHeldMilliseconds: Double
    /// The most requests held at the same moment (overlapping arrival → answered intervals).
    public var maxConcurrent: Int
    /// First arrival to last answer, in ms.
    public var spanMilliseconds: Double

    public init(_ timings: [FakeRequestTiming]) {
        requests = timings.count
        let held = timings.map { Self.milliseconds($0.held) }
        minHeldMilliseconds = held.min() ?? 0
        maxHeldMilliseconds = held.max() ?? 0
        // Sweep: +1 at each arrival, −1 at each answer (answers first when they tie).
        var edges: [(instant: ContinuousClock.Instant, step: Int)] = []
        for timing in timings {
            edges.append((timing.arrival, 1))
            edges.append((timing.answered, -1))
        }
        edges.sort { left, right in left.instant == right.instant ? left.step < right.step : left.instant < right.instant }
        var current = 0
        var most = 0
        for (_, step) in edges {
            current += step
            most = max(most, current)
        }
        maxConcurrent = most
        if let first = timings.map(\.arrival).min(), let last = timings.map(\.answered).max() {
            spanMilliseconds = Self.milliseconds(last - first)
        } else {
            spanMilliseconds = 0
        }
    }

    init?(json: JSONValue) {
        guard let requests = json["requests"]?.intValue, let minHeld = json["min_held_ms"]?.doubleValue, let maxHeld = json["max_held_ms"]?.doubleValue,
            let maxConcurrent = json["max_concurrent"]?.intValue, let span = json["span_ms"]?.doubleValue
        else { return nil }
        self.requests = requests
        self.minHeldMilliseconds = minHeld
        self.maxHeldMilliseconds = maxHeld
        self.maxConcurrent = maxConcurrent
        self.spanMilliseconds = span
    }

    var json: JSONValue {
        [
            "requests": .integer(requests), "min_held_ms": .number(minHeldMilliseconds), "max_held_ms": .number(maxHeldMilliseconds),
            "max_concurrent": .integer(maxConcurrent), "span_ms": .number(spanMilliseconds),
        ]
    }

    /// `501 requests, held 100.1–104.3 ms, at most 32 at once, over 1.702 s`.
    public var line: String {
        "\(requests) requests, held \(Self.format(minHeldMilliseconds))–\(Self.format(maxHeldMilliseconds)) ms, at most \(maxConcurrent) at once, over \(Self.format(spanMilliseconds / 1000, digits: 3)) s"
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func format(_ value: Double, digits: Int = 1) -> String {
        String(format: "%.\(digits)f", value)
    }
}
