import Foundation

/// CPU time and peak resident memory of this process, from `getrusage(2)`.
public struct ResourceUsage: Sendable {
    /// User plus system CPU time, in microseconds.
    public var cpuMicroseconds: Int
    /// `ru_maxrss`: the process's peak resident set so far, in KiB (Linux).
    public var maxResidentKiB: Int

    /// The usage of this process (`RUSAGE_SELF`) or of its waited-for children (`RUSAGE_CHILDREN`).
    public static func current(children: Bool = false) -> ResourceUsage {
        var usage = rusage()
        _ = getrusage(children ? RUSAGE_CHILDREN.rawValue : RUSAGE_SELF.rawValue, &usage)
        func micros(_ time: timeval) -> Int { Int(time.tv_sec) * 1_000_000 + Int(time.tv_usec) }
        return ResourceUsage(cpuMicroseconds: micros(usage.ru_utime) + micros(usage.ru_stime), maxResidentKiB: Int(usage.ru_maxrss))
    }
}

extension Duration {
    /// The duration in whole microseconds.
    public var microseconds: Int {
        Int(components.seconds) * 1_000_000 + Int(components.attoseconds / 1_000_000_000_000)
    }
}

/// A fresh folder under the system's temporary directory.
public func makeTemporaryDirectory(_ prefix: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
