import Brigade
import BrigadeTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `brigade chat` on a pseudo-terminal against the fake model server (OpenAI API on 127.0.0.1):
/// streamed text, live progress of parallel calls, Ctrl-C, approval, /trace, /budget, /save, resizing.
@Suite("Chat with a model", .timeLimit(.minutes(3)))
struct ChatModelTests {
    static let prompt = "> "

    @Test func textStreamsAsItArrivesAndCtrlCCancelsTheModelCall() async throws {
        try await withFakeModelServer { server in
            let workspace = try ChatTestWorkspace.withModel(server)
            // The stream stalls after a few pieces: what the terminal shows by then was streamed.
            server.enqueue(FakeTurn(text: "Streaming arrives piece by piece, then stalls.", fault: .stall(afterEvents: 3), textPieceSize: 5))
            server.enqueue(.text("Second answer."))
            let chat = try workspace.startChat(environment: workspace.environmentWithKey)
            try await chat.waitFor("model openai:fake-model")
            try await chat.waitFor(Self.prompt)
            chat.sendLine("tell me something")
            try await chat.waitFor("Strea")
            chat.sendControlC()
            try await chat.waitFor("stopped: cancelled (cancelled)")
            try await chat.waitFor(Self.prompt)
            #expect(!chat.output.contains("then stalls"))

            chat.sendLine("and now?")
            try await chat.waitFor("Second answer.")
            try await chat.waitFor("tokens ")
            try await chat.waitFor(Self.prompt)
            chat.sendControlD()
            #expect(try await chat.waitForExit() == 0)
        }
    }

    @Test func parallelCallsShowLiveLinesThenTicksSummaryTraceBudgetAndSave() async throws {
        try await withFakeModelServer { server in
            let workspace = try ChatTestWorkspace.withModel(server)
            server.enqueue(.toolCalls([
                FakeToolCall(name: "nap", arguments: #"{"seconds":1}"#),
                FakeToolCall(name: "nap", arguments: #"{"seconds":1.5}"#),
                FakeToolCall(name: "nap", arguments: #"{"seconds":2}"#),
            ], usage: TokenUsage(inputTokens: 1_000, outputTokens: 100)))
            server.enqueue(.text("Rested three times.", usage: TokenUsage(inputTokens: 1_200, outputTokens: 20)))
            let chat = try workspace.startChat(environment: workspace.environmentWithKey.merging(["NO_COLOR": "1"]) { $1 })
            try await chat.waitFor(Self.prompt)
            chat.sendLine("take three naps")
            // One live line per call with a spinner while it runs…
            try await chat.waitForSpinner("nap seconds=1 ")
            try await chat.waitForSpinner("nap seconds=1.5")
            try await chat.waitForSpinner("nap seconds=2")
            // …then ✓ with its duration, and the summary of the batch.
            let settled = try await chat.waitFor(" (sequential ")
            for seconds in ["1 ", "1.5", "2"] { #expect(settled.contains("✓ nap seconds=\(seconds)")) }
            #expect(settled.contains("3 calls in "))
            try await chat.waitFor("Rested three times.")
            // $1 and $2 per million: 2,200 input and 120 output tokens cost $0.00244.
            try await chat.waitFor("tokens 2,200 in + 120 out · $0.0024 · left $0.4976")
            try await chat.waitFor(Self.prompt)

            chat.sendLine("/trace")
            let trace = try await chat.waitFor(Self.prompt)
            #expect(trace.contains("2 model calls, 3 tool calls · sequential "))
            #expect(trace.contains(" = speed-up "))
            // A row per call, each with a bar of running time; one call is the one the turn waited for
            // (on the critical path), not the 1 s nap.
            let rows = trace.split(separator: "\r\n").filter { $0.contains(" nap (") }
            #expect(rows.count == 3)
            #expect(rows.allSatisfy { $0.contains("█") })
            let bars = rows.map { row in row.filter { $0 == "█" }.count }
            #expect(bars.count == 3 && bars[2] > bars[0])  // the 2 s nap runs longer than the 1 s one
            #expect(rows.filter { $0.contains("●") }.count == 1 && rows.first?.contains("●") == false)

            chat.sendLine("/budget")
            let budget = try await chat.waitFor("Caps apply to each prompt.")
            #expect(budget.contains("USD             $0.5000  $0.0024           $0.4976"))
            #expect(budget.contains("input tokens    none     2,200             unlimited"))
            #expect(budget.contains("tool calls      128      3                 125"))
            try await chat.waitFor("Session: 1 prompt, 2,200 in + 120 out tokens, $0.0024, 3 tool calls")
            try await chat.waitFor(Self.prompt)

            chat.sendLine("/save saved chat.json")
            try await chat.waitFor("Saved 4 messages to \(workspace.root)/saved chat.json.")
            try await chat.waitFor(Self.prompt)
            chat.sendControlD()
            #expect(try await chat.waitForExit() == 0)

            let saved = try JSONValue(parsing: workspace.read("saved chat.json") ?? "")
            guard case .array(let messages)? = saved["messages"] else {
                Issue.record("no messages in \(saved)")
                return
            }
            #expect(messages.map { $0["role"]?.stringValue } == ["user", "assistant", "tool", "assistant"])
            #expect(messages[3]["content"]?.stringValue == "Rested three times.")
            #expect(saved["model"]?.stringValue == "openai:fake-model")
        }
    }

    @Test func ctrlCCancelsTheTurnAndKillsTheToolProcesses() async throws {
        try await withFakeModelServer { server in
            let workspace = try ChatTestWorkspace.withModel(server)
            let ready = try workspace.openReadyPipe()
            server.enqueue(.toolCalls(["a", "b", "c"].map { FakeToolCall(name: "hold", arguments: #"{"name":"\#($0)"}"#) }))
            server.enqueue(.text("Still here."))
            let chat = try workspace.startChat(environment: workspace.environmentWithKey.merging(["NO_COLOR": "1"]) { $1 })
            try await chat.waitFor(Self.prompt)
            chat.sendLine("hold on")
            let processes = try await ready.waitForProcesses(3)
            #expect(processes.keys.sorted() == ["a", "b", "c"])
            for pid in processes.values { #expect(processExists(pid)) }
            try await chat.waitForSpinner("hold name=c")

            chat.sendControlC()
            let cancelled = try await chat.waitFor("stopped: cancelled (cancelled)")
            #expect(cancelled.components(separatedBy: "cancelled ").count >= 4)  // a ✗ line per call
            try await chat.waitFor(Self.prompt)
            for (name, pid) in processes { #expect(!processExists(pid), "\(name) (pid \(pid)) outlived the cancelled turn") }

            // The REPL goes on: the next prompt runs normally.
            chat.sendLine("are you there?")
            try await chat.waitFor("Still here.")
            try await chat.waitFor(Self.prompt)
            chat.sendControlD()
            #expect(try await chat.waitForExit() == 0)
        }
    }

    @Test func confirmToolsAskYesNoOrAlways() async throws {
        try await withFakeModelServer { server in
            let workspace = try ChatTestWorkspace.withModel(server)
            server.enqueue(.toolCalls([FakeToolCall(name: "danger")]), .text("Denied, fine."))
            server.enqueue(.toolCalls([FakeToolCall(name: "danger")]), .text("Done once."))
            server.enqueue(.toolCalls([FakeToolCall(name: "danger")]), .text("Done twice."))
            let chat = try workspace.startChat(environment: workspace.environmentWithKey)
            try await chat.waitFor(Self.prompt)

            chat.sendLine("do the dangerous thing")
            try await chat.waitFor("? [y]es / [n]o / [a]lways for this tool: ")
            chat.sendLine("maybe")
            try await chat.waitFor("Please answer y, n or a: ")
            chat.sendLine("n")
            let denied = try await chat.waitFor("Denied, fine.")
            #expect(denied.contains("denied"))
            try await chat.waitFor(Self.prompt)

            chat.sendLine("do it again")
            try await chat.waitFor("[a]lways for this tool: ")
            chat.sendLine("a")
            let approved = try await chat.waitFor("Done once.")
            #expect(approved.contains("✓"))
            try await chat.waitFor(Self.prompt)

            chat.sendLine("and once more")
            let third = try await chat.waitFor("Done twice.")
            #expect(!third.contains("[y]es / [n]o"))
            #expect(third.contains("✓"))
            try await chat.waitFor(Self.prompt)
            chat.sendControlD()
            #expect(try await chat.waitForExit() == 0)
        }
    }

    @Test func aResizeRedrawsTheLiveBlockAtTheNewWidth() async throws {
        try await withFakeModelServer { server in
            let workspace = try ChatTestWorkspace.withModel(server)
            let ready = try workspace.openReadyPipe()
            server.enqueue(.toolCalls([FakeToolCall(name: "hold", arguments: #"{"name":"a rather long argument that will not fit"}"#)]))
            let chat = try workspace.startChat(environment: workspace.environmentWithKey.merging(["NO_COLOR": "1"]) { $1 }, columns: 100)
            try await chat.waitFor(Self.prompt)
            chat.sendLine("hold on")
            _ = try await ready.waitForProcesses(1)
            try await chat.waitForSpinner("hold name=\"a rather long argument that will not fit\"")

            chat.resize(columns: 40, rows: 20)
            // After the resize, a redraw whose line fits in 39 columns: cut with an ellipsis, elapsed time
            // still at the end.
            let redraw = try await chat.waitUntil("a live line 39 columns wide") { bytes in
                let text = String(decoding: bytes, as: UTF8.self)
                guard let line = text.components(separatedBy: "\u{1B}[J").last?.split(separator: "\r\n").first,
                    line.contains("hold name=\"a rather"), line.contains("…"), line.hasSuffix(" s"),
                    line.count == 39
                else { return nil }
                return bytes.count
            }
            #expect(redraw.contains("\u{1B}[J"))
            chat.sendControlC()
            try await chat.waitFor("stopped: cancelled")
            try await chat.waitFor(Self.prompt)
            chat.sendControlD()
            #expect(try await chat.waitForExit() == 0)
        }
    }

    @Test func modelModeAndResetSwitchWhileTheConversationCarriesOver() async throws {
        try await withFakeModelServer { server in
            let workspace = try ChatTestWorkspace.withModel(server)
            server.enqueue(.text("First."), .text("Second."), .text("Third."))
            let chat = try workspace.startChat(environment: workspace.environmentWithKey)
            try await chat.waitFor(Self.prompt)
            chat.sendLine("one")
            try await chat.waitFor("First.")
            try await chat.waitFor(Self.prompt)

            chat.sendLine("/model bigger-model")
            try await chat.waitFor("model: bigger-model")
            chat.sendLine("/model")
            try await chat.waitFor("model: openai:bigger-model")
            chat.sendLine("/mode hybrid")
            try await chat.waitFor("mode: hybrid")
            try await chat.waitFor("[hybrid]")
            chat.sendLine("two")
            try await chat.waitFor("Second.")
            try await chat.waitFor(Self.prompt)

            chat.sendLine("/reset")
            try await chat.waitFor("Conversation forgotten.")
            chat.sendLine("three")
            try await chat.waitFor("Third.")
            try await chat.waitFor(Self.prompt)
            chat.sendControlD()
            #expect(try await chat.waitForExit() == 0)

            let requests = server.requests
            #expect(requests.map(\.model) == ["fake-model", "bigger-model", "bigger-model"])
            // The second request continues the conversation (system, user, assistant, user); after
            // /reset the third starts afresh (system, user).
            #expect(requests.map(\.messages.count) == [2, 4, 2])
        }
    }

    @Test func sigtermCancelsTheTurnKillsItsToolsAndEnds() async throws {
        try await withFakeModelServer { server in
            let workspace = try ChatTestWorkspace.withModel(server)
            let ready = try workspace.openReadyPipe()
            server.enqueue(.toolCalls(["a", "b"].map { FakeToolCall(name: "hold", arguments: #"{"name":"\#($0)"}"#) }))
            let chat = try workspace.startChat(environment: workspace.environmentWithKey)
            try await chat.waitFor(Self.prompt)
            chat.sendLine("hold on")
            let processes = try await ready.waitForProcesses(2)
            kill(chat.pid, SIGTERM)
            #expect(try await chat.waitForExit() == 128 + SIGTERM)
            for (name, pid) in processes { #expect(!processExists(pid), "\(name) (pid \(pid)) outlived SIGTERM") }
        }
    }
}
