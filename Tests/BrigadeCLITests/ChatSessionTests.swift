import Brigade
import BrigadeTesting
import Testing

/// Conversations kept in the run store, through `brigade chat` on a pseudo-terminal: `--continue`
/// brings back the last one, `/sessions` lists them, `/load` switches.
@Suite("Chat sessions", .timeLimit(.minutes(3)))
struct ChatSessionTests {
    static let prompt = "> "

    @Test func continueResumesTheLastConversationAndLoadSwitches() async throws {
        try await withFakeModelServer { server in
            let workspace = try ChatTestWorkspace.withModel(server)
            server.enqueue(.text("Noted: the code word is heron."))
            server.enqueue(.text("The code word was heron."))
            server.enqueue(.text("A fresh start."))
            server.enqueue(.text("Back to the heron."))
            let environment = workspace.environmentWithKey.merging(["NO_COLOR": "1"]) { $1 }

            let first = try workspace.startChat(environment: environment)
            try await first.waitFor(Self.prompt)
            first.sendLine("remember the code word heron")
            try await first.waitFor("Noted: the code word is heron.")
            try await first.waitFor(Self.prompt)
            first.sendControlD()
            #expect(try await first.waitForExit() == 0)

            // A new process continues the stored conversation: the model sees the first exchange.
            let second = try workspace.startChat(arguments: ["--continue"], environment: environment)
            try await second.waitFor(Self.prompt)
            second.sendLine("what was the code word?")
            try await second.waitFor("The code word was heron.")
            try await second.waitFor(Self.prompt)
            let request = try #require(server.requests.dropFirst().first)
            #expect(request.bodyText.contains("remember the code word heron"))
            #expect(request.bodyText.contains("Noted: the code word is heron."))

            // /reset starts another conversation; /sessions lists both; /load goes back to the first.
            second.sendLine("/reset")
            try await second.waitFor(Self.prompt)
            second.sendLine("something else")
            try await second.waitFor("A fresh start.")
            try await second.waitFor(Self.prompt)
            #expect(!(server.requests.dropFirst(2).first?.bodyText.contains("heron") ?? true))
            second.sendLine("/sessions")
            let listing = try await second.waitFor("/load ID continues one.")
            let rows = listing.split(separator: "\r\n").filter { $0.contains("conv_") }
            #expect(rows.count == 2)
            let heron = try #require(rows.first { $0.contains("remember the code word heron") })
            #expect(heron.contains("2 prompts"))
            let id = try #require(heron.split(separator: " ").first { $0.hasPrefix("conv_") })
            second.sendLine("/load \(id)")
            try await second.waitFor("Loaded \(id) (4 messages)")
            try await second.waitFor(Self.prompt)
            second.sendLine("and again?")
            try await second.waitFor("Back to the heron.")
            try await second.waitFor(Self.prompt)
            #expect(server.requests.last?.bodyText.contains("what was the code word?") == true)
            second.sendControlD()
            #expect(try await second.waitForExit() == 0)

            let unknown = try workspace.startChat(arguments: ["--resume", "conv_nope"], environment: environment)
            #expect(try await unknown.waitForExit() == 2)
            #expect(unknown.output.contains("no conversation `conv_nope`"))
        }
    }
}
