import Foundation
import Subprocess

/// Runs the built `brigade` binary as a child process.
enum Brigade {
    /// The binary is built next to the test bundle (the test target depends on it).
    static var path: String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { bytes in
            bytes.baseAddress.map { readlink("/proc/self/exe", $0, bytes.count) } ?? -1
        }
        let executable = String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self)
        var directory = executable.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        if directory.last?.hasSuffix(".xctest") == true { directory = directory.dropLast() }
        return directory.joined(separator: "/") + "/brigade"
    }

    /// The repository root (for the shipped config, tools, routes and prompts).
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Runs `brigade ARGUMENTS` in `directory` with `environment` (plus PATH and HOME) and waits for it;
    /// `stdin` is piped to it (none: standard input is empty).
    /// `executable` runs another program instead (e.g. `/bin/sh` wrapping brigade).
    static func run(
        _ arguments: [String], in directory: String, environment: [String: String] = [:], stdin: [UInt8] = [], executable: String? = nil
    ) async throws -> Outcome {
        var env: [Environment.Key: String?] = [:]
        for (key, value) in environment { env[Environment.Key(stringLiteral: key)] = value }
        // No API key from the developer's shell leaks into a test.
        env["OPENAI_API_KEY"] = environment["OPENAI_API_KEY"]
        env["ANTHROPIC_API_KEY"] = environment["ANTHROPIC_API_KEY"]
        env["BRIGADE_CONFIG"] = environment["BRIGADE_CONFIG"]
        env["XDG_CONFIG_HOME"] = environment["XDG_CONFIG_HOME"] ?? directory + "/.no-xdg"
        // The run store goes to the test's folder, never to the developer's.
        env["XDG_STATE_HOME"] = environment["XDG_STATE_HOME"] ?? directory + "/.state"
        let result = try await Subprocess.run(
            .path(.init(executable ?? path)),
            arguments: Arguments(executable == nil ? arguments : Array(arguments.dropFirst())),
            environment: .inherit.updating(env),
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

/// A temporary directory removed at the end of the scope.
struct TemporaryFolder: ~Copyable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("brigade-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ relative: String, _ text: String) throws {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
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
