import Foundation

/// Proves concurrency from the tools' own clocks: a command tool runs ``script`` (with its name and a
/// log path as arguments), which appends `<name> start <ns> <pid>` and `<name> end <ns> <pid>` lines;
/// ``read(_:)`` pairs them into intervals and ``maxOverlap(_:)`` counts how many ran at once.
///
/// The script's interval lies inside the time the scheduler held the call's slots, so the overlap it
/// measures can only be lower than the scheduler's — a cap it exceeds was broken.
public enum StampLog {
    /// One run of the script.
    public struct Interval: Sendable, Hashable {
        public var tool: String
        public var start: Int
        public var end: Int
    }

    /// A POSIX shell script: `stamp.sh NAME LOG` stamps its start, sleeps 20 ms, stamps its end.
    public static let script = """
        #!/bin/sh
        echo "$1 start $(date +%s%N) $$" >> "$2"
        sleep 0.02
        echo "$1 end $(date +%s%N) $$" >> "$2"
        """

    /// The intervals of the log at `path`, paired by tool and process id.
    public static func read(_ path: String) throws -> [Interval] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var starts: [String: Int] = [:]
        var intervals: [Interval] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 4, let time = Int(fields[2]) else { continue }
            let key = fields[0] + "/" + fields[3]
            if fields[1] == "start" {
                starts[key] = time
            } else if let start = starts.removeValue(forKey: key) {
                intervals.append(Interval(tool: fields[0], start: start, end: time))
            }
        }
        return intervals
    }

    /// The most intervals open at one instant (at equal instants an end counts before a start: the
    /// next call can only start after the slot was given back).
    public static func maxOverlap(_ intervals: [Interval]) -> Int {
        var edges: [(time: Int, change: Int)] = []
        for interval in intervals {
            edges.append((interval.start, 1))
            edges.append((interval.end, -1))
        }
        edges.sort { left, right in left.time != right.time ? left.time < right.time : left.change < right.change }
        var open = 0
        var most = 0
        for edge in edges {
            open += edge.change
            most = max(most, open)
        }
        return most
    }
}
