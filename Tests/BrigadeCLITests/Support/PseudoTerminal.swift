import Dispatch

import BrigadeTesting
#if canImport(Glibc)
import Glibc
#endif

/// A child process running on a real pseudo-terminal, for driving the REPL as a user would.
///
/// The child is a session leader whose controlling terminal is the pty's slave (so Ctrl-C written to
/// the master reaches it as SIGINT, and a resize as SIGWINCH). The test writes keystrokes with
/// ``send(_:)`` and waits for output with ``waitFor(_:timeout:)``, which reads the master with
/// `poll(2)` until the text appears or the deadline passes — never sleeping to synchronise.
///
/// The blocking reads run on the process's own dispatch queue, never on Swift's cooperative pool (where
/// they could starve an in-process fake model server that the child is talking to).
final class PseudoTerminalProcess: @unchecked Sendable {
    // @unchecked: the mutable state is only touched on `queue`.
    private let queue = DispatchQueue(label: "brigade.tests.pty")
    let pid: pid_t
    private let master: Int32
    private var bytes: [UInt8] = []
    /// Where the next ``waitFor(_:timeout:)`` starts looking.
    private var cursor = 0
    private var exitStatus: Int32?
    private var processDescriptor: Int32 = -1
    private var masterClosed = false

    /// Starts `executable` on a new pseudo-terminal of `columns` × `rows`.
    /// - Throws: ``HarnessError`` when the pty or the process cannot be created.
    init(executable: String, arguments: [String] = [], environment: [String: String], currentDirectory: String, columns: Int = 100, rows: Int = 30) throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        guard let openpty = Self.openpty, openpty(&master, &slave, nil, nil, &size) == 0 else {
            throw HarnessError("openpty failed: errno \(errno)")
        }
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        var name = [CChar](repeating: 0, count: 256)
        guard ttyname_r(slave, &name, name.count) == 0 else { throw HarnessError("ttyname_r failed") }
        close(slave)  // the child opens it by name, which makes it its controlling terminal

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, name, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        guard let addChangeDirectory = Self.addChangeDirectory, addChangeDirectory(&actions, currentDirectory) == 0 else {
            throw HarnessError("posix_spawn_file_actions_addchdir_np is unavailable")
        }
        guard SpawnHygiene.closeInheritedDescriptors(&actions) else {
            throw HarnessError("posix_spawn_file_actions_addclosefrom_np is unavailable")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (glibc, not exported to Swift): setsid() in the child before the file
        // actions, so opening the slave acquires it as the controlling terminal.
        // POSIX_SPAWN_SETSIGDEF resets SIGINT and friends to their default in the child.
        posix_spawnattr_setflags(&attributes, Int16(0x80 | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            close(master)
            throw HarnessError("posix_spawn \(executable) failed: \(String(cString: strerror(status)))")
        }
        self.pid = pid
        self.master = master
        // A descriptor that becomes readable when the child exits, polled next to the master.
        processDescriptor = Self.pidfdOpen.map { $0(pid, 0) } ?? -1
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
        if processDescriptor >= 0 { close(processDescriptor) }
    }

    /// Everything the child wrote so far, escape sequences included.
    var output: String { queue.sync { String(decoding: bytes, as: UTF8.self) } }

    private var pending: String { String(decoding: bytes[cursor...], as: UTF8.self) }

    /// Types `text` (use `\r` for Enter, as a terminal sends it).
    func send(_ text: String) {
        let data = Array(text.utf8)
        var offset = 0
        while offset < data.count {
            let written = data.withUnsafeBytes { write(master, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { if errno == EINTR { continue } else { return } }
            offset += written
        }
    }

    /// Types a line and Enter.
    func sendLine(_ line: String) { send(line + "\r") }

    func sendControlC() { send("\u{03}") }
    func sendControlD() { send("\u{04}") }

    /// Changes the terminal's size; the kernel sends SIGWINCH to the child.
    func resize(columns: Int, rows: Int) {
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
    }

    /// Reads until `text` appears after the previous match, then moves past it.
    ///
    /// - Returns: the output from the previous match up to and including `text`.
    /// - Throws: ``HarnessError`` with the output so far when the deadline passes or the child closes
    ///   the terminal first.
    @discardableResult
    func waitFor(_ text: String, timeout: Duration = .seconds(30)) async throws -> String {
        let needle = Array(text.utf8)
        return try await waitUntil(text.debugDescription, timeout: timeout) { bytes in
            Self.find(needle, in: bytes, from: 0)?.upperBound
        }
    }

    /// Reads until `match` finds what it looks for in the output after the previous match, then moves
    /// past it.
    ///
    /// - Parameters:
    ///   - description: what is awaited, for the error.
    ///   - match: given the bytes since the previous match, returns the offset just past what it
    ///     found, or `nil`.
    /// - Returns: the output from the previous match up to the offset.
    @discardableResult
    func waitUntil(_ description: String, timeout: Duration = .seconds(30), _ match: @escaping @Sendable (ArraySlice<UInt8>) -> Int?) async throws -> String {
        try await onQueue { [self] in
            let deadline = ContinuousClock.now + timeout
            while true {
                if let end = match(bytes[cursor...]) {
                    let chunk = String(decoding: bytes[cursor..<cursor + end], as: UTF8.self)
                    cursor += end
                    return chunk
                }
                guard readMore(until: deadline) else {
                    throw HarnessError("did not see \(description) within \(timeout); output since the last match:\n\(pending.debugDescription)")
                }
            }
        }
    }

    /// Waits for the child to exit, reading its output meanwhile (so it never blocks on a full pty).
    /// - Returns: the exit status (or 128 + signal).
    /// - Throws: ``HarnessError`` when it is still running at the deadline.
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        try await onQueue { [self] in try waitForExitNow(timeout: timeout) }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    private func waitForExitNow(timeout: Duration) throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while exitStatus == nil {
            if reap() { break }
            guard readMore(until: deadline) else {
                if reap() { break }
                throw HarnessError("the process did not exit within \(timeout); output since the last match:\n\(pending.debugDescription)")
            }
        }
        while readMore(until: .now) {}
        return exitStatus ?? -1
    }

    /// Collects the exit status if the child has exited.
    private func reap() -> Bool {
        if exitStatus != nil { return true }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return false }
        exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return true
    }

    /// Reads what is available, waiting until `deadline` for output; `false` when nothing was read
    /// (the deadline passed, or the child exited and everything it wrote has been read).
    private func readMore(until deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let exited = exitStatus != nil
            let remaining = exited ? .zero : deadline - .now
            let milliseconds = max(0, Int32(min(remaining / .milliseconds(1), 60_000)))
            var descriptors = [
                pollfd(fd: masterClosed ? -1 : master, events: Int16(POLLIN), revents: 0),
                pollfd(fd: exited ? -1 : processDescriptor, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 2, milliseconds)
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { return false }
            if descriptors[0].revents != 0 {
                var chunk = [UInt8](repeating: 0, count: 65536)
                let count = read(master, &chunk, chunk.count)
                if count > 0 {
                    bytes += chunk[0..<count]
                    return true
                }
                masterClosed = true  // EIO: every holder of the slave closed it
                if exited || processDescriptor < 0 { return false }
            }
            if descriptors[1].revents != 0 { _ = reap() }
        }
    }

    /// The range of `needle` in `haystack` at or after `start` (offsets from the slice's start).
    static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>, from start: Int) -> Range<Int>? {
        let base = haystack.startIndex
        guard !needle.isEmpty, haystack.count - start >= needle.count else { return nil }
        var index = start
        while index + needle.count <= haystack.count {
            if haystack[base + index] == needle[0], haystack[(base + index)..<(base + index + needle.count)].elementsEqual(needle) {
                return index..<index + needle.count
            }
            index += 1
        }
        return nil
    }

    private typealias OpenPTY = @convention(c) (
        UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<CChar>?, UnsafeRawPointer?, UnsafeRawPointer?
    ) -> Int32

    typealias AddChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29), a GNU extension not exported to Swift.
    static let addChangeDirectory: AddChangeDirectory? = dlsym(nil, "posix_spawn_file_actions_addchdir_np").map {
        unsafeBitCast($0, to: AddChangeDirectory.self)
    }

    private typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32

    /// glibc's `pidfd_open` (2.36), looked up at run time like `openpty`.
    private static let pidfdOpen: PidfdOpen? = dlsym(nil, "pidfd_open").map { unsafeBitCast($0, to: PidfdOpen.self) }

    /// glibc's `openpty` (in libc since 2.34), looked up at run time: `<pty.h>` is not exported to Swift.
    private static let openpty: OpenPTY? = dlsym(nil, "openpty").map { unsafeBitCast($0, to: OpenPTY.self) }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension PseudoTerminalProcess {
    /// Waits for a live line of `tool` with a spinner frame (the call is running), e.g. `⠹ nap seconds=1`.
    @discardableResult
    func waitForSpinner(_ lineContent: String, timeout: Duration = .seconds(30)) async throws -> String {
        let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"].map { Array(($0 + " " + lineContent).utf8) }
        return try await waitUntil("a spinner line \(lineContent.debugDescription)", timeout: timeout) { bytes in
            frames.compactMap { PseudoTerminalProcess.find($0, in: bytes, from: 0)?.upperBound }.min()
        }
    }
}
