import Foundation
import BrigadeTesting
#if canImport(Glibc)
import Glibc
#endif

/// A child process whose standard input and output are pipes (not a terminal), for the REPL's plain mode.
enum PipedProcess {
    struct Result {
        var status: Int32
        /// Standard output and standard error, interleaved as written.
        var output: String
    }

    /// Runs `executable` with `input` on its standard input (then closed) and collects its output.
    ///
    /// The blocking reads and waits run on a thread of their own, never on the cooperative pool: with
    /// two cores the pool has two threads, and a child talking to a fake server of this process would
    /// otherwise wait for a thread the test holds.
    /// - Throws: ``HarnessError`` when it cannot start or does not finish by `timeout`.
    static func run(executable: String, arguments: [String], environment: [String: String], currentDirectory: String, input: String, timeout: Duration = .seconds(60)) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result {
                    try runBlocking(executable: executable, arguments: arguments, environment: environment, currentDirectory: currentDirectory, input: input, timeout: timeout)
                })
            }
        }
    }

    /// A started child: its process id, the write end of its stdin and the read end of its stdout.
    struct Spawned {
        var pid: pid_t
        var input: Int32
        var output: Int32
    }

    /// Starts `executable` with pipes for standard input and output; standard error goes to the
    /// output pipe too (`mergeStandardError`) or to /dev/null.
    static func spawn(executable: String, arguments: [String], environment: [String: String], currentDirectory: String, mergeStandardError: Bool) throws -> Spawned {
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        // O_CLOEXEC from the start: tests run in parallel, and an end leaked into another child would keep
        // this child's standard input from ever reaching end of file.
        guard let pipe2 = Self.pipe2, pipe2(&toChild, O_CLOEXEC) == 0, pipe2(&fromChild, O_CLOEXEC) == 0 else {
            throw HarnessError("pipe2 failed")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        if mergeStandardError {
            posix_spawn_file_actions_adddup2(&actions, fromChild[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        guard let addChangeDirectory = PseudoTerminalProcess.addChangeDirectory, addChangeDirectory(&actions, currentDirectory) == 0 else {
            throw HarnessError("posix_spawn_file_actions_addchdir_np is unavailable")
        }
        guard SpawnHygiene.closeInheritedDescriptors(&actions) else {
            throw HarnessError("posix_spawn_file_actions_addclosefrom_np is unavailable")
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        close(toChild[0])
        close(fromChild[1])
        guard status == 0 else {
            close(toChild[1])
            close(fromChild[0])
            throw HarnessError("posix_spawn failed: \(status)")
        }
        return Spawned(pid: pid, input: toChild[1], output: fromChild[0])
    }

    private static func runBlocking(executable: String, arguments: [String], environment: [String: String], currentDirectory: String, input: String, timeout: Duration) throws -> Result {
        let child = try spawn(executable: executable, arguments: arguments, environment: environment, currentDirectory: currentDirectory, mergeStandardError: true)
        let pid = child.pid
        // Small inputs fit in the pipe's buffer: write everything, then close so the child sees EOF.
        let bytes = Array(input.utf8)
        _ = bytes.withUnsafeBytes { write(child.input, $0.baseAddress, $0.count) }
        close(child.input)

        var output: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        var descriptor = pollfd(fd: child.output, events: Int16(POLLIN), revents: 0)
        while true {
            let milliseconds = Int32(max(0, min((deadline - .now) / .milliseconds(1), 60_000)))
            guard poll(&descriptor, 1, milliseconds) > 0 else {
                kill(pid, SIGKILL)
                var ignored: Int32 = 0
                waitpid(pid, &ignored, 0)
                close(child.output)
                throw HarnessError("no end of output within \(timeout); so far:\n\(String(decoding: output, as: UTF8.self))")
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = read(child.output, &chunk, chunk.count)
            if count <= 0 { break }
            output += chunk[0..<count]
        }
        close(child.output)
        var exit: Int32 = 0
        waitpid(pid, &exit, 0)
        let code = exit & 0x7F == 0 ? (exit >> 8) & 0xFF : 128 + (exit & 0x7F)
        return Result(status: code, output: String(decoding: output, as: UTF8.self))
    }

    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32

    /// glibc's `pipe2`, a GNU extension not exported to Swift.
    static let pipe2: Pipe2? = dlsym(nil, "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }
}
