import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process whose standard input and output are pipes this test holds, so that it can close
/// either end when it chooses (a client going away), kill the child, and watch what the child left.
/// Standard error goes to /dev/null. Every blocking call runs on a thread of its own.
final class LiveProcess: @unchecked Sendable {  // the descriptors are used by one test task at a time
    let pid: pid_t
    private var input: Int32
    private var output: Int32
    private var pending: [UInt8] = []

    init(executable: String, arguments: [String], environment: [String: String], currentDirectory: String) throws {
        let child = try PipedProcess.spawn(
            executable: executable, arguments: arguments, environment: environment, currentDirectory: currentDirectory, mergeStandardError: false
        )
        pid = child.pid
        input = child.input
        output = child.output
    }

    deinit {
        if input >= 0 { close(input) }
        if output >= 0 { close(output) }
        kill(pid, SIGKILL)
        var ignored: Int32 = 0
        waitpid(pid, &ignored, WNOHANG)
    }

    func send(_ line: String) throws {
        let bytes = Array((line + "\n").utf8)
        guard bytes.withUnsafeBytes({ write(input, $0.baseAddress, $0.count) }) == bytes.count else { throw HarnessError("short write") }
    }

    /// Reads output lines until one contains `text`; throws at end of output or after `timeout`.
    func readLine(containing text: String, timeout: Duration = .seconds(30)) async throws -> String {
        try await offPool { [self] in
            let deadline = ContinuousClock.now + timeout
            while true {
                if let newline = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeSubrange(...newline)
                    if line.contains(text) { return line }
                    continue
                }
                var watched = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
                let milliseconds = Int32(max(0, (deadline - .now) / .milliseconds(1)))
                guard poll(&watched, 1, milliseconds) > 0 else { throw HarnessError("no line with \(text) within \(timeout)") }
                var chunk = [UInt8](repeating: 0, count: 65536)
                let count = read(output, &chunk, chunk.count)
                guard count > 0 else { throw HarnessError("end of output before a line with \(text)") }
                pending += chunk[..<count]
            }
        }
    }

    /// Closes this side's end of the child's standard output: nobody reads it any more.
    func closeOutput() {
        close(output)
        output = -1
    }

    /// Closes the child's standard input (end of input).
    func closeInput() {
        close(input)
        input = -1
    }

    /// Waits for the child to exit and returns its status (128 + signal when a signal ended it).
    func waitForExit() async -> Int32 {
        await offPool { [pid] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        }
    }

    /// Whether process `pid` is gone: no such process, or a zombie left for its new parent to reap.
    static func isGone(_ pid: pid_t) -> Bool {
        if kill(pid, 0) != 0 { return errno == ESRCH }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// Waits (checking every 20 ms, at most `timeout`) until `pid` is gone; returns whether it is.
    static func waitUntilGone(_ pid: pid_t, timeout: Duration = .seconds(30)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if isGone(pid) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return isGone(pid)
    }

    private func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    private func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }
}
