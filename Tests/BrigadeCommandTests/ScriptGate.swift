import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A barrier between this test and the scripts of command tools, through two named pipes: scripts
/// announce themselves on `started` (`echo TAG > DIR/started`) and then wait for a line on `go`
/// (`read -r _ < DIR/go`). The test waits for the announcements, then releases the scripts — no
/// sleeping and no polling in the scripts.
///
/// Both pipes are held open read-write for the gate's life: opening them never blocks a script, and a
/// line written to `go` stays in the pipe until a script reads it.
final class ScriptGate: Sendable {
    let directory: String
    private let started: Int32
    private let go: Int32

    init(in directory: String) throws {
        self.directory = directory
        for name in ["started", "go"] where mkfifo(directory + "/" + name, 0o600) != 0 {
            throw POSIXError(.EIO)
        }
        started = open(directory + "/started", O_RDWR | O_CLOEXEC)
        go = open(directory + "/go", O_RDWR | O_CLOEXEC)
        guard started >= 0, go >= 0 else { throw POSIXError(.EIO) }
    }

    deinit {
        close(started)
        close(go)
    }

    /// The first `count` lines announced on `started`, or fewer when `timeout` passes first. Waits on a
    /// dedicated thread (poll(2)), never on the cooperative pool.
    func announcements(_ count: Int, timeout: Duration = .seconds(30)) async -> [String] {
        let fd = started
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var text = ""
                var lines: [String] = []
                let deadline = ContinuousClock.now + timeout
                while lines.count < count, ContinuousClock.now < deadline {
                    var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    guard poll(&descriptor, 1, 500) >= 0 else { break }
                    guard descriptor.revents & Int16(POLLIN) != 0 else { continue }
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    let read = Glibc.read(fd, &buffer, buffer.count)
                    guard read > 0 else { break }
                    text += String(decoding: buffer[..<read], as: UTF8.self)
                    lines = text.split(separator: "\n").map(String.init)
                }
                continuation.resume(returning: Array(lines.prefix(count)))
            }
        }
    }

    /// Lets `count` waiting scripts go on.
    func release(_ count: Int) {
        let bytes = Array(String(repeating: "go\n", count: count).utf8)
        _ = bytes.withUnsafeBytes { write(go, $0.baseAddress, $0.count) }
    }
}
