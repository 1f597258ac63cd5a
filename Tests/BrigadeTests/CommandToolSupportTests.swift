import Brigade
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Helpers shared by the tool test suites: scripts, process-death checks (temporary folders are
/// BrigadeTesting's `TemporaryFolder`).

/// Reads lines from a FIFO on a dedicated thread until `done(lines)` or `timeout` (no sleeping: poll(2)).
/// The default `timeout` is generous: under a full parallel run, CPU-bound suites can hold the two
/// cooperative threads long enough to delay a tool's launch by many seconds.
func readFIFOLines(_ path: String, timeout: Duration = .seconds(45), until done: @escaping @Sendable ([String]) -> Bool) async -> [String] {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            // O_RDWR: opening never blocks, and the pipe never reports EOF between writers.
            let fd = open(path, O_RDWR | O_CLOEXEC)
            var text = ""
            var lines: [String] = []
            let deadline = ContinuousClock.now + timeout
            while fd >= 0, !done(lines), ContinuousClock.now < deadline {
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 500) >= 0 else { break }
                guard descriptor.revents & Int16(POLLIN) != 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = read(fd, &buffer, buffer.count)
                guard count > 0 else { break }
                text += String(decoding: buffer[..<count], as: UTF8.self)
                lines = text.split(separator: "\n").map(String.init)
            }
            if fd >= 0 { close(fd) }
            continuation.resume(returning: lines)
        }
    }
}

/// Whether `pid` has exited (gone, or a zombie nobody reaped), waiting for it up to `timeout` on a pidfd.
/// The wait blocks a dedicated thread, never one of the cooperative pool's (two on a 2-core machine).
func waitUntilDead(_ pid: pid_t, timeout: Duration = .seconds(10)) async -> Bool {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(returning: blockUntilDead(pid, timeout: timeout))
        }
    }
}

private func blockUntilDead(_ pid: pid_t, timeout: Duration) -> Bool {
    typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pidfd_open") {
        let pidfdOpen = unsafeBitCast(symbol, to: PidfdOpen.self)
        let fd = pidfdOpen(pid, 0)
        if fd < 0 { return errno == ESRCH }
        defer { close(fd) }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000)
        return poll(&descriptor, 1, milliseconds) == 1
    }
    return isDead(pid)
}

/// `kill -0` fails, or the process is a zombie (this machine's PID 1 does not reap orphans).
func isDead(_ pid: pid_t) -> Bool {
    if kill(pid, 0) != 0 { return errno == ESRCH }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return true }
    let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
    return state == "Z" || state == "X"
}

func commandSpec(_ name: String = "t", parameters: JSONValue, maxOutputBytes: Int? = nil) -> ToolSpec {
    ToolSpec(name: name, description: "test tool", parameters: parameters, policy: ToolPolicy(maxOutputBytes: maxOutputBytes))
}

func located(_ argv: [String]) -> [Located<String>] {
    argv.enumerated().map { index, element in
        Located(element, at: SourceLocation(file: "test.yaml", line: 3, column: 7 + index))
    }
}

let context = ToolContext(callID: "call-1")
