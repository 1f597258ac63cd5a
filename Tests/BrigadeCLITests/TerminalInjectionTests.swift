import Brigade
import BrigadeTesting
import Testing

/// Issue 18: nothing a model or a tool sends reaches a human's terminal as a raw control character —
/// not through `ask`'s progress lines (tool names, arguments, error previews), not through
/// `tools call`'s output on a terminal. Checked on the real binary's output bytes.
@Suite("No terminal injection from model text or tool output", .timeLimit(.minutes(1)))
struct TerminalInjectionTests {
    static let title = "\u{1B}]0;pwned\u{07}"

    /// Piped: the progress lines on stderr escape a model-supplied tool name and its error preview.
    @Test func askProgressLinesEscapeToolNamesArgumentsAndErrors() async throws {
        try await withFakeModelServer { server in
            let workspace = try ChatTestWorkspace.withModel(server)
            server.enqueue(.toolCalls([
                FakeToolCall(name: "x\(Self.title)\u{1B}[2J\rfake"),
                // Raw control characters inside the arguments (not even valid JSON).
                FakeToolCall(name: "nap", arguments: "{\"seconds\":\"\u{1B}[31mred\r\"}"),
            ]))
            server.enqueue(.text("done"))
            let result = try await PipedProcess.run(
                executable: BuiltProduct.brigade, arguments: ["ask", "--config", workspace.root + "/config.yaml", "go"],
                environment: workspace.environment(workspace.environmentWithKey), currentDirectory: workspace.root, input: ""
            )
            #expect(result.status == 0, "\(result.output)")
            // No color on a pipe: any ESC, BEL or CR at all came from the model.
            #expect(!result.output.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\r" }, "\(result.output.debugDescription)")
            #expect(result.output.contains(#"x\e]0;pwned\x07\e[2J\rfake"#), "\(result.output)")
        }
    }

    /// On a terminal, `tools call` shows a tool's control characters escaped; its lines stay lines.
    @Test func toolsCallOnATerminalEscapesTheToolsOutput() async throws {
        let workspace = try ChatTestWorkspace(config: "routing: static\n")
        try workspace.write("tools/paint.yaml", """
            name: paint
            description: Prints escape sequences.
            kind: command
            command:
              argv: [printf, 'one\\033]0;pwned\\007\\ntwo\\033[2J\\n']
            """)
        let process = try PseudoTerminalProcess(
            executable: BuiltProduct.brigade, arguments: ["tools", "call", "--config", workspace.root + "/config.yaml", "paint"],
            environment: workspace.environment(), currentDirectory: workspace.root, columns: 100, rows: 30
        )
        #expect(try await process.waitForExit() == 0)
        let output = process.output
        #expect(!output.contains("\u{1B}]0;pwned") && !output.contains("\u{1B}[2J"), "\(output.debugDescription)")
        #expect(output.contains(#"one\e]0;pwned\x07"#) && output.contains(#"two\e[2J"#), "\(output.debugDescription)")
    }

    /// Piped, `tools call` prints the output exactly (a program reading it gets the bytes).
    @Test func toolsCallPipedPrintsTheOutputExactly() async throws {
        let workspace = try ChatTestWorkspace(config: "routing: static\n")
        try workspace.write("tools/paint.yaml", """
            name: paint
            description: Prints an escape sequence.
            kind: command
            command:
              argv: [printf, 'one\\033[2J']
            """)
        let result = try await PipedProcess.run(
            executable: BuiltProduct.brigade, arguments: ["tools", "call", "--config", workspace.root + "/config.yaml", "paint"],
            environment: workspace.environment(), currentDirectory: workspace.root, input: ""
        )
        #expect(result.status == 0)
        #expect(result.output.contains("one\u{1B}[2J"), "\(result.output.debugDescription)")
    }

    @Test func theOneSanitizerShowsEveryControlCharacter() {
        #expect(ControlCharacters.escaped("a\u{1B}]0;t\u{07}b\r\nc\u{9B}d\u{7F}") == #"a\e]0;t\x07b\r\nc\u{9B}d\x7F"#)
        #expect(ControlCharacters.escaped("a\r\nb\tc\rd", lineBreaks: .kept) == "a\nb\tc\\rd")
        #expect(ControlCharacters.escaped("a\nb\tc", lineBreaks: .spaces) == "a b c")
        #expect(ControlCharacters.escaped("plain — ünïcode") == "plain — ünïcode")
    }
}
