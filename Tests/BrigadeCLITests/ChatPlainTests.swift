import Testing

/// `brigade chat` with pipes instead of a terminal: plain lines, no escape sequences, prompts read line
/// by line from standard input.
@Suite("Chat without a terminal", .timeLimit(.minutes(2)))
struct ChatPlainTests {
    @Test func pipedPromptsGetPlainLines() throws {
        let workspace = try ChatTestWorkspace()
        let result = try PipedProcess.run(
            executable: BrigadeBinary.path,
            arguments: ["chat", "--config", workspace.root + "/config.yaml"],
            environment: workspace.environment(),
            currentDirectory: workspace.root,
            input: "/tools\n\nwhat time is it?\n/budget\n/nonsense\n"
        )
        #expect(result.status == 0)
        #expect(!result.output.contains("\u{1B}"))
        #expect(!result.output.contains("> "))  // no prompt is printed to a pipe
        #expect(result.output.contains("No tools are configured."))
        #expect(result.output.contains("[fallback] no model is configured"))
        #expect(result.output.contains("[usage] tokens 0 in + 0 out · $0.0000 · no budget cap"))
        #expect(result.output.contains("[stopped] the model is unavailable: no model is configured (model_unavailable)"))
        #expect(result.output.contains("Unknown command /nonsense."))
        #expect(result.output.contains("Session: 1 prompt"))
    }

    @Test func aBadConfigurationIsReportedWithItsLocation() throws {
        let workspace = try ChatTestWorkspace(config: "routing: sideways\n")
        let result = try PipedProcess.run(
            executable: BrigadeBinary.path,
            arguments: ["chat", "--config", workspace.root + "/config.yaml"],
            environment: workspace.environment(),
            currentDirectory: workspace.root,
            input: ""
        )
        #expect(result.status == 1)
        #expect(result.output.contains("config.yaml:1:"))
        #expect(result.output.contains("sideways"))
    }
}
