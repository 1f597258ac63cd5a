import Brigade
import BrigadeTesting
import Testing

/// `brigade ask` on a real pseudo-terminal: the live per-call lines of chat, the answer rendered as
/// Markdown while it streams, plain with NO_COLOR, and never a raw control character from the model.
@Suite("brigade ask on a terminal", .timeLimit(.minutes(1)))
struct AskTerminalTests {
    static let markdown = """
        # Report

        Some **bold** and *soft* words.

        - first item
        - second `code`

        | name | size |
        |---|---|
        | a | 10 |
        | longer | 2 |

        ```swift
        let x = 1
        ```
        Done \u{1B}]0;pwned\u{07}here.
        """

    func ask(_ server: FakeModelServer, environment extra: [String: String] = [:]) async throws -> String {
        let workspace = try ChatTestWorkspace.withModel(server)
        server.enqueue(.toolCalls([FakeToolCall(name: "nap", arguments: #"{"seconds":0}"#)]))
        server.enqueue(.text(Self.markdown))
        let process = try PseudoTerminalProcess(
            executable: BuiltProduct.brigade, arguments: ["ask", "--config", workspace.root + "/config.yaml", "report please"],
            environment: workspace.environment(workspace.environmentWithKey.merging(extra) { $1 }), currentDirectory: workspace.root,
            columns: 100, rows: 30
        )
        #expect(try await process.waitForExit() == 0)
        let output = process.output
        // Never the model's raw escape sequence.
        #expect(!output.contains("\u{1B}]0;pwned"), "\(output.debugDescription)")
        #expect(output.contains("stop: finished"))
        return output
    }

    @Test func theAnswerIsRenderedAsMarkdownAndTheCallsAreLiveLines() async throws {
        try await withFakeModelServer { server in
            let output = try await ask(server)
            // The call: a live spinner line, then its settled line.
            #expect(output.contains("⠋\u{1B}[0m \u{1B}[1mnap\u{1B}[0m"), "\(output.debugDescription)")
            #expect(output.contains("✓\u{1B}[0m \u{1B}[1mnap\u{1B}[0m"))
            // Markdown: heading, emphasis, list, inline code, aligned table, code block.
            #expect(output.contains("\u{1B}[1mREPORT\u{1B}[0m"), "\(output.debugDescription)")
            #expect(output.contains("Some \u{1B}[1mbold\u{1B}[0m and \u{1B}[3msoft\u{1B}[0m words."))
            #expect(output.contains("• first item"))
            #expect(output.contains("• second \u{1B}[36mcode\u{1B}[0m"))
            #expect(output.contains("\u{1B}[1mname\u{1B}[0m  \u{1B}[2m │ \u{1B}[0m\u{1B}[1msize\u{1B}[0m"))
            #expect(output.contains("a     \u{1B}[2m │ \u{1B}[0m10"))
            #expect(output.contains("longer\u{1B}[2m │ \u{1B}[0m2 "))
            #expect(output.contains("  \u{1B}[36mlet x = 1\u{1B}[0m"))
            #expect(!output.contains("**") && !output.contains("```") && !output.contains("|---|"))
            #expect(output.contains(#"Done \e]0;pwned\x07here."#))
        }
    }

    @Test func noColorPrintsTheMarkdownAsWritten() async throws {
        try await withFakeModelServer { server in
            let output = try await ask(server, environment: ["NO_COLOR": "1"])
            #expect(output.contains("# Report"))
            #expect(output.contains("Some **bold** and *soft* words."))
            #expect(output.contains("| longer | 2 |"))
            #expect(output.contains("⠋ nap seconds=0") && output.contains("✓ nap seconds=0"))
            #expect(output.contains(#"Done \e]0;pwned\x07here."#))
        }
    }
}
