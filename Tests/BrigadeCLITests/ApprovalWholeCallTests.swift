import Brigade
import BrigadeTesting
import Testing

/// Issue 18: an approval prompt shows the whole call. Spaces once pushed `; cat /etc/hostname > …`
/// past a 197-character preview and it ran after `y`; now every argument is shown, runs of spaces
/// counted, long calls paged — in `ask` and in chat.
@Suite("Approval prompts show the whole call", .timeLimit(.minutes(1)))
struct ApprovalWholeCallTests {
    static let hidden = "echo hello" + String(repeating: " ", count: 300) + "; cat /etc/hostname > stolen"

    static func workspace(_ server: FakeModelServer) throws -> ChatTestWorkspace {
        let workspace = try ChatTestWorkspace.withModel(server)
        try workspace.write("tools/shell_line.yaml", """
            name: shell_line
            description: Echoes a command line.
            kind: command
            parameters:
              type: object
              properties:
                cmd: {type: string}
              required: [cmd]
            command:
              argv: [echo, "{{cmd}}"]
            policy: {confirm: true}
            """)
        return workspace
    }

    static func call(_ cmd: String) -> FakeToolCall {
        FakeToolCall(name: "shell_line", arguments: JSONValue.object(["cmd": .string(cmd)]).jsonString)
    }

    func ask(_ workspace: ChatTestWorkspace) throws -> PseudoTerminalProcess {
        try PseudoTerminalProcess(
            executable: BuiltProduct.brigade, arguments: ["ask", "--config", workspace.root + "/config.yaml", "run it"],
            environment: workspace.environment(workspace.environmentWithKey), currentDirectory: workspace.root, columns: 100, rows: 30
        )
    }

    @Test func askShowsWhatHidesBehindSpaces() async throws {
        try await withFakeModelServer { server in
            let workspace = try Self.workspace(server)
            server.enqueue(.toolCalls([Self.call(Self.hidden)]), .text("Denied."))
            let process = try ask(workspace)
            let shown = try await process.waitFor("[a]lways for this tool: ")
            #expect(shown.contains(#"cmd = "echo hello⟨300 spaces⟩; cat /etc/hostname > stolen""#), "\(shown)")
            process.sendLine("n")
            #expect(try await process.waitForExit() == 0)
        }
    }

    @Test func askPagesALongCallAndNDeniesIt() async throws {
        try await withFakeModelServer { server in
            let workspace = try Self.workspace(server)
            let long = (0..<40).map { "line\($0)-" + String(repeating: "x", count: 90) }.joined(separator: ";") + ";TAIL"
            server.enqueue(.toolCalls([Self.call(long)]), .text("Denied."))
            let process = try ask(workspace)
            let firstPage = try await process.waitFor("more lines of arguments: Enter shows them, n denies -- ")
            #expect(!firstPage.contains("TAIL"))
            process.sendLine("")
            let rest = try await process.waitFor("[a]lways for this tool: ")
            #expect(rest.contains("TAIL"), "\(rest)")
            process.sendLine("n")
            #expect(try await process.waitForExit() == 0)
            #expect(process.output.contains("Denied."))
        }
    }

    @Test func chatShowsTheWholeCallEscaped() async throws {
        try await withFakeModelServer { server in
            let workspace = try Self.workspace(server)
            server.enqueue(.toolCalls([Self.call(Self.hidden + "\u{1B}]0;pwned\u{07}")]), .text("Denied, fine."))
            let chat = try workspace.startChat(environment: workspace.environmentWithKey)
            chat.sendLine("run it")
            let shown = try await chat.waitFor("? [y]es / [n]o / [a]lways for this tool: ")
            #expect(shown.contains("; cat /etc/hostname > stolen"), "\(shown)")
            #expect(shown.contains(#"stolen\u001b]0;pwned\u0007""#), "\(shown.debugDescription)")
            #expect(!shown.contains("\u{1B}]0;pwned"))
            chat.sendLine("n")
            try await chat.waitFor("Denied, fine.")
            // The prompt first: Ctrl-D typed while the editor is not reading can be flushed when it
            // sets the terminal up again (seen under ThreadSanitizer's slowdown: chat never exited).
            try await chat.waitFor(ChatModelTests.prompt)
            chat.sendControlD()
            #expect(try await chat.waitForExit() == 0)
        }
    }
}
