#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The id of one run: `run_` + the start time in milliseconds (base 36, 9 digits) + 6 random base-36
/// characters, e.g. `run_m1x2c3d4e_k3j9q0`. Unique within a process (and, in practice, across
/// processes); ids of runs started in different milliseconds sort by start time as text.
///
/// Every run has one (``RunResult/runID``); pass ``RunOptions/runID`` to know it before the run
/// starts. A run carved from a parent run's budget names that run (``RunResult/parentRunID``).
public struct RunID: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// An id as given (e.g. read back from a protocol line); any non-empty text.
    public init?(rawValue: String) {
        guard !rawValue.isEmpty else { return nil }
        self.rawValue = rawValue
    }

    /// A new id, made from the wall clock and a random suffix.
    public init() {
        self.rawValue = RunID.make(milliseconds: RunID.wallClockMilliseconds(), random: UInt64.random(in: 0..<RunID.suffixSpace))
    }

    public var description: String { rawValue }

    public static func < (lhs: RunID, rhs: RunID) -> Bool { lhs.rawValue < rhs.rawValue }

    package static let suffixSpace: UInt64 = 2_176_782_336 // 36^6

    /// `run_` + `milliseconds` in 9 base-36 digits + `random` in 6.
    package static func make(milliseconds: UInt64, random: UInt64) -> String {
        "run_" + base36(milliseconds, digits: 9) + "_" + base36(random % suffixSpace, digits: 6)
    }

    private static func base36(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 36)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    private static func wallClockMilliseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000
    }
}

/// One event of a run with the run's identity: what a surface showing several runs (the NDJSON
/// protocol, a parent run showing its children) needs to tell them apart and nest them.
public struct RunEvent: Sendable, Hashable {
    /// The run the event belongs to.
    public var runID: RunID
    /// The run this one was opened from (its budget is carved from that run's), or `nil` for a top-level run.
    public var parentRunID: RunID?
    public var event: AgentEvent

    public init(runID: RunID, parentRunID: RunID?, event: AgentEvent) {
        self.runID = runID
        self.parentRunID = parentRunID
        self.event = event
    }

    /// ``AgentEvent/json`` with `run_id` and `parent_run_id` (`null` for a top-level run) after `type`.
    /// A ``AgentEvent/childRun(_:)`` is the child's own line (``ChildRunEvent/json``).
    public var json: JSONValue {
        if case .childRun(let child) = event { return child.json }
        guard case .object(let object) = event.json else { return event.json }
        var fields: [(String, JSONValue)] = []
        for (key, value) in object {
            fields.append((key, value))
            if key == "type" { fields += jsonIdentity }
        }
        return .object(JSONObject(fields))
    }

    var jsonIdentity: [(String, JSONValue)] {
        [("run_id", .string(runID.rawValue)), ("parent_run_id", parentRunID.map { .string($0.rawValue) } ?? .null)]
    }
}
