import Foundation

/// CPU time of this process or of its reaped children, from `getrusage(2)`.
public struct ResourceUsage: Sendable {
    /// User plus system CPU time, in microseconds.
    public var cpuMicroseconds: Int

    /// The usage of this process (`RUSAGE_SELF`) or of its waited-for children (`RUSAGE_CHILDREN`).
    public static func current(children: Bool = false) -> ResourceUsage {
        var usage = rusage()
        _ = getrusage(children ? RUSAGE_CHILDREN.rawValue : RUSAGE_SELF.rawValue, &usage)
        func micros(_ time: timeval) -> Int { Int(time.tv_sec) * 1_000_000 + Int(time.tv_usec) }
        return ResourceUsage(cpuMicroseconds: micros(usage.ru_utime) + micros(usage.ru_stime))
    }
}
