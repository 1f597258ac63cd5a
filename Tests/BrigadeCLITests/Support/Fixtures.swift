import BrigadeTesting
import Dispatch

#if canImport(Glibc)
import Glibc
#endif

extension ChatTestWorkspace {
    /// A workspace whose model is the fake server (OpenAI API), priced at $1 / $2 per million tokens,
    /// with `nap` (sleeps, then says so), `hold` (reports its pid, then sleeps long) and `danger`
    /// (`confirm: true`) tools.
    static func withModel(_ server: FakeModelServer, routing: String = "model", extraConfig: String = "") throws -> ChatTestWorkspace {
        let workspace = try ChatTestWorkspace(config: """
            model:
              provider: openai
              base_url: \(server.openAIBaseURL)
              model: fake-model
              api_key_env: BRIGADE_TEST_KEY
              price: {input_per_million: 1.0, output_per_million: 2.0}
              max_retries: 0
            budget:
              usd: 0.5
            routing: \(routing)
            \(extraConfig)
            """)
        try workspace.installTools()
        return workspace
    }

    func installTools() throws {
        try make("bin")
        try write("bin/nap", """
            #!/bin/sh
            # nap SECONDS: sleeps, then says so.
            sleep "$1"
            echo "rested $1 s"
            """, executable: true)
        try write("bin/hold", """
            #!/bin/sh
            # hold FIFO NAME: writes "PID NAME" to FIFO, then sleeps long (until killed).
            echo "$$ $2" > "$1"
            exec sleep 300
            """, executable: true)
        try write("tools/nap.yaml", """
            name: nap
            description: Sleeps for a while.
            kind: command
            parameters:
              type: object
              properties:
                seconds: {type: number}
              required: [seconds]
            command:
              argv: [\(root)/bin/nap, "{{seconds}}"]
            """)
        try write("tools/hold.yaml", """
            name: hold
            description: Holds on until killed.
            kind: command
            parameters:
              type: object
              properties:
                name: {type: string}
              required: [name]
            command:
              argv: [\(root)/bin/hold, \(root)/ready, "{{name}}"]
            policy:
              timeout: 120s
            """)
        try write("tools/danger.yaml", """
            name: danger
            description: Does something that needs permission.
            kind: builtin
            builtin: {function: current_time}
            policy:
              confirm: true
            """)
    }

    var environmentWithKey: [String: String] { ["BRIGADE_TEST_KEY": "test-key"] }

    /// Creates the FIFO `hold` reports to and opens its read end (without blocking).
    func openReadyPipe() throws -> ReadyPipe {
        guard mkfifo(root + "/ready", 0o600) == 0 else { throw HarnessError("mkfifo failed") }
        // Read and write: holding a write end ourselves, the FIFO never reports end of file (or a hang-up
        // that poll would keep returning) between two tools' writes.
        let descriptor = open(root + "/ready", O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw HarnessError("cannot open the FIFO") }
        return ReadyPipe(descriptor: descriptor)
    }
}

/// The read end of the FIFO the `hold` tool writes "PID NAME" lines to when it starts.
final class ReadyPipe: @unchecked Sendable {
    // @unchecked: `buffer` is only touched on `queue`.
    let descriptor: Int32
    private var buffer: [UInt8] = []
    private let queue = DispatchQueue(label: "brigade.tests.ready")

    init(descriptor: Int32) { self.descriptor = descriptor }
    deinit { close(descriptor) }

    /// Reads until `count` lines have arrived (or the deadline passes); returns pid by name. The
    /// blocking poll runs on a dispatch queue, off the cooperative pool.
    func waitForProcesses(_ count: Int, timeout: Duration = .seconds(30)) async throws -> [String: pid_t] {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try self.waitNow(count, timeout: timeout) }) }
        }
    }

    private func waitNow(_ count: Int, timeout: Duration) throws -> [String: pid_t] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let lines = String(decoding: buffer, as: UTF8.self).split(separator: "\n")
            if lines.count >= count {
                var result: [String: pid_t] = [:]
                for line in lines {
                    let parts = line.split(separator: " ")
                    if parts.count == 2, let pid = pid_t(parts[0]) { result[String(parts[1])] = pid }
                }
                return result
            }
            let milliseconds = Int32(max(0, min((deadline - .now) / .milliseconds(1), 60_000)))
            var descriptor = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, milliseconds) > 0 else {
                throw HarnessError("only \(lines.count) of \(count) tools reported in time")
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let read = Glibc.read(self.descriptor, &chunk, chunk.count)
            if read > 0 { buffer += chunk[0..<read] }
        }
    }
}

/// Whether a process with this id exists (a zombie counts as existing).
func processExists(_ pid: pid_t) -> Bool {
    kill(pid, 0) == 0 || errno != ESRCH
}
