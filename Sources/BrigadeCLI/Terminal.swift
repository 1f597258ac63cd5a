import BrigadeSync
import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// Small helpers for the terminal: TTY checks, unbuffered standard error, colours that honour NO_COLOR.
enum Terminal {
    struct Output: Sendable {
        let descriptor: Int32

        func write(_ text: String) {
            var bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
                if written <= 0 {
                    if written < 0 && errno == EINTR { continue }
                    return
                }
                offset += written
            }
            _ = bytes.count
        }

        var isTTY: Bool { isatty(descriptor) == 1 }
    }

    static let standardOutput = Output(descriptor: STDOUT_FILENO)
    static let standardError = Output(descriptor: STDERR_FILENO)
    /// Writes nowhere (e.g. progress under `--quiet`).
    static let discarded = Output(descriptor: -1)

    /// Colour only on a terminal and without `NO_COLOR`.
    static func colorEnabled(for output: Output) -> Bool {
        output.isTTY && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// "1 call", "2 calls": the count and the noun, plural unless the count is 1.
    static func count(_ count: Int, _ noun: String, plural: String? = nil) -> String {
        "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
    }
}

/// Runs `body` in a child task that the first SIGINT or SIGTERM cancels; a second SIGINT exits at once
/// with status 130. Cancellation reaches every tool call, so child processes are killed, not orphaned.
func withInterruptCancellation<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> T {
    let task = Task { await body() }
    let interrupts = LockedState(0)
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    let sources = [SIGINT, SIGTERM].map { number in
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
            if interrupts.withLock({ count -> Int in count += 1; return count }) > 1 { Glibc.exit(130) }
            Terminal.standardError.write("\nbrigade: interrupted — cancelling (press Ctrl-C again to quit at once)\n")
            task.cancel()
        }
        source.resume()
        return source
    }
    let result = await task.value
    for source in sources { source.cancel() }
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
    return result
}
