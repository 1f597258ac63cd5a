import Testing

import BrigadeTesting
#if canImport(Glibc)
import Glibc
#endif

/// `brigade chat` on a real pseudo-terminal, without a model: line editing, commands, Ctrl-C and
/// Ctrl-D, history, NO_COLOR.
@Suite("Chat on a terminal", .timeLimit(.minutes(2)))
struct ChatTerminalTests {
    static let prompt = "> "

    @Test func commandsAnswerAndCtrlCTwiceAtAnEmptyPromptExits() async throws {
        let workspace = try ChatTestWorkspace()
        let chat = try workspace.startChat()
        try await chat.waitFor("no model is configured — answering with the offline router")
        try await chat.waitFor("/help for commands")
        try await chat.waitFor(Self.prompt)
        chat.sendLine("/help")
        try await chat.waitFor("/trace")
        try await chat.waitFor(Self.prompt)
        chat.sendLine("/tols")
        try await chat.waitFor("Unknown command /tols. Did you mean /tools?")
        chat.sendLine("/budget now")
        try await chat.waitFor("/budget takes no such arguments")
        chat.sendLine("/mode fast")
        try await chat.waitFor("Unknown mode fast")
        chat.sendLine("/mode hybrid")
        try await chat.waitFor("Cannot switch: mode hybrid needs a model: no model is configured")
        chat.sendLine("/mode")
        try await chat.waitFor("mode: static")
        try await chat.waitFor(Self.prompt)

        chat.sendControlC()
        try await chat.waitFor("Press Ctrl-C again or Ctrl-D to exit")
        chat.sendControlC()
        #expect(try await chat.waitForExit() == 0)
    }

    @Test func bareBrigadeOnATerminalIsTheChat() async throws {
        let workspace = try ChatTestWorkspace()
        let chat = try PseudoTerminalProcess(
            executable: BuiltProduct.brigade, arguments: [],
            environment: workspace.environment(), currentDirectory: workspace.root, columns: 100, rows: 30
        )
        try await chat.waitFor("/help for commands")
        try await chat.waitFor(Self.prompt)
        chat.sendControlD()
        #expect(try await chat.waitForExit() == 0)
    }

    @Test func ctrlCClearsATypedLineAndCtrlDExits() async throws {
        let workspace = try ChatTestWorkspace()
        let chat = try workspace.startChat()
        try await chat.waitFor(Self.prompt)
        chat.send("half a thought")
        try await chat.waitFor("half a thought")
        chat.sendControlC()
        try await chat.waitFor("^C")
        try await chat.waitFor(Self.prompt)
        // A cleared line does not count towards leaving: one more Ctrl-C only warns.
        chat.sendControlC()
        try await chat.waitFor("Press Ctrl-C again")
        try await chat.waitFor(Self.prompt)
        chat.sendControlD()
        #expect(try await chat.waitForExit() == 0)
        #expect(!chat.output.contains("half a thought\r\n"))
    }

    @Test func historyPersistsInXDGStateHomeAndComesBackWithTheUpArrow() async throws {
        let workspace = try ChatTestWorkspace()
        let first = try workspace.startChat()
        try await first.waitFor(Self.prompt)
        first.sendLine("/mode static")
        try await first.waitFor("mode: static")
        first.sendLine("/budget")
        try await first.waitFor("calls per turn")
        // Ctrl-D typed ahead while the terminal is in canonical mode would reach libedit as a NUL
        // (Linux stores the EOF mark that way): wait for the prompt first, as a user does.
        try await first.waitFor(Self.prompt)
        first.sendControlD()
        #expect(try await first.waitForExit() == 0)
        let history = workspace.read("state/brigade/history") ?? ""
        // libedit's format: a header line, then one vis(3)-encoded line per entry.
        #expect(history.hasPrefix("_HiStOrY_V2_\n"))
        #expect(history.contains("/mode\\040static\n"))
        #expect(history.contains("/budget\n"))

        let second = try workspace.startChat()
        try await second.waitFor(Self.prompt)
        second.send("\u{1B}[A\u{1B}[A\r")  // up, up: the line before the last, run again
        try await second.waitFor("mode: static")
        try await second.waitFor(Self.prompt)
        second.sendControlD()
        #expect(try await second.waitForExit() == 0)
    }

    @Test func noColorKeepsColourOut() async throws {
        let workspace = try ChatTestWorkspace()
        let chat = try workspace.startChat(environment: ["NO_COLOR": "1"])
        try await chat.waitFor(Self.prompt)
        chat.sendLine("/tols")
        try await chat.waitFor("Did you mean /tools?")
        chat.sendLine("/budget")
        try await chat.waitFor("calls per turn")
        try await chat.waitFor(Self.prompt)
        chat.sendControlD()
        #expect(try await chat.waitForExit() == 0)
        #expect(!chat.output.contains("\u{1B}[1m"))
        #expect(!chat.output.contains("\u{1B}[2m"))
        #expect(!chat.output.contains("\u{1B}[33m"))

        // Without NO_COLOR the same session is coloured (so the check above can fail).
        let coloured = try workspace.startChat()
        try await coloured.waitFor(Self.prompt)
        coloured.sendControlD()
        #expect(try await coloured.waitForExit() == 0)
        #expect(coloured.output.contains("\u{1B}[2m"))
    }
}
