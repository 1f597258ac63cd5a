#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

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
        self.rawValue = RunID.make(milliseconds: RunID.wallClockMilliseconds(), random: RunID.suffixSource.next() % RunID.suffixSpace)
    }

    public var description: String { rawValue }

    public static func < (lhs: RunID, rhs: RunID) -> Bool { lhs.rawValue < rhs.rawValue }

    package static let suffixSpace: UInt64 = 2_176_782_336 // 36^6

    /// `run_` + `milliseconds` in 9 base-36 digits (more when it needs more) + `random` in 6.
    package static func make(milliseconds: UInt64, random: UInt64) -> String {
        // Written as bytes into one string: a batch makes an id per item, and building it from
        // `String(_:radix:)` pieces and concatenations cost about 4,000 instructions.
        let millisecondDigits = max(9, base36Length(milliseconds))
        let count = 4 + millisecondDigits + 1 + 6
        return String(unsafeUninitializedCapacity: count) { buffer in
            for (index, byte) in "run_".utf8.enumerated() { buffer[index] = byte }
            writeBase36(milliseconds, into: buffer, from: 4, digits: millisecondDigits)
            buffer[4 + millisecondDigits] = UInt8(ascii: "_")
            writeBase36(random % suffixSpace, into: buffer, from: 5 + millisecondDigits, digits: 6)
            return count
        }
    }

    private static func base36Length(_ value: UInt64) -> Int {
        var value = value, length = 1
        while value >= 36 {
            value /= 36
            length += 1
        }
        return length
    }

    /// `value` in lowercase base 36, right-aligned in `digits` places padded with zeros (`digits`
    /// is at least the value's length).
    private static func writeBase36(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, from start: Int, digits: Int) {
        var value = value
        for index in stride(from: start + digits - 1, through: start, by: -1) {
            let digit = UInt8(value % 36)
            buffer[index] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
            value /= 36
        }
    }

    /// The random suffixes: SplitMix64 over an atomic counter, seeded once from the system's random
    /// source — a run id costs no `getrandom` system call (one per batch item before).
    private static let suffixSource = SuffixSource()

    private final class SuffixSource: Sendable {
        private let state: Atomic<UInt64>

        init() {
            var system = SystemRandomNumberGenerator()
            state = Atomic(system.next())
        }

        func next() -> UInt64 {
            // SplitMix64 (Steele, Lea, Flood 2014): the state advances by the golden gamma, the
            // output is the state mixed.
            var z = state.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
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
