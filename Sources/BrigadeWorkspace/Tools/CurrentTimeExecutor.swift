import BrigadeCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `current_time`: the current date and time in ISO 8601 with the zone's offset, for an optional IANA
/// `timezone` (default: the local zone), e.g.
/// `2026-11-25T18:30:05+01:00 (Europe/Paris, Wednesday)` followed by the same instant in UTC.
package struct CurrentTimeExecutor: ToolExecutor {
    public init() {}

    public func call(_ arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        let zone: TimeZone
        let zoneName: String
        if let name = arguments["timezone"]?.stringValue, !name.isEmpty {
            guard let named = TimeZone(identifier: name) else {
                return ToolOutput(text: "unknown time zone \"\(name)\"; use an IANA name such as Europe/Paris or America/New_York", isError: true)
            }
            zone = named
            zoneName = name
        } else {
            zone = TimeZone.current
            zoneName = zone.identifier
        }
        let now = Date()
        let seconds = Int(now.timeIntervalSince1970.rounded(.down))
        let offset = zone.secondsFromGMT(for: now)
        let local = Self.iso8601(seconds: seconds, offset: offset)
        let utc = Self.iso8601(seconds: seconds, offset: 0)
        return ToolOutput(text: "\(local) (\(zoneName), \(Self.weekday(seconds: seconds + offset)))\nUTC: \(utc)")
    }

    /// `2026-11-25T18:30:05+01:00`, or `…Z` for offset 0.
    static func iso8601(seconds: Int, offset: Int) -> String {
        var time = time_t(seconds + offset)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var text = "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
        text += "T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
        if offset == 0 { return text + "Z" }
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        return text + sign + two(Int32(minutes / 60)) + ":" + two(Int32(minutes % 60))
    }

    static func weekday(seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let names = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        return names[Int(parts.tm_wday) % 7]
    }
}
