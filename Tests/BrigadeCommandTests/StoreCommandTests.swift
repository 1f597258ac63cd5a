import Brigade
import BrigadeTesting
import Foundation
import Testing

/// The run store through the `brigade` binary: several processes writing one store, `log`,
/// `sessions`, `ask --continue`, and a store that cannot be used.
@Suite("brigade log and sessions", .timeLimit(.minutes(3)))
struct StoreCommandTests {
    @Test func concurrentProcessesWriteOneStoreAndTheLogFindsTheirRuns() async throws {
        try await withFakeModelServer { server in
            for index in 1...4 { server.enqueue(.text("answer \(index)", usage: TokenUsage(inputTokens: 1000, outputTokens: 100))) }
            let folder = try TemporaryFolder()
            try folder.writeFakeModelConfig(server)
            let path = folder.path
            let outcomes = try await withThrowingTaskGroup(of: Brigade.Outcome.self) { group in
                for index in 1...4 {
                    group.addTask { try await Brigade.run(["ask", "question \(index)"], in: path, environment: ["FAKE_KEY": "k"]) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.allSatisfy { $0.status == 0 }, "\(outcomes.map(\.standardError))")
            #expect(outcomes.allSatisfy { !$0.standardError.contains("not recorded") }, "\(outcomes.map(\.standardError))")

            let log = try await Brigade.run(["log", "--json"], in: path)
            #expect(log.status == 0, "\(log.standardError)")
            let runs = try ndjsonLines(log.standardOutput)
            #expect(runs.count == 4)
            #expect(Set(runs.compactMap { $0["prompt"]?.stringValue }) == ["question 1", "question 2", "question 3", "question 4"])
            #expect(runs.allSatisfy { $0["state"]?.stringValue == "finished" && $0["source"]?.stringValue == "ask" })

            let search = try await Brigade.run(["log", "--search", "QUESTION 3", "--json"], in: path)
            #expect(try ndjsonLines(search.standardOutput).compactMap { $0["prompt"]?.stringValue } == ["question 3"])
            let none = try await Brigade.run(["log", "--since", "2099-01-01"], in: path)
            #expect(none.standardOutput == "No runs match.\n")
            let text = try await Brigade.run(["log"], in: path)
            #expect(text.standardOutput.split(separator: "\n").count == 4)
            #expect(text.standardOutput.contains("\"question 2\""))

            let cost = try await Brigade.run(["log", "cost", "--since", "7d", "--json"], in: path)
            let models = try ndjsonLines(cost.standardOutput)
            #expect(models.count == 1)
            #expect(models.first?["runs"] == .integer(4))
            #expect(models.first?["usage"]?["input_tokens"] == .integer(4000))
            #expect(abs((models.first?["cost_usd"]?.doubleValue ?? 0) - 4 * 0.0012) < 1e-9)
            let table = try await Brigade.run(["log", "cost"], in: path)
            #expect(table.standardOutput.contains("total"), "\(table.standardOutput)")
            #expect(table.standardOutput.contains("$0.0048"), "\(table.standardOutput)")

            let id = try #require(runs.first?["id"]?.stringValue)
            let show = try await Brigade.run(["log", "show", id], in: path)
            #expect(show.status == 0)
            #expect(show.standardOutput.contains("run      \(id)"))
            #expect(show.standardOutput.contains("answer:"))
            let unknown = try await Brigade.run(["log", "show", "run_nope"], in: path)
            #expect(unknown.status == 2)
            #expect(unknown.standardError.contains("no run `run_nope`"))
        }
    }

    /// Several processes creating one new store at the same moment, again and again: every one
    /// records its run (the first-creation steps — journal mode, migration — wait for each other).
    @Test func manyProcessesCreatingOneFreshStoreAllRecordTheirRuns() async throws {
        let processes = 6
        try await withFakeModelServer { server in
            for round in 1...3 {
                for index in 1...processes { server.enqueue(.text("answer \(round).\(index)")) }
                let folder = try TemporaryFolder()
                try folder.writeFakeModelConfig(server)
                let path = folder.path
                let outcomes = try await withThrowingTaskGroup(of: Brigade.Outcome.self) { group in
                    for index in 1...processes {
                        group.addTask { try await Brigade.run(["ask", "round \(round) question \(index)"], in: path, environment: ["FAKE_KEY": "k"]) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(outcomes.allSatisfy { $0.status == 0 && !$0.standardError.contains("brigade:") }, "round \(round): \(outcomes.map(\.standardError))")
                let log = try await Brigade.run(["log", "--json"], in: path)
                let prompts = try ndjsonLines(log.standardOutput).compactMap { $0["prompt"]?.stringValue }
                #expect(Set(prompts) == Set((1...processes).map { "round \(round) question \($0)" }), "round \(round): \(prompts)")
            }
        }
    }

    @Test func askContinueAddsATurnToTheLatestConversation() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.text("The capital is Paris."), .text("About two million."))
            let folder = try TemporaryFolder()
            try folder.writeFakeModelConfig(server)
            let first = try await Brigade.run(["ask", "capital of France?"], in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(first.status == 0, "\(first.standardError)")
            let second = try await Brigade.run(["ask", "--continue", "and its population?"], in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(second.status == 0, "\(second.standardError)")
            let request = try #require(server.requests.dropFirst().first)
            #expect(request.bodyText.contains("capital of France?") && request.bodyText.contains("The capital is Paris."))

            let list = try await Brigade.run(["sessions", "list", "--json"], in: folder.path)
            let conversations = try ndjsonLines(list.standardOutput)
            #expect(conversations.count == 1)
            #expect(conversations.first?["runs"] == .integer(2))
            #expect(conversations.first?["title"]?.stringValue == "capital of France?")
            let id = try #require(conversations.first?["id"]?.stringValue)

            let markdown = try await Brigade.run(["sessions", "export", id, "--format", "md"], in: folder.path)
            #expect(markdown.standardOutput.hasPrefix("# capital of France?"))
            #expect(markdown.standardOutput.contains("## User\n\nand its population?"))
            #expect(markdown.standardOutput.contains("About two million."))
            let json = try await Brigade.run(["sessions", "export", String(id.prefix(10)), "--format", "json"], in: folder.path)
            #expect(try JSONValue(parsing: json.standardOutput)["messages"]?.arrayValue?.count == 4)

            let missing = try await Brigade.run(["ask", "--session", "conv_nope", "x"], in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(missing.status == 2)
            #expect(missing.standardError.contains("no conversation `conv_nope`"))

            let removed = try await Brigade.run(["sessions", "rm", id], in: folder.path)
            #expect(removed.status == 0 && removed.standardOutput == "Removed \(id).\n")
            let empty = try await Brigade.run(["sessions"], in: folder.path)
            #expect(empty.standardOutput.hasPrefix("No conversations recorded yet"))
            #expect(try await Brigade.run(["log", "--json"], in: folder.path).standardOutput.isEmpty)
        }
    }

    @Test func aStoreThatCannotBeUsedLetsTheRunHappenAndSaysSo() async throws {
        let folder = try TemporaryFolder()
        // /proc takes no new folders, whoever asks: a read-only location.
        try folder.write("config.yaml", "routing: static\nstore:\n  path: /proc/self/no-such-folder/runs.sqlite\n")
        let readOnly = try await Brigade.run(["ask", "write me a sonnet"], in: folder.path)
        #expect(readOnly.status == 3)
        #expect(readOnly.standardOutput.contains("No route matches"))
        #expect(readOnly.standardError.contains("brigade: runs are not recorded: cannot create the folder of the run store /proc/self/no-such-folder/runs.sqlite"))

        try folder.write("notes.sqlite", "my notes\n")
        try folder.write("config.yaml", "routing: static\nstore:\n  path: notes.sqlite\n")
        let corrupt = try await Brigade.run(["ask", "write me a sonnet"], in: folder.path)
        #expect(corrupt.status == 3)
        #expect(corrupt.standardError.contains("\(folder.path)/notes.sqlite is not a run store"))
        #expect(String(decoding: FileManager.default.contents(atPath: folder.path + "/notes.sqlite") ?? Data(), as: UTF8.self) == "my notes\n")
        let log = try await Brigade.run(["log"], in: folder.path)
        #expect(log.status == 1)
        #expect(log.standardError.contains("notes.sqlite is not a run store"))
    }

    /// Without a store, even `--quiet` says so; with `store.required`, a run that cannot be recorded
    /// is not run (exit 1).
    @Test func aRequiredStoreThatCannotBeUsedFailsTheCommand() async throws {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", "routing: static\nstore:\n  path: /proc/self/no-such-folder/runs.sqlite\n")
        let quiet = try await Brigade.run(["ask", "--quiet", "write me a sonnet"], in: folder.path)
        #expect(quiet.status == 3)
        #expect(quiet.standardError.contains("brigade: runs are not recorded"), "\(quiet.standardError)")

        try folder.write("config.yaml", "routing: static\nstore:\n  path: /proc/self/no-such-folder/runs.sqlite\n  required: true\n")
        let refused = try await Brigade.run(["ask", "write me a sonnet"], in: folder.path)
        #expect(refused.status == 1)
        #expect(refused.standardOutput.isEmpty)
        #expect(refused.standardError.contains("the run store is required (`store.required`) and cannot be used, so nothing was run"), "\(refused.standardError)")

        try folder.write("config.yaml", "routing: static\nstore:\n  required: true\n")
        let first = try await Brigade.run(["ask", "write me a sonnet"], in: folder.path)
        #expect(first.status == 3, "\(first.standardError)")
        let limited = try await Brigade.run(
            ["sh", "-c", "ulimit -f 1; exec \"$0\" ask 'write me a limerick'", Brigade.path], in: folder.path, executable: "/bin/sh")
        // A 1-block file-size limit: the store's shared-memory file cannot grow, so it cannot be opened.
        #expect(limited.status == 1, "\(limited.standardError)")
        #expect(limited.standardOutput.isEmpty)
        #expect(limited.standardError.contains("the run store is required"), "\(limited.standardError)")
    }

    @Test func aFullDiskLosesTheRecordNotTheRun() async throws {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", "routing: static\n")
        let first = try await Brigade.run(["ask", "write me a sonnet"], in: folder.path)
        #expect(first.status == 3 && !first.standardError.contains("not recorded"))
        // A 1-block file-size limit: every write past 512 bytes fails with EFBIG, as on a full disk.
        let limited = try await Brigade.run(
            ["sh", "-c", "ulimit -f 1; exec \"$0\" ask 'write me a limerick'", Brigade.path], in: folder.path, executable: "/bin/sh")
        #expect(limited.status == 3, "\(limited.standardError)")
        #expect(limited.standardOutput.contains("No route matches"))
        #expect(limited.standardError.contains("not recorded"), "\(limited.standardError)")
        let log = try await Brigade.run(["log", "--json"], in: folder.path)
        #expect(try ndjsonLines(log.standardOutput).compactMap { $0["prompt"]?.stringValue } == ["write me a sonnet"])
    }

    @Test func noStoreAndStoreOffRecordNothing() async throws {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", "routing: static\n")
        _ = try await Brigade.run(["--no-store", "ask", "write me a sonnet"], in: folder.path)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/.state/brigade/runs.sqlite"))
        try folder.write("config.yaml", "routing: static\nstore: off\n")
        _ = try await Brigade.run(["ask", "write me a sonnet"], in: folder.path)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/.state/brigade/runs.sqlite"))
        let log = try await Brigade.run(["log"], in: folder.path)
        #expect(log.status == 2)
        #expect(log.standardError.contains("the run store is off"))
        try folder.write("config.yaml", "routing: static\n")
        _ = try await Brigade.run(["ask", "write me a sonnet"], in: folder.path)
        #expect(FileManager.default.fileExists(atPath: folder.path + "/.state/brigade/runs.sqlite"))
    }
}
