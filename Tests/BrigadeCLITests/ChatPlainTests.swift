import Brigade
import BrigadeTesting
import Testing

/// `brigade chat` with pipes instead of a terminal: plain lines, no escape sequences, prompts read line
/// by line from standard input.
@Suite("Chat without a terminal", .timeLimit(.minutes(2)))
struct ChatPlainTests {
    func runChat(in workspace: ChatTestWorkspace, input: String, environment: [String: String] = [:]) async throws -> PipedProcess.Result {
        try await PipedProcess.run(
            executable: BuiltProduct.brigade,
            arguments: ["chat", "--config", workspace.root + "/config.yaml"],
            environment: workspace.environment(environment),
            currentDirectory: workspace.root,
            input: input
        )
    }

    @Test func toolCallsAndSummariesArePlainLines() async throws {
        try await withFakeModelServer { server in
            let workspace = try ChatTestWorkspace.withModel(server)
            server.enqueue(.toolCalls([
                FakeToolCall(name: "nap", arguments: #"{"seconds":0.1}"#),
                FakeToolCall(name: "nap", arguments: #"{"seconds":0.2}"#),
                FakeToolCall(name: "danger"),
            ], usage: TokenUsage(inputTokens: 100, outputTokens: 10)))
            server.enqueue(.text("Two naps taken.", usage: TokenUsage(inputTokens: 150, outputTokens: 5)))
            let result = try await runChat(in: workspace, input: "take two naps\n\n/trace\n/trace --html naps trace.html\n/budget\n", environment: workspace.environmentWithKey)
            #expect(result.status == 0)
            #expect(!result.output.contains("\u{1B}"), "escape sequences in \(result.output.debugDescription)")
            let lines = result.output.split(separator: "\n").map(String.init)
            // Each nap's line ends with its duration in seconds (whatever it took on this machine).
            let naps = lines.filter { $0.hasPrefix("[tool] nap ok ") }
            #expect(naps.count == 2, "output: \(result.output)")
            #expect(naps.allSatisfy { $0.hasSuffix(" s") && Double($0.dropFirst("[tool] nap ok ".count).dropLast(2)) != nil }, "\(naps)")
            // Nobody can answer an approval question through a pipe: the call is denied, and a line says so.
            #expect(lines.contains("[approval] danger denied: confirm-tools need an interactive terminal"))
            #expect(lines.contains("[tool] danger denied 0.00 s"))
            #expect(lines.contains { $0.hasPrefix("[calls] 3 calls in ") && $0.hasSuffix(", 1 not ok") })
            #expect(lines.contains("Two naps taken."))
            #expect(lines.contains("[usage] tokens 250 in + 15 out · $0.0003 · left $0.4997"))
            // /trace: the run's timeline, the denied call marked failed with its status.
            #expect(lines.contains { $0.hasPrefix("run run_") && $0.contains(" wall") })
            // A bar of any width: on a run stretched by a slow model a 0.1 s nap is a fraction of a cell.
            let bar = { (line: String) in line.unicodeScalars.contains { (0x2588...0x258F).contains($0.value) } }
            #expect(lines.filter { $0.contains(" nap (") && bar($0) }.count == 2, "output: \(result.output)")
            #expect(lines.contains { $0.contains("✗") && $0.contains("danger (") && $0.hasSuffix(" denied") }, "output: \(result.output)")
            // /trace --html: the page of the same run, written relative to the chat's directory.
            #expect(lines.contains("Wrote the last prompt's trace to \(workspace.root)/naps trace.html."), "output: \(result.output)")
            let page = workspace.read("naps trace.html") ?? ""
            #expect(page.hasPrefix("<!DOCTYPE html>") && page.contains("danger (") && page.contains("speed-up"))
            #expect(lines.contains { $0.hasPrefix("USD ") && $0.hasSuffix("$0.4997") })
        }
    }

    @Test func withoutAModelPromptsGoToTheRouter() async throws {
        let workspace = try ChatTestWorkspace()
        let result = try await runChat(in: workspace, input: "/tools\n\nwhat time is it?\n/budget\n/nonsense\n")
        #expect(result.status == 0)
        #expect(!result.output.contains("\u{1B}"))
        #expect(!result.output.contains("> "))  // no prompt is printed to a pipe
        #expect(result.output.hasPrefix("brigade: no model is configured — answering with the offline router (routing: static)\n"))
        #expect(result.output.contains("No tools are configured."))
        #expect(result.output.contains("No route matches this request, and no routes are configured."))
        #expect(result.output.contains("[usage] tokens 0 in + 0 out · $0.0000 · no budget cap"))
        #expect(result.output.contains("Unknown command /nonsense."))
        #expect(result.output.contains("Session: 1 prompt"))
    }

    @Test func aBadConfigurationIsReportedWithItsLocation() async throws {
        let workspace = try ChatTestWorkspace(config: "routing: sideways\n")
        let result = try await runChat(in: workspace, input: "")
        #expect(result.status == 2)
        #expect(result.output.contains("config.yaml:1:"))
        #expect(result.output.contains("sideways"))
    }

    @Test func aModeThatNeedsAModelIsAUsageError() async throws {
        let workspace = try ChatTestWorkspace()
        let result = try await PipedProcess.run(
            executable: BuiltProduct.brigade,
            arguments: ["chat", "--config", workspace.root + "/config.yaml", "--mode", "model"],
            environment: workspace.environment(), currentDirectory: workspace.root, input: ""
        )
        #expect(result.status == 2)
        #expect(result.output.contains("mode model needs a model: no model is configured"))
    }
}
