import Foundation
import Subprocess
import Testing
import BrigadeTesting

/// What a command tool can learn of Brigade's secrets: not its API keys, through its own environment
/// or through Brigade's `/proc/PID/environ`.
@Suite("Secrets out of a tool's reach", .timeLimit(.minutes(1)))
struct ToolEnvironmentTests {
    static let key = "sk-test-never-in-a-tool-0123456789"

    @Test func aToolDoesNotInheritTheAPIKeysBeyondItsAllowlist() async throws {
        let folder = try TemporaryFolder()
        try folder.write("tools/show_env.yaml", """
            name: show_env
            description: Prints its environment.
            kind: command
            command: {argv: [env], env_allowlist: [BRIGADE_TEST_SHARED]}
            """)
        let outcome = try await Brigade.run(
            ["tools", "call", "show_env"], in: folder.path,
            environment: ["OPENAI_API_KEY": Self.key, "ANTHROPIC_API_KEY": Self.key, "BRIGADE_TEST_SHARED": "shared-value"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("BRIGADE_TEST_SHARED=shared-value"), "\(outcome.standardOutput)")
        #expect(!outcome.standardOutput.contains(Self.key))
        #expect(!outcome.standardOutput.contains("API_KEY"))
    }

    /// Brigade makes itself non-dumpable at start, so a tool of the same user (without CAP_SYS_PTRACE)
    /// cannot open its parent's `/proc/PID/environ`. As root the test runs Brigade as `nobody`
    /// (root could read anything).
    @Test func aToolCannotReadBrigadesEnvironmentThroughProc() async throws {
        let folder = try TemporaryFolder()
        try folder.write("tools/peek.yaml", #"""
            name: peek
            description: Reads its parent's environment.
            kind: command
            command: {argv: [sh, -c, "echo parent=$(cat /proc/$PPID/comm); tr '\\0' '\\n' < /proc/$PPID/environ"]}
            """#)
        var arguments = [Brigade.path, "tools", "call", "peek"]
        if getuid() == 0 { arguments = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + arguments }
        let result = try await Subprocess.run(
            .name(arguments[0]), arguments: Arguments(Array(arguments.dropFirst())),
            environment: .custom(["PATH": "/usr/bin:/bin", "HOME": folder.path, "XDG_CONFIG_HOME": folder.path + "/.no-xdg", "OPENAI_API_KEY": Self.key]),
            workingDirectory: .init(folder.path), output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        let output = result.standardOutput + result.standardError
        // The tool ran as Brigade's child, and was refused.
        #expect(output.contains("parent=brigade"), "\(output)")
        #expect(output.contains("Permission denied"), "\(output)")
        #expect(!output.contains(Self.key))
        #expect(!output.contains("OPENAI_API_KEY"))
    }
}
