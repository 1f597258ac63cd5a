import CurlHTTP
import Foundation
import Testing

import BrigadeTesting
#if canImport(Glibc)
import Glibc
#endif

/// TLS against a real `openssl s_server` child process with a fresh self-signed certificate.
@Suite(
    "HTTPClient TLS",
    .timeLimit(.minutes(1)),
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "needs /usr/bin/openssl")
)
struct HTTPClientTLSTests {
    @Test("Certificates are verified by default: a self-signed one fails with tlsFailure")
    func verificationIsOnByDefault() async throws {
        try await withTLSServer { url in
            let client = HTTPClient()
            defer { client.syncShutdown() }
            let error = await httpError { try await client.send(HTTPRequest(url: url)) }
            #expect(error?.code == .tlsFailure)
            #expect(error?.message.contains("certificate") == true)

            let insecure = HTTPClient(configuration: .init(verifyTLS: false))
            defer { insecure.syncShutdown() }
            let response = try await insecure.send(HTTPRequest(url: url))
            #expect(response.status == 200)
            #expect(response.bodyText.contains("<HTML>"))
        }
    }
}

/// Runs `openssl s_server -www` on 127.0.0.1 at a random port for the duration of `body`.
func withTLSServer(_ body: (String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("curlhttp-tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let key = directory.appendingPathComponent("key.pem").path
    let certificate = directory.appendingPathComponent("cert.pem").path

    let generator = try ChildProcess([
        "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
        "-days", "1", "-keyout", key, "-out", certificate,
    ])
    #expect(generator.wait() == 0)

    let server = try ChildProcess(["/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", certificate, "-key", key, "-www"])
    defer { server.kill() }
    // s_server prints "ACCEPT 127.0.0.1:PORT" once it listens; read it on a plain thread.
    let port = Promise<UInt16?>()
    let output = server.output
    Thread.detachNewThread {
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            text += String(decoding: buffer[..<count], as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT 127.0.0.1:") }),
               let value = UInt16(line.dropFirst("ACCEPT 127.0.0.1:".count).trimmingCharacters(in: .whitespaces)) {
                port.fulfill(value)
                return
            }
        }
        port.fulfill(nil)
    }
    let listening = try #require(await port.value)
    try await body("https://127.0.0.1:\(listening)/")
}

/// A child process spawned without a shell; its stdout is a pipe, stdin and stderr /dev/null.
final class ChildProcess {
    let pid: pid_t
    /// The read end of the child's stdout.
    let output: Int32
    private var exited = false

    init(_ argv: [String]) throws {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw POSIXFailure("pipe", errno) }
        // Not inherited by children other tests spawn meanwhile (they would keep the pipe from ending).
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        guard SpawnHygiene.closeInheritedDescriptors(&actions) else {
            throw POSIXFailure("posix_spawn_file_actions_addclosefrom_np", ENOSYS)
        }
        var arguments = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, argv[0], &actions, nil, &arguments, environ)
        close(pipeEnds[1])
        guard result == 0 else {
            close(pipeEnds[0])
            throw POSIXFailure("posix_spawn", result)
        }
        self.pid = pid
        self.output = pipeEnds[0]
    }

    /// Waits for the child to exit; returns its exit status (or -1 if it was signalled).
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        exited = true
        close(output)
        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1
    }

    /// Kills the child (SIGKILL: s_server ignores SIGTERM) and reaps it.
    func kill() {
        guard !exited else { return }
        _ = Glibc.kill(pid, SIGKILL)
        _ = wait()
    }
}
