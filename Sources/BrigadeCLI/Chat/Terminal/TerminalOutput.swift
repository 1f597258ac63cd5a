#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes text to a file descriptor with `write(2)`, unbuffered, retrying short writes and `EINTR`.
///
/// The REPL writes through this (never `print`, whose `stdout` buffer would interleave badly with
/// libedit's and with the live display). A write to a closed pipe fails quietly (SIGPIPE is ignored
/// by the REPL), so output never kills the process.
struct TerminalOutput: Sendable {
    let fileDescriptor: Int32

    static let standardOutput = TerminalOutput(fileDescriptor: STDOUT_FILENO)
    static let standardError = TerminalOutput(fileDescriptor: STDERR_FILENO)

    func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            guard var pointer = buffer.baseAddress else { return }
            var remaining = buffer.count
            while remaining > 0 {
                let written = systemWrite(fileDescriptor, pointer, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                pointer += written
                remaining -= written
            }
        }
    }
}

/// `write(2)`, under a name that methods called `write` do not shadow.
func systemWrite(_ fileDescriptor: Int32, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int {
    write(fileDescriptor, bytes, count)
}
