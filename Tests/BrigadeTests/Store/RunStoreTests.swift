import Brigade
@testable import BrigadeCore
import BrigadeTesting
import Foundation
import Testing

@Suite("Run store", .timeLimit(.minutes(1)))
struct RunStoreTests {
    static let secret = "sk-test-0123456789abcdefSECRET"

    func openStore(_ folder: TemporaryFolder, secrets: [String] = []) throws -> RunStore {
        try RunStore(configuration: RunStore.Configuration(path: folder.path + "/state/brigade/runs.sqlite", secrets: secrets))
    }

    func agent(_ model: ScriptedModelClient, store: RunStore, tools: [Tool] = [TestTools.echo()]) throws -> Agent {
        var configuration = try makeAgent(model, tools: tools, pricing: ModelPricing(inputPerMillion: 1, outputPerMillion: 2)).configuration
        configuration.store = store
        return Agent(registry: try ToolRegistry(tools), configuration: configuration, logger: .quiet)
    }

    @Test func aRunIsRecordedWithItsTurnsCallsEventsAndSpend() async throws {
        let folder = try TemporaryFolder()
        let store = try openStore(folder)
        let model = ScriptedModelClient([
            .toolCalls([call("echo", #"{"text":"alpha"}"#, id: "a"), call("echo", #"{"text":"beta"}"#, id: "b")],
                       text: "Looking.", usage: TokenUsage(inputTokens: 100, outputTokens: 10)),
            .answer("alpha and beta", usage: TokenUsage(inputTokens: 200, outputTokens: 20)),
        ], displayName: "openai:test-model")
        let result = try await agent(model, store: store).run("echo two words", options: RunOptions(source: "test"))
        #expect(await store.flush() == nil)

        let record = try store.record(of: try #require(result.runID))
        #expect(record.run.prompt == "echo two words")
        #expect(record.run.source == "test")
        #expect(record.run.model == "openai:test-model")
        #expect(record.run.state == .finished && record.run.stopReason == "finished")
        #expect(record.run.answer == "alpha and beta")
        #expect(record.run.usage.inputTokens == 300 && record.run.usage.outputTokens == 30)
        #expect(abs(record.run.costUSD - result.costUSD) < 1e-12 && result.costUSD > 0)
        #expect(record.run.turns == 2 && record.run.toolCalls == 2)
        #expect(record.calls.map(\.callID) == ["a", "b"])
        #expect(record.calls.map(\.arguments) == [#"{"text":"alpha"}"#, #"{"text":"beta"}"#])
        #expect(record.calls.map(\.result) == ["alpha", "beta"])
        #expect(record.calls.allSatisfy { $0.status == .ok && $0.turn == 1 })
        #expect(record.turns.map(\.text) == ["Looking.", "alpha and beta"])
        let types = record.events.compactMap { $0["type"]?.stringValue }
        #expect(types.first == "turn_started" && types.last == "finished")
        #expect(types.filter { $0 == "tool_call_finished" }.count == 2)
        #expect(!types.contains("text_delta"))
        #expect(record.events.allSatisfy { $0["run_id"]?.stringValue == result.runID?.rawValue })
        #expect(record.messages.count == 4)
        #expect(try store.runs().map(\.id) == [result.runID])
    }

    /// Calls are listed in the order the model asked for them, not the order they finished in: the
    /// first call waits until the second has finished (and so was recorded first).
    @Test func callsAreListedInTheModelsOrderWhateverOrderTheyFinishIn() async throws {
        let folder = try TemporaryFolder()
        let store = try openStore(folder)
        let secondFinished = Latch()
        let late = Tool(name: "late", description: "Finishes after `early`.", parameters: ["type": "object"]) { _, _ in
            try await secondFinished.wait()
            return ToolOutput(text: "late")
        }
        let model = ScriptedModelClient([
            .toolCalls([call("late", id: "first"), call("echo", #"{"text":"early"}"#, id: "second")]),
            .answer("done"),
        ])
        let result = try await agent(model, store: store, tools: [late, TestTools.echo()]).run("go", options: RunOptions()) { event in
            if case .toolCallFinished(let outcome) = event, outcome.call.id == "second" { secondFinished.open() }
        }
        #expect(await store.flush() == nil)
        let record = try store.record(of: try #require(result.runID))
        #expect(record.calls.map(\.callID) == ["first", "second"])
        #expect(record.calls.map(\.result) == ["late", "early"])
    }

    @Test func aSessionIsRecordedAsOneConversation() async throws {
        let folder = try TemporaryFolder()
        let store = try openStore(folder)
        let model = ScriptedModelClient([.answer("first answer"), .answer("second answer")])
        let agent = try agent(model, store: store)
        let session = AgentSession()
        _ = try await agent.run("first question", options: RunOptions(session: session))
        _ = try await agent.run("second question", options: RunOptions(session: session))
        #expect(await store.flush() == nil)

        let conversations = try store.conversations()
        #expect(conversations.map(\.id) == [session.id])
        #expect(conversations.first?.title == "first question" && conversations.first?.runs == 2)
        let stored = try store.conversation(String(session.id.prefix(12)))
        #expect(stored.messages == session.messages)
        #expect(try store.latestConversation()?.id == session.id)
        #expect(try store.runs(RunStore.RunQuery(conversationID: session.id)).count == 2)

        try await store.deleteConversation(session.id)
        #expect(try store.conversations().isEmpty)
        #expect(try store.runs().isEmpty)
        #expect(throws: RunStoreError.self) { try store.conversation(session.id) }
    }

    @Test func secretsAreRedactedFromEverythingStored() async throws {
        let folder = try TemporaryFolder()
        let store = try openStore(folder, secrets: [Self.secret])
        let model = ScriptedModelClient([
            .toolCalls([call("echo", #"{"text":"key \#(Self.secret.uppercased())"}"#, id: "a")]),
            .answer("the key was \(Self.secret)"),
        ])
        _ = try await agent(model, store: store).run("use \(Self.secret.prefix(12)) and \(Self.secret)", options: RunOptions())
        #expect(await store.flush() == nil)
        let run = try #require(try store.runs().first)
        let record = try store.record(of: run.id)
        #expect(record.json.jsonString.contains("[redacted]"))
        // Neither the whole key nor any 8-byte piece of it is in the file or its write-ahead log.
        var bytes = Data()
        for suffix in ["", "-wal"] { bytes += FileManager.default.contents(atPath: store.path + suffix) ?? Data() }
        let text = String(decoding: bytes, as: UTF8.self).lowercased()
        #expect(!text.contains("0123456789abcdef"))
        #expect(!text.contains(Self.secret.lowercased()))
    }

    @Test func anOlderSchemaIsMigratedAndItsRunsKept() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/runs.sqlite"
        do {
            let old = try SQLiteConnection(path: path)
            try StoreSchema.migrate(old, to: 1)
            try old.run("INSERT INTO runs (id, surface, state, prompt, started_at, stop_reason) VALUES ('run_old', 'ask', 'finished', 'old prompt', 1, 'finished')")
            #expect(try old.integer("PRAGMA user_version") == 1)
        }
        let store = try RunStore(configuration: RunStore.Configuration(path: path))
        #expect(try store.runs().map(\.prompt) == ["old prompt"])
        let version = try store.read { connection throws(SQLiteError) in try connection.integer("PRAGMA user_version") }
        #expect(version == StoreSchema.currentVersion)
        let columns = try store.read { connection throws(SQLiteError) in
            try connection.query("SELECT name FROM pragma_table_info('runs')") { $0.text(0) ?? "" }
        }
        #expect(columns.contains("checkpoint") && columns.contains("owner_pid"))
    }

    @Test func aNewerSchemaIsRefused() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/runs.sqlite"
        do {
            let newer = try SQLiteConnection(path: path)
            try StoreSchema.migrate(newer)
            try newer.execute("PRAGMA user_version = \(StoreSchema.currentVersion + 5)")
        }
        let error = #expect(throws: RunStoreError.self) { try RunStore(configuration: RunStore.Configuration(path: path)) }
        #expect(error?.code == .newerSchema)
    }

    @Test func aCorruptOrForeignFileIsNamedAndLeftUntouched() throws {
        let folder = try TemporaryFolder()
        let garbage = try folder.write("garbage.sqlite", "these are my notes, not a database\n")
        let before = FileManager.default.contents(atPath: garbage)
        let corrupt = #expect(throws: RunStoreError.self) { try RunStore(configuration: RunStore.Configuration(path: garbage)) }
        #expect(corrupt?.code == .corrupt)
        #expect(corrupt?.message.contains(garbage) == true)
        #expect(FileManager.default.contents(atPath: garbage) == before)

        let foreign = folder.path + "/other.sqlite"
        do {
            let other = try SQLiteConnection(path: foreign)
            try other.execute("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup')")
        }
        let foreignBefore = FileManager.default.contents(atPath: foreign)
        let refused = #expect(throws: RunStoreError.self) { try RunStore(configuration: RunStore.Configuration(path: foreign)) }
        #expect(refused?.code == .foreignFile)
        #expect(refused?.message.contains(foreign) == true)
        #expect(FileManager.default.contents(atPath: foreign) == foreignBefore)
    }

    @Test func retentionDeletesOldRunsWhenTheStoreOpens() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/runs.sqlite"
        do {
            let connection = try SQLiteConnection(path: path)
            try StoreSchema.migrate(connection)
            let now = Date().timeIntervalSince1970
            for (index, age) in [40.0, 20, 1, 0.5, 0.1].enumerated() {
                try connection.run("INSERT INTO runs (id, surface, state, prompt, started_at) VALUES (?, 'ask', 'finished', ?, ?)",
                                   [.text("run_\(index)"), .text("p\(index)"), .real(now - age * 86_400)])
            }
        }
        let byAge = try RunStore(configuration: RunStore.Configuration(path: path, keepDays: 30))
        #expect(try byAge.runs().map(\.prompt) == ["p4", "p3", "p2", "p1"])
        let byCount = try RunStore(configuration: RunStore.Configuration(path: path, keepRuns: 2))
        #expect(try byCount.runs().map(\.prompt) == ["p4", "p3"])
    }

    @Test func searchSinceAndCostByModel() async throws {
        let folder = try TemporaryFolder()
        let store = try openStore(folder)
        for (prompt, name) in [("weather in Paris", "openai:a"), ("disk usage", "openai:b"), ("weather in Rome", "openai:a")] {
            let model = ScriptedModelClient([.answer("ok", usage: TokenUsage(inputTokens: 1000, outputTokens: 100))], displayName: name)
            _ = try await agent(model, store: store).run(prompt, options: RunOptions())
        }
        #expect(await store.flush() == nil)
        #expect(try store.runs(RunStore.RunQuery(search: "WEATHER")).map(\.prompt) == ["weather in Rome", "weather in Paris"])
        #expect(try store.runs(RunStore.RunQuery(since: Date().addingTimeInterval(3600))).isEmpty)
        let costs = try store.costByModel()
        #expect(costs.map(\.model) == ["openai:a", "openai:b"])
        #expect(costs.map(\.runs) == [2, 1])
        #expect(costs.first?.usage.inputTokens == 2000)
        #expect(abs((costs.first?.costUSD ?? 0) - 2 * (1000 * 1 + 100 * 2) / 1_000_000) < 1e-12)
    }
}
