import Testing

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

    func workspace() throws -> ChatTestWorkspace {
        let workspace = try ChatTestWorkspace(config: "routing: static\n")
        try workspace.write("tools/wipe.yaml", Self.tool)
        try workspace.make("routes")
        try workspace.write("routes/wipe.yaml", Self.route)
        try workspace.make("prompts")
        try workspace.write("prompts/wipe.mustache", "result: {{calls.wipe.output}}")
        return workspace
    }

    func ask(_ workspace: ChatTestWorkspace, answer: String) async throws -> String {
        let process = try PseudoTerminalProcess(
            executable: BrigadeBinary.path, arguments: ["ask", "--config", workspace.root + "/config.yaml", "wipe it"],
            environment: workspace.environment(), currentDirectory: workspace.root, columns: 120, rows: 30
        )
        try await process.waitFor("needs your approval")
        process.sendLine(answer)
        #expect(try await process.waitForExit() == 0)
        return process.output
    }

    @Test func yesRunsTheTool() async throws {
        let output = try await ask(try workspace(), answer: "y")
        #expect(output.contains("result: wiped"))
    }

    @Test func noDeniesIt() async throws {
        let output = try await ask(try workspace(), answer: "n")
        #expect(output.contains("result: unavailable (denied"), "\(output)")
    }
}
