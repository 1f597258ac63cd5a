import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `brigade chat` on a real pseudo-terminal: line editing, commands, Ctrl-C and Ctrl-D, history.
@Suite("Chat on a terminal", .timeLimit(.minutes(2)))
struct ChatTerminalTests {
    static let prompt = "> "

    @Test func commandsAnswerAndCtrlCTwiceAtAnEmptyPromptExits() throws {
        let workspace = try ChatTestWorkspace()
        let chat = try workspace.startChat()
        try chat.waitFor("/help for commands")
        try chat.waitFor(Self.prompt)
        chat.sendLine("/help")
        try chat.waitFor("/trace")
        try chat.waitFor(Self.prompt)
        chat.sendLine("/tols")
        try chat.waitFor("Unknown command /tols. Did you mean /tools?")
        chat.sendLine("/budget now")
        try chat.waitFor("/budget takes no such arguments")
        chat.sendLine("/mode fast")
        try chat.waitFor("Unknown mode fast")
        chat.sendLine("/mode static")
        try chat.waitFor("mode: static")
        try chat.waitFor("[static]")

        chat.sendControlC()
        try chat.waitFor("Press Ctrl-C again or Ctrl-D to exit")
        chat.sendControlC()
        #expect(try chat.waitForExit() == 0)
    }

    @Test func ctrlCClearsATypedLineAndCtrlDExits() throws {
        let workspace = try ChatTestWorkspace()
        let chat = try workspace.startChat()
        try chat.waitFor(Self.prompt)
        chat.send("half a thought")
        try chat.waitFor("half a thought")
        chat.sendControlC()
        try chat.waitFor("^C")
        try chat.waitFor(Self.prompt)
        // A cleared line does not count towards leaving: one more Ctrl-C only warns.
        chat.sendControlC()
        try chat.waitFor("Press Ctrl-C again")
        try chat.waitFor(Self.prompt)
        chat.sendControlD()
        #expect(try chat.waitForExit() == 0)
        #expect(!chat.output.contains("half a thought\r\n"))
    }

    @Test func historyPersistsInXDGStateHomeAndComesBackWithTheUpArrow() throws {
        let workspace = try ChatTestWorkspace()
        let first = try workspace.startChat()
        try first.waitFor(Self.prompt)
        first.sendLine("/mode model")
        try first.waitFor("mode: model")
        first.sendLine("/budget")
        try first.waitFor("calls per turn")
        // Ctrl-D typed ahead while the terminal is in canonical mode would reach libedit as a NUL
        // (Linux stores the EOF mark that way): wait for the prompt first, as a user does.
        try first.waitFor(Self.prompt)
        first.sendControlD()
        #expect(try first.waitForExit() == 0)
        let history = workspace.read("state/brigade/history") ?? ""
        // libedit's format: a header line, then one vis(3)-encoded line per entry.
        #expect(history.hasPrefix("_HiStOrY_V2_\n"))
        #expect(history.contains("/mode\\040model\n"))
        #expect(history.contains("/budget"))

        let second = try workspace.startChat()
        try second.waitFor(Self.prompt)
        second.send("\u{1B}[A\u{1B}[A\r")  // up, up: the line before the last, run again
        try second.waitFor("mode: model")
        try second.waitFor(Self.prompt)
        second.sendControlD()
        #expect(try second.waitForExit() == 0)
    }

    @Test func noColorKeepsEscapeSequencesForColourOut() throws {
        let workspace = try ChatTestWorkspace()
        let chat = try workspace.startChat(environment: ["NO_COLOR": "1"])
        try chat.waitFor(Self.prompt)
        chat.sendLine("/tols")
        try chat.waitFor("Did you mean /tools?")
        chat.sendLine("/budget")
        try chat.waitFor("calls per turn")
        try chat.waitFor(Self.prompt)
        chat.sendControlD()
        #expect(try chat.waitForExit() == 0)
        #expect(!chat.output.contains("\u{1B}[1m"))
        #expect(!chat.output.contains("\u{1B}[2m"))
        #expect(!chat.output.contains("\u{1B}[33m"))
    }
}
