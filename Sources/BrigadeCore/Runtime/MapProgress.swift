#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a map-reduce is.
public struct MapProgress: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable {
        case map, reduce, produce
    }

    public var phase: Phase
    public var done: Int
    public var failed: Int
    public var total: Int
    /// Chunks whose result came from an earlier run.
    public var reused: Int
    public var costUSD: Double
    /// The reduce level (1 for the first).
    public var level: Int = 0

    package init(phase: Phase, done: Int, failed: Int, total: Int, reused: Int, costUSD: Double, level: Int = 0) {
        self.phase = phase
        self.done = done
        self.failed = failed
        self.total = total
        self.reused = reused
        self.costUSD = costUSD
        self.level = level
    }

    /// `map 120/500 · 2 failed · 40 reused · $0.0123`.
    public var line: String {
        var parts = ["\(phase.rawValue)\(level > 0 ? " level \(level)" : "") \(done)/\(total)"]
        if failed > 0 { parts.append("\(failed) failed") }
        if reused > 0 { parts.append("\(reused) reused") }
        parts.append("$" + String(printf: "%.4f", costUSD))
        return parts.joined(separator: " · ")
    }

    public var json: JSONValue {
        [
            "type": "map_progress", "phase": .string(phase.rawValue), "done": .integer(done), "failed": .integer(failed),
            "total": .integer(total), "reused": .integer(reused), "cost_usd": .number(costUSD), "level": .integer(level),
        ]
    }
}
