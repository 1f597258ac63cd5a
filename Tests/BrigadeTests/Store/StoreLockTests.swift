import Brigade
@testable import BrigadeCore
import BrigadeSync
import BrigadeTesting
import Foundation
import Testing

/// The store while another connection holds the database's write lock: a second SQLite connection
/// in the test takes the lock, the store is created, migrated or written meanwhile, and the test lets
/// go only once the store has been seen waiting (its `onBusy` probe) — so every test proves a wait,
/// and nothing may be lost.
@Suite("Run store under another connection's lock", .timeLimit(.minutes(1)))
struct StoreLockTests {
    /// Counts the store's waits for a lock.
    final class BusyProbe: Sendable {
        let waits = LockedState(0)
        func waited() { waits.withLock { $0 += 1 } }
        func waitForAWait() async throws { try await waits.wait { $0 > 0 } }
    }

    /// The default busy timeout is far beyond the suite's time limit: however long a loaded machine
    /// keeps the test from letting go of the lock, the store is still waiting when it does.
    func configuration(_ path: String, probe: BusyProbe, busyTimeout: Duration = .seconds(600)) -> RunStore.Configuration {
        var configuration = RunStore.Configuration(path: path, busyTimeout: busyTimeout)
        configuration.onBusy = { probe.waited() }
        return configuration
    }

    /// Opens the store on a thread of its own: opening blocks while it waits for the lock.
    func open(_ configuration: RunStore.Configuration) async -> Result<RunStore, RunStoreError> {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: Result { () throws(RunStoreError) -> RunStore in try RunStore(configuration: configuration) })
            }
        }
    }

    func recordOneRun(_ store: RunStore, prompt: String) async throws -> RunID {
        let model = ScriptedModelClient([
            .toolCalls([call("echo", #"{"text":"alpha"}"#, id: "a")], text: "Looking."),
            .answer("alpha"),
        ])
        var configuration = try makeAgent(model, tools: [TestTools.echo()]).configuration
        configuration.store = store
        let agent = Agent(registry: try ToolRegistry([TestTools.echo()]), configuration: configuration, logger: .quiet)
        return try #require(await agent.run(prompt).runID)
    }

    func expectComplete(_ store: RunStore, _ id: RunID, prompt: String) throws {
        let record = try store.record(of: id)
        #expect(record.run.prompt == prompt && record.run.state == .finished)
        #expect(record.calls.map(\.result) == ["alpha"])
        #expect(record.turns.map(\.text) == ["Looking.", "alpha"])
        #expect(record.events.compactMap { $0["type"]?.stringValue }.last == "finished")
    }

    /// A new file whose write lock another connection holds (as a second process creating the same
    /// store at that moment does): `PRAGMA journal_mode = WAL` needs the lock while it already
    /// reads, so SQLite's busy handler is not called and it fails at once — the store retries it.
    @Test func aStoreCreatedWhileAnotherConnectionWritesWaitsForTheLock() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/runs.sqlite"
        let holder = try SQLiteConnection(path: path)
        try holder.execute("BEGIN IMMEDIATE")
        let probe = BusyProbe()
        async let opened = open(configuration(path, probe: probe))
        try await probe.waitForAWait()
        try holder.execute("COMMIT")
        let store = try await opened.get()

        let mode = try store.read { connection throws(SQLiteError) in try connection.query("PRAGMA journal_mode") { $0.text(0) }.first ?? nil }
        #expect(mode == "wal")
        let id = try await recordOneRun(store, prompt: "after the wait")
        #expect(await store.flush() == nil)
        try expectComplete(store, id, prompt: "after the wait")
    }

    /// An older store, locked by another writer while this one migrates it.
    @Test func aMigrationWaitsForAnotherWritersLock() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/runs.sqlite"
        let holder = try SQLiteConnection(path: path)
        try holder.execute("PRAGMA journal_mode = WAL")
        try StoreSchema.migrate(holder, to: 1)
        try holder.run("INSERT INTO runs (id, surface, state, prompt, started_at) VALUES ('run_old', 'ask', 'finished', 'old prompt', 1)")
        try holder.execute("BEGIN EXCLUSIVE")
        let probe = BusyProbe()
        async let opened = open(configuration(path, probe: probe))
        try await probe.waitForAWait()
        try holder.execute("COMMIT")
        let store = try await opened.get()
        #expect(try store.read { connection throws(SQLiteError) in try connection.integer("PRAGMA user_version") } == StoreSchema.currentVersion)
        #expect(try store.runs().map(\.prompt) == ["old prompt"])
    }

    /// Records queued while another process writes: the batch waits, then commits — every record kept.
    @Test func batchesWaitForAnotherWritersLockAndLoseNothing() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/runs.sqlite"
        let probe = BusyProbe()
        let store = try RunStore(configuration: configuration(path, probe: probe))
        let holder = try SQLiteConnection(path: path)
        try holder.execute("BEGIN IMMEDIATE")
        let id = try await recordOneRun(store, prompt: "while locked")
        try await probe.waitForAWait()
        #expect(try store.runs().isEmpty) // nothing committed yet: the writer is waiting
        try holder.execute("COMMIT")
        #expect(await store.flush() == nil)
        try expectComplete(store, id, prompt: "while locked")
    }

    /// A lock held past the busy timeout: the store says so (it is not silently lost), and the
    /// batches after it are still written once the lock is gone.
    @Test func aLockHeldPastTheBusyTimeoutIsReportedAndLaterRunsAreKept() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/runs.sqlite"
        let probe = BusyProbe()
        let store = try RunStore(configuration: configuration(path, probe: probe, busyTimeout: .milliseconds(100)))
        let holder = try SQLiteConnection(path: path)
        try holder.execute("BEGIN IMMEDIATE")
        _ = try await recordOneRun(store, prompt: "lost")
        let failure = await store.flush()
        #expect(failure?.code == .unavailable)
        #expect(failure?.message.contains("stayed locked by another process") == true, "\(String(describing: failure))")
        #expect(failure?.message.contains(path) == true)

        let refused = await open(configuration(path, probe: probe, busyTimeout: .milliseconds(100)))
        #expect(throws: RunStoreError.self) { try refused.get() }

        try holder.execute("COMMIT")
        let id = try await recordOneRun(store, prompt: "kept")
        _ = await store.flush()
        try expectComplete(store, id, prompt: "kept")
    }
}
