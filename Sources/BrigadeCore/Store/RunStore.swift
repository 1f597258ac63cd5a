import CSQLite
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The run store: every run, its turns, tool calls, events and spend, and the conversations they
/// belong to, in one SQLite file (WAL mode, safe for several processes at once).
///
/// Open one per process and give it to the runtime (``Agent/Configuration/store``): every run of the
/// agent is then recorded. Recording never slows or breaks a run: records are queued and committed in
/// batches on the store's own thread; when the file cannot be written (read-only, disk full) the runs
/// go on and ``flush()`` says the record was not kept.
///
/// ```swift
/// let store = try RunStore(configuration: RunStore.Configuration(path: RunStore.defaultPath()))
/// var configuration = workspace.agentConfiguration()
/// configuration.store = store
/// let agent = Agent(registry: workspace.registry, configuration: configuration, logger: logger)
/// _ = await agent.respond("…")
/// if let failure = await store.flush() { print("not recorded: \(failure)") }
/// ```
public final class RunStore: Sendable {
    /// Where the store lives and what it keeps.
    public struct Configuration: Sendable {
        /// The database file (its folder is created, mode 0700).
        public var path: String
        /// Secret values (API keys, configured secrets) replaced by `[redacted]` in everything stored.
        public var secrets: [String]
        /// The most bytes of one tool result that are kept (the rest is cut with a note).
        public var maxResultBytes: Int
        /// Runs older than this many days are deleted when the store opens; `nil` keeps them.
        public var keepDays: Int?
        /// Only the newest this many runs are kept when the store opens; `nil` keeps them all.
        public var keepRuns: Int?
        /// How long a write waits for another process's transaction before giving up.
        public var busyTimeout: Duration
        /// Called each time the store waits for another connection's lock (tests prove a wait with it).
        package var onBusy: (@Sendable () -> Void)?

        public init(
            path: String,
            secrets: [String] = [],
            maxResultBytes: Int = 16_384,
            keepDays: Int? = nil,
            keepRuns: Int? = nil,
            busyTimeout: Duration = .seconds(10)
        ) {
            self.path = path
            self.secrets = secrets
            self.maxResultBytes = maxResultBytes
            self.keepDays = keepDays
            self.keepRuns = keepRuns
            self.busyTimeout = busyTimeout
        }
    }

    public let configuration: Configuration
    let redactor: SecretRedactor
    let writer: StoreWriter
    private let reader: Mutex<SQLiteConnection?>

    /// The database file.
    public var path: String { configuration.path }

    /// Opens the store at ``Configuration/path``, creating it (and its folder) when missing, migrating
    /// an older schema, and applying the retention settings.
    /// - Throws: ``RunStoreError`` — `corrupt` or `foreignFile` for a file that is not a Brigade store
    ///   (left untouched), `newerSchema`, or `unavailable` when the file cannot be created or written.
    public init(configuration: Configuration) throws(RunStoreError) {
        self.configuration = configuration
        redactor = SecretRedactor(secrets: configuration.secrets)
        let connection = try Self.openWriter(configuration)
        writer = StoreWriter(connection: connection, path: configuration.path)
        reader = Mutex(nil)
    }

    /// `$XDG_STATE_HOME/brigade/runs.sqlite`, or `~/.local/state/brigade/runs.sqlite`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let state = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? ((environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path) + "/.local/state")
        return state + "/brigade/runs.sqlite"
    }

    private static func openWriter(_ configuration: Configuration) throws(RunStoreError) -> SQLiteConnection {
        let path = configuration.path
        let folder = path.deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw RunStoreError(.unavailable, path: path, "cannot create the folder of the run store \(path): \(describeFileError(error))")
            }
        }
        let connection: SQLiteConnection
        do {
            connection = try SQLiteConnection(path: path, busyTimeout: configuration.busyTimeout, onBusy: configuration.onBusy)
        } catch {
            throw RunStoreError(sqlite: error, path: path)
        }
        // Nothing is written (not even the journal mode) before the file is known to be ours. SQLite
        // checks the header under its own lock, so a file that another process is creating at this
        // moment is never mistaken for a foreign one.
        try StoreSchema.checkIdentity(connection)
        do throws(SQLiteError) {
            // Waiting for the write lock here is not left to SQLite's busy handler (see
            // `retryingWhileBusy`): several processes creating one store at once all switch it.
            let mode = try connection.retryingWhileBusy { () throws(SQLiteError) -> String? in
                try connection.query("PRAGMA journal_mode = WAL") { $0.text(0) }.first ?? nil
            }
            guard mode?.lowercased() == "wal" else {
                throw SQLiteError(code: SQLITE_ERROR, message: "the file cannot be put in WAL mode (journal mode \(mode ?? "unknown"))")
            }
            try connection.execute("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON")
        } catch {
            throw RunStoreError(sqlite: error, path: path)
        }
        try StoreSchema.migrate(connection)
        do {
            try connection.retryingWhileBusy { () throws(SQLiteError) -> Void in
                try StoreRetention.apply(connection, keepDays: configuration.keepDays, keepRuns: configuration.keepRuns, now: Date().timeIntervalSince1970)
            }
        } catch {
            throw RunStoreError(sqlite: error, path: path)
        }
        return connection
    }

    /// Waits until every record queued so far is committed.
    /// - Returns: `nil` when everything was kept; otherwise the first failure since the store opened
    ///   (the records queued after it were not kept).
    public func flush() async -> RunStoreError? {
        await writer.flush()
    }

    /// Runs `body` on the store's reading connection (opened on first use).
    func read<T>(_ body: (SQLiteConnection) throws(SQLiteError) -> T) throws(RunStoreError) -> T {
        let path = configuration.path
        let timeout = configuration.busyTimeout
        let result: Result<T, SQLiteError> = reader.withLock { reader in
            do throws(SQLiteError) {
                if reader == nil { reader = try SQLiteConnection(path: path, readOnly: true, busyTimeout: timeout) }
                let connection = reader!
                let start = ContinuousClock.now
                var attempt = 0
                while true {
                    do throws(SQLiteError) {
                        return .success(try body(connection))
                    } catch {
                        // As `SQLiteConnection.retryingWhileBusy`, inline: `body` cannot be captured here.
                        guard error.isBusy, connection.busyWait.pause(attempt: attempt, since: start) else { throw error }
                        attempt += 1
                    }
                }
            } catch {
                return .failure(error)
            }
        }
        do {
            return try result.get()
        } catch {
            throw RunStoreError(sqlite: error, path: path)
        }
    }

    /// Queues `write` for the next batch.
    func enqueue(_ write: @escaping StoreWriter.Write) {
        writer.enqueue(write)
    }

    /// Runs `body` at once, in its own transaction, on the writing connection (for the few writes a
    /// caller must see the outcome of: claims, decisions, deletions). Waits for queued records first.
    func writeNow<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws(SQLiteError) -> T) async throws(RunStoreError) -> T {
        try await writer.writeNow(body)
    }

    /// `text` with secrets redacted.
    func clean(_ text: String) -> String {
        redactor.isEmpty ? text : redactor.redact(text)
    }
}
