import Foundation

/// CPU time of this process or of its reaped children, from `getrusage(2)`.
public struct ResourceUsage: Sendable {
    /// User plus system CPU time, in microseconds.
    public var cpuMicroseconds: Int { userMicroseconds + systemMicroseconds }
    /// CPU time in user mode, in microseconds.
    public var userMicroseconds: Int
    /// CPU time in the kernel on behalf of the process, in microseconds.
    public var systemMicroseconds: Int

    /// The usage of this process (`RUSAGE_SELF`) or of its waited-for children (`RUSAGE_CHILDREN`).
    public static func current(children: Bool = false) -> ResourceUsage {
        var usage = rusage()
        _ = getrusage(children ? RUSAGE_CHILDREN.rawValue : RUSAGE_SELF.rawValue, &usage)
        func micros(_ time: timeval) -> Int { Int(time.tv_sec) * 1_000_000 + Int(time.tv_usec) }
        return ResourceUsage(userMicroseconds: micros(usage.ru_utime), systemMicroseconds: micros(usage.ru_stime))
    }
}
