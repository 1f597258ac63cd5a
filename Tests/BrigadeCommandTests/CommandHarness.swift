import Brigade
import Foundation
import Subprocess
import BrigadeTesting

/// Runs the built `brigade` binary as a child process.
enum Brigade {
    /// The built binary (the test target depends on it).
    static var path: String { BuiltProduct.brigade }

    /// The repository root (for the shipped config, tools, routes and prompts).
    static var repositoryRoot: String { BuiltProduct.packageRoot }

    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Runs `brigade ARGUMENTS` in `directory` with `environment` over the hermetic one (no user layer,
    /// see `HermeticEnvironment`) and waits for it;
    /// `stdin` is piped to it (none: standard input is empty).
    /// `executable` runs another program instead (e.g. `/bin/sh` wrapping brigade). `inherited` stands for
    /// the test process's environment (a test of the harness itself passes a hostile one).
    static func run(
        _ arguments: [String], in directory: String, environment: [String: String] = [:], stdin: [UInt8] = [], executable: String? = nil,
        inherited: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> Outcome {
        // No API key from the developer's shell leaks into a test; the run store goes to the test's
        // folder, never to the developer's.
        var env: [String: String?] = ["OPENAI_API_KEY": nil, "ANTHROPIC_API_KEY": nil, "XDG_STATE_HOME": directory + "/.state"]
        for (key, value) in environment { env[key] = value }
        let result = try await Subprocess.run(
            .path(.init(executable ?? path)),
            arguments: Arguments(executable == nil ? arguments : Array(arguments.dropFirst())),
            environment: .hermetic(env, from: inherited),
            workingDirectory: .init(directory),
            input: .array(stdin),
            output: .string(limit: 4 << 20),
            error: .string(limit: 4 << 20)
        )
        let status: Int32 = switch result.terminationStatus {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
        return Outcome(status: status, standardOutput: result.standardOutput, standardError: result.standardError)
    }
}

/// A user and mount namespace of a child's own (`unshare -rm`), where it may mount without privileges:
/// bind mounts over files, a small tmpfs. Nothing outside sees the mounts; they go with the child.
enum MountNamespace {
    static let unshare = "/usr/bin/unshare"

    /// Whether this machine lets an unprivileged process make such namespaces and mount in them (a
    /// container may forbid it: tests that need it are then skipped, saying so). For
    /// `.enabled(_:_:)`, which awaits it.
    @Sendable static func isAvailable() async -> Bool {
        guard FileManager.default.isExecutableFile(atPath: unshare) else { return false }
        let probe = try? await Subprocess.run(
            .path(.init(unshare)), arguments: ["-rm", "/bin/sh", "-c", "mount --bind /dev/null /dev/null && mount -t tmpfs -o size=4k tmpfs /mnt"],
            output: .discarded, error: .discarded)
        return probe?.terminationStatus.isSuccess ?? false
    }

    /// Runs `/bin/sh -c SCRIPT PROGRAM ARGUMENTS…` (`$0` is `program`, `$@` the arguments) in a new
    /// namespace, in `directory`.
    static func run(
        _ script: String, _ program: String, _ arguments: [String], in directory: String, environment: [String: String] = [:]
    ) async throws -> Brigade.Outcome {
        try await Brigade.run(["unshare", "-rm", "/bin/sh", "-c", script, program] + arguments, in: directory, environment: environment, executable: unshare)
    }
}

/// Runs git in `directory` (for a repository the brief can describe).
func git(_ arguments: [String], in directory: String) async throws {
    let result = try await Subprocess.run(
        .name("git"), arguments: Arguments(["-c", "user.name=Test", "-c", "user.email=test@example.com"] + arguments),
        workingDirectory: .init(directory), output: .discarded, error: .string(limit: 65536))
    guard result.terminationStatus.isSuccess else {
        throw NSError(domain: "git", code: 1, userInfo: [NSLocalizedDescriptionKey: "git \(arguments) failed: \(result.standardError)"])
    }
}

extension TemporaryFolder {
    /// A config.yaml for the fake model server: model `fake`, key in `$FAKE_KEY`, $1/$2 per million
    /// tokens, model routing.
    func writeFakeModelConfig(_ server: FakeModelServer) throws {
        try write("config.yaml", """
            model:
              provider: openai
              base_url: \(server.openAIBaseURL)
              model: fake
              api_key_env: FAKE_KEY
              price: {input_per_million: 1.0, output_per_million: 2.0}
            routing: model
            """)
    }
}

extension TemporaryFolder {
    /// An `echo` tool `hello` and a `greeting` route that serves "say hello" with it
    /// ("route says: hello from the tool").
    func writeGreetingRoute() throws {
        try write("tools/hello.yaml", """
            name: hello
            description: Says hello.
            kind: command
            command: {argv: [echo, hello from the tool]}
            """)
        try write("routes/greeting.yaml", """
            name: greeting
            match: {keywords: [hello]}
            calls: [{tool: hello}]
            join: greeting.mustache
            """)
        try write("prompts/greeting.mustache", "route says: {{calls.hello.output}}")
    }
}

/// The JSON objects of an NDJSON text, one per line.
func ndjsonLines(_ text: String) throws -> [JSONValue] {
    try text.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
}
