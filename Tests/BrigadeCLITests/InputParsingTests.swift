import Brigade
import Testing

@testable import BrigadeCLI

@Suite("Chat input parsing", .timeLimit(.minutes(1)))
struct InputParsingTests {
    @Test func slashCommandsParse() throws {
        #expect(try SlashCommand.parse("/help").get() == .help)
        #expect(try SlashCommand.parse("/TOOLS").get() == .tools)
        #expect(try SlashCommand.parse("/mode static").get() == .mode(.static))
        #expect(try SlashCommand.parse("/mode").get() == .mode(nil))
        #expect(try SlashCommand.parse("/model gpt-4o").get() == .model("gpt-4o"))
        #expect(try SlashCommand.parse("/save  my chat.json ").get() == .save(path: "my chat.json"))
        #expect(try SlashCommand.parse("/quit").get() == .exit)
        #expect(try SlashCommand.parse("/trace").get() == .trace(html: nil))
        #expect(try SlashCommand.parse("/trace --html  my trace.html ").get() == .trace(html: "my trace.html"))
    }

    @Test func badCommandsSayWhatIsWrong() {
        #expect(SlashCommand.parse("/tols") == .failure(.unknown("tols", suggestion: "tools")))
        #expect(SlashCommand.parse("/tols").failureDescription == "Unknown command /tols. Did you mean /tools? Type /help for the list.")
        #expect(SlashCommand.parse("/xyzzy").failureDescription == "Unknown command /xyzzy. Type /help for the list.")
        #expect(SlashCommand.parse("/mode fast") == .failure(.badMode("fast")))
        #expect(SlashCommand.parse("/save") == .failure(.missingArgument(command: "save", usage: "/save FILE")))
        #expect(SlashCommand.parse("/trace --html") == .failure(.missingArgument(command: "trace", usage: "/trace [--html FILE]")))
        #expect(SlashCommand.parse("/trace now") == .failure(.unexpectedArguments(command: "trace", usage: "/trace [--html FILE]")))
        #expect(SlashCommand.parse("/budget now") == .failure(.unexpectedArguments(command: "budget", usage: "/budget")))
    }

    @Test func utf8IsAssembledByteByByte() {
        var assembler = UTF8Assembler()
        var scalars: [Unicode.Scalar] = []
        for byte in Array("é日🙂a".utf8) { scalars += assembler.feed(byte) }
        #expect(String(String.UnicodeScalarView(scalars)) == "é日🙂a")
        // A lead byte without its continuation, a stray continuation, an overlong form.
        var broken = UTF8Assembler()
        var output: [Unicode.Scalar] = []
        for byte: UInt8 in [0xE6, 0x41, 0x80, 0xC0, 0xE0, 0x80, 0x80, 0x42] { output += broken.feed(byte) }
        #expect(output.map(\.value) == [0xFFFD, 0x41, 0xFFFD, 0xFFFD, 0xFFFD, 0x42])
    }

    @Test func historyFollowsXDGStateHome() {
        #expect(HistoryLocation.path(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]) == "/s/brigade/history")
        #expect(HistoryLocation.path(environment: ["XDG_STATE_HOME": "relative", "HOME": "/h"]) == "/h/.local/state/brigade/history")
        #expect(HistoryLocation.path(environment: ["HOME": "/h"]) == "/h/.local/state/brigade/history")
        #expect(HistoryLocation.path(environment: [:]) == nil)
    }

    @Test func transcriptKeepsRolesCallsAndResults() {
        let messages: [ChatMessage] = [
            .user("how full is /var?"),
            .assistant(text: "", toolCalls: [ToolCall(id: "c1", name: "disk_usage", rawArguments: #"{"path":"/var"}"#)]),
            .toolResults([ToolResultMessage(callID: "c1", toolName: "disk_usage", content: "42%", isError: false)]),
            .assistant(text: "42% used.", toolCalls: []),
        ]
        let json = ChatTranscript.json(messages: messages, runs: [RunResult(answer: "42% used.", stopReason: .finished)], model: nil, mode: .hybrid)
        let text = json.jsonString
        #expect(text.hasPrefix(#"{"format":"brigade-chat/1","model":null,"mode":"hybrid","messages":[{"role":"user","content":"how full is /var?"}"#))
        #expect(text.contains(#"{"role":"assistant","content":"","tool_calls":[{"id":"c1","name":"disk_usage","arguments":"{\"path\":\"/var\"}"}]}"#))
        #expect(text.contains(#"{"role":"tool","results":[{"tool_call_id":"c1","name":"disk_usage","content":"42%","is_error":false}]}"#))
        #expect(text.contains(#""runs":[{"answer":"42% used.","stop_reason":"finished""#))
    }
}

extension Result where Failure: CustomStringConvertible {
    var failureDescription: String? {
        if case .failure(let error) = self { error.description } else { nil }
    }
}
