#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pipe that wakes a thread blocked in `poll(2)` on the terminal: the signal handlers and cancellation
/// write a byte saying why (see ``Reason``); the reader polls ``readEnd`` next to standard input.
final class WakePipe: Sendable {
    enum Reason: UInt8, Sendable {
        /// Ctrl-C (SIGINT).
        case interrupt = 0x49
        /// The terminal was resized (SIGWINCH).
        case resize = 0x57
        /// The task waiting for the read was cancelled.
        case cancel = 0x43
        /// SIGTERM or SIGHUP: the REPL is to end.
        case terminate = 0x54
    }

    let readEnd: Int32
    let writeEnd: Int32

    /// - Throws: `WakePipeError` when the pipe cannot be created.
    init() throws(WakePipeError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw WakePipeError(errno: errno) }
        readEnd = ends[0]
        writeEnd = ends[1]
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    func wake(_ reason: Reason) {
        var byte = reason.rawValue
        _ = write(writeEnd, &byte, 1)  // a full pipe already holds a wake-up
    }

    /// Empties the pipe and returns the reasons it held.
    func drain() -> Set<Reason> {
        var reasons = Set<Reason>()
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let count = read(readEnd, &buffer, buffer.count)
            guard count > 0 else { break }
            for byte in buffer[0..<count] {
                if let reason = Reason(rawValue: byte) { reasons.insert(reason) }
            }
        }
        return reasons
    }
}

struct WakePipeError: Error, CustomStringConvertible {
    var errno: Int32
    var description: String { "cannot create a pipe: \(String(cString: strerror(errno)))" }
}
