import Foundation
import Testing
import BrigadeTesting
#if canImport(Glibc)
import Glibc
#endif

/// Tools do not outlive what they were for: a `run --json` client that goes away cancels its runs,
/// and a Brigade killed with SIGKILL takes its tools with it. The tool `linger` writes its process id
/// and sleeps ten minutes (its timeout is five), so only Brigade's reaction can end it in time.
@Suite("Tool lifetime", .timeLimit(.minutes(1)))
struct ToolLifetimeTests {
    enum Departure: String, CaseIterable, Sendable {
        /// The client closes its end of Brigade's standard output and keeps standard input open.
        case output
        /// The client closes both pipes.
        case both
    }

    /// A workspace whose static route "linger" calls the tool, and `brigade run --json` started in it.
    private static func startLingering() async throws -> (ChatTestWorkspace, LiveProcess, pid_t) {
        let workspace = try ChatTestWorkspace(config: "routing: static\n")
        try workspace.write("linger.sh", "#!/bin/sh\necho $$ > \"$1.tmp\" && mv \"$1.tmp\" \"$1\"\nexec sleep 600\n", executable: true)
        try workspace.write("tools/linger.yaml", """
            name: linger
            description: Sleeps for ten minutes.
            kind: command
            command: {argv: [\(workspace.root)/linger.sh, \(workspace.root)/linger.pid]}
            policy: {timeout: 300s}

            """)
        try workspace.make("routes")
        try workspace.write("routes/routes.yaml", """
            routes:
              - name: lingering
                description: Lingers.
                match: {keywords: [linger]}
                calls: [{tool: linger}]
                join: model

            """)
        let brigade = try LiveProcess(
            executable: BuiltProduct.brigade, arguments: ["run", "--json", "--config", workspace.root + "/config.yaml"],
            environment: workspace.environment(), currentDirectory: workspace.root
        )
        _ = try await brigade.readLine(containing: #""type":"ready""#)
        try brigade.send(#"{"v": 1, "type": "run", "id": "l1", "prompt": "linger"}"#)
        _ = try await brigade.readLine(containing: #""type":"tool_call_started""#)
        var pid: pid_t?
        for _ in 0..<1500 where pid == nil {
            pid = workspace.read("linger.pid").flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if pid == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        return (workspace, brigade, try #require(pid, "the tool never wrote its process id"))
    }

    @Test(arguments: Departure.allCases)
    func aClientThatGoesAwayCancelsItsRuns(departure: Departure) async throws {
        let (workspace, brigade, tool) = try await Self.startLingering()
        defer { if !LiveProcess.isGone(tool) { kill(tool, SIGKILL) } }
        #expect(!LiveProcess.isGone(tool))
        brigade.closeOutput()
        if departure == .both { brigade.closeInput() }
        let status = await brigade.waitForExit()
        #expect(status == 141, "brigade exited with \(status)")
        // The run was cancelled, and a cancelled call ends only once its process group is killed.
        #expect(LiveProcess.isGone(tool), "the tool \(tool) outlived the run")
        _ = workspace
    }

    @Test func toolsDieWithBrigade() async throws {
        let (workspace, brigade, tool) = try await Self.startLingering()
        defer { if !LiveProcess.isGone(tool) { kill(tool, SIGKILL) } }
        #expect(!LiveProcess.isGone(tool))
        kill(brigade.pid, SIGKILL)
        #expect(await brigade.waitForExit() == 128 + SIGKILL)
        #expect(await LiveProcess.waitUntilGone(tool), "the tool \(tool) outlived brigade")
        _ = workspace
    }
}
