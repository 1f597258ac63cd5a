import Testing
import BrigadeTesting

/// `brigade ask` on a terminal asks before running a `confirm: true` tool.
@Suite("brigade ask approval on a terminal", .timeLimit(.minutes(1)))
struct AskApprovalTests {
    static let tool = """
        name: wipe
        description: Pretends to wipe something.
        kind: command
        command:
          argv: [echo, wiped]
        policy: {confirm: true}
        """
    static let route = """
        name: wipe_route
        match: {keywords: [wipe]}
        calls: [{tool: wipe}]
        join: wipe.mustache
        """

    func workspace(config: String = "routing: static\n") throws -> ChatTestWorkspace {
        let workspace = try ChatTestWorkspace(config: config)
        try workspace.write("tools/wipe.yaml", Self.tool)
        try workspace.make("routes")
        try workspace.write("routes/wipe.yaml", Self.route)
        try workspace.make("prompts")
        try workspace.write("prompts/wipe.mustache", "result: {{calls.wipe.output}}")
        return workspace
    }

    func ask(_ workspace: ChatTestWorkspace, answer: String, expectedStatus: Int32 = 0) async throws -> String {
        let process = try PseudoTerminalProcess(
            executable: BuiltProduct.brigade, arguments: ["ask", "--config", workspace.root + "/config.yaml", "wipe it"],
            environment: workspace.environment(), currentDirectory: workspace.root, columns: 120, rows: 30
        )
        try await process.waitFor("needs your approval")
        process.sendLine(answer)
        #expect(try await process.waitForExit() == expectedStatus)
        return process.output
    }

    @Test func yesRunsTheTool() async throws {
        let output = try await ask(try workspace(), answer: "y")
        #expect(output.contains("result: wiped"))
    }

    @Test func noDeniesIt() async throws {
        // The route's only call was denied: no answer, exit 3.
        let output = try await ask(try workspace(), answer: "n", expectedStatus: 3)
        #expect(output.contains("result: unavailable (denied"), "\(output)")
        #expect(output.contains("stop: route_failed"), "\(output)")
    }

    /// Issue 10 item 8: the first Ctrl-C ends the run while the question waits (no Enter needed).
    @Test func controlCWhileTheQuestionWaitsCancelsTheRun() async throws {
        let workspace = try workspace()
        let process = try PseudoTerminalProcess(
            executable: BuiltProduct.brigade, arguments: ["ask", "--config", workspace.root + "/config.yaml", "wipe it"],
            environment: workspace.environment(), currentDirectory: workspace.root, columns: 120, rows: 30
        )
        try await process.waitFor("needs your approval")
        process.sendControlC()
        #expect(try await process.waitForExit() == 130)
        #expect(process.output.contains("stop: cancelled"), "\(process.output)")
        #expect(!process.output.contains("result: wiped"))
    }

    /// The wall-clock budget ends a question nobody answers: the call is not run, the answer is cut short.
    @Test func theWallClockBudgetEndsAQuestionNobodyAnswers() async throws {
        let workspace = try workspace(config: "routing: static\nbudget: {wall_seconds: 1}\n")
        let process = try PseudoTerminalProcess(
            executable: BuiltProduct.brigade, arguments: ["ask", "--config", workspace.root + "/config.yaml", "wipe it"],
            environment: workspace.environment(), currentDirectory: workspace.root, columns: 120, rows: 30
        )
        #expect(try await process.waitForExit() == 4)
        #expect(process.output.contains("needs your approval"))
        #expect(process.output.contains("stop: budget_time"), "\(process.output)")
        #expect(!process.output.contains("result: wiped"))
    }
}
