import BrigadeTesting
import Foundation
import Subprocess
import Testing

/// The tests' `brigade` children do not read the caller's user layer (`scripts/install` puts one in
/// `~/.config/brigade/`, a developer may have their own) nor `$BRIGADE_CONFIG`: `HermeticEnvironment`.
@Suite("A test's brigade child sees no user layer", .timeLimit(.minutes(1)))
struct HermeticEnvironmentTests {
    /// A caller's environment with a user layer in `HOME`, another in `XDG_CONFIG_HOME` (when `xdg`)
    /// and a `BRIGADE_CONFIG` file, each setting `limits.max_turns` to a value of its own.
    static func hostile(_ folder: borrowing TemporaryFolder, xdg: Bool) throws -> [String: String] {
        try folder.write("home/.config/brigade/config.yaml", "limits: {max_turns: 71}\n")
        try folder.write("xdg/brigade/config.yaml", "limits: {max_turns: 72}\n")
        try folder.write("env.yaml", "limits: {max_turns: 73}\n")
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = folder.path + "/home"
        environment["XDG_CONFIG_HOME"] = xdg ? folder.path + "/xdg" : nil
        environment["BRIGADE_CONFIG"] = folder.path + "/env.yaml"
        return environment
    }

    /// The layers `brigade config show` names, and its `limits.max_turns` line.
    static func report(_ output: String) -> (layers: [String], maxTurns: String) {
        let lines = output.split(separator: "\n").map(String.init)
        let layers = lines.filter { $0.hasPrefix("  ") && !$0.hasPrefix("    ") }.map { $0.trimmingCharacters(in: .whitespaces) }
        return (layers, lines.first { $0.hasPrefix("limits.max_turns:") } ?? "(no limits.max_turns line)")
    }

    @Test("a caller's user layer in HOME or XDG_CONFIG_HOME, and its BRIGADE_CONFIG, do not reach the child", arguments: [false, true])
    func callerLayersStayOut(xdg: Bool) async throws {
        let layers = try TemporaryFolder()
        let caller = try Self.hostile(layers, xdg: xdg)
        let work = try TemporaryFolder()

        // Control: a child given the caller's environment as it is reads those layers.
        var entries: [Environment.Key: String] = [:]
        for (name, value) in caller { entries[Environment.Key(stringLiteral: name)] = value }
        let exposed = try await Subprocess.run(
            .path(.init(Brigade.path)), arguments: ["config", "show"], environment: .custom(entries),
            workingDirectory: .init(work.path), output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        #expect(exposed.terminationStatus.isSuccess, "\(exposed.standardError)")
        let seen = Self.report(exposed.standardOutput)
        #expect(seen.layers.contains { $0.hasPrefix("user") && $0.hasSuffix(layers.path + (xdg ? "/xdg" : "/home/.config") + "/brigade/config.yaml") }, "\(seen.layers)")
        #expect(seen.maxTurns.hasPrefix("limits.max_turns: 73 "), "\(seen.maxTurns)")

        // The harness, under that same caller, gives the child none of them.
        let hermetic = try await Brigade.run(["config", "show"], in: work.path, inherited: caller)
        #expect(hermetic.status == 0, "\(hermetic.standardError)")
        let report = Self.report(hermetic.standardOutput)
        #expect(report.layers == ["built-in defaults"], "\(report.layers)")
        #expect(report.maxTurns.hasSuffix("# built-in default"), "\(report.maxTurns)")
        #expect(!hermetic.standardOutput.contains(layers.path))
    }
}
