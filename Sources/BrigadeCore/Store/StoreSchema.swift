/// The store's tables, versioned with SQLite's `user_version`: migration N brings a database from
/// version N-1 to N, inside the transaction that opens it. A database of a later version (a newer
/// Brigade) is refused, never downgraded.
enum StoreSchema {
    /// `PRAGMA application_id` of a Brigade run store ("BRGD"): a database with another id, or with
    /// tables and none, is somebody else's file and is never touched.
    static let applicationID = 0x4252_4744

    /// The migrations, in order; the schema version is their count.
    static let migrations: [String] = [version1, version2, version3, version4, version5]

    static var currentVersion: Int { migrations.count }

    /// Conversations, runs, turns, tool calls, events.
    static let version1 = """
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            model TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            messages TEXT NOT NULL DEFAULT '[]'
        );
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            parent_run_id TEXT,
            conversation_id TEXT REFERENCES conversations(id) ON DELETE SET NULL,
            surface TEXT NOT NULL,
            state TEXT NOT NULL,
            prompt TEXT NOT NULL,
            options TEXT NOT NULL DEFAULT '{}',
            model TEXT,
            answer TEXT,
            stop_reason TEXT,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cached_input_tokens INTEGER NOT NULL DEFAULT 0,
            cost_usd REAL NOT NULL DEFAULT 0,
            turns INTEGER NOT NULL DEFAULT 0,
            tool_calls INTEGER NOT NULL DEFAULT 0,
            started_at REAL NOT NULL,
            finished_at REAL,
            wall_seconds REAL
        );
        CREATE INDEX runs_by_start ON runs(started_at);
        CREATE INDEX runs_by_conversation ON runs(conversation_id, started_at);
        CREATE TABLE turns (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            turn INTEGER NOT NULL,
            text TEXT NOT NULL,
            tool_calls INTEGER NOT NULL,
            model_seconds REAL NOT NULL,
            fan_out_seconds REAL NOT NULL,
            PRIMARY KEY (run_id, turn)
        );
        CREATE TABLE tool_calls (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            call_id TEXT NOT NULL,
            turn INTEGER NOT NULL,
            tool TEXT NOT NULL,
            arguments TEXT NOT NULL,
            status TEXT NOT NULL,
            result TEXT NOT NULL,
            result_bytes INTEGER NOT NULL,
            duration_seconds REAL NOT NULL,
            PRIMARY KEY (run_id, call_id)
        );
        CREATE TABLE events (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            type TEXT NOT NULL,
            json TEXT NOT NULL,
            PRIMARY KEY (run_id, seq)
        );
        """

    /// Durable runs: the checkpoint (the run's conversation so far), the owning process, the budget
    /// ledger's entries, and the calls waiting for a decision.
    static let version2 = """
        ALTER TABLE runs ADD COLUMN checkpoint TEXT;
        ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
        ALTER TABLE runs ADD COLUMN updated_at REAL;
        CREATE INDEX runs_by_state ON runs(state);
        CREATE TABLE budget_ledger (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            cost_usd REAL NOT NULL,
            turns INTEGER NOT NULL,
            tool_calls INTEGER NOT NULL,
            at REAL NOT NULL,
            PRIMARY KEY (run_id, seq)
        );
        CREATE TABLE approvals (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            call_id TEXT NOT NULL,
            tool TEXT NOT NULL,
            arguments TEXT NOT NULL,
            decision TEXT,
            decided_at REAL,
            PRIMARY KEY (run_id, call_id)
        );
        """

    /// Traces: when each event happened, and when a model call's first token arrived (on its
    /// `turn_started` row) — the times `brigade trace` draws.
    static let version3 = """
        ALTER TABLE events ADD COLUMN at REAL;
        ALTER TABLE events ADD COLUMN first_token_at REAL;
        """

    /// A call's position among its turn's calls, so a run's calls are listed in the order the model
    /// asked for them, not the order they finished in (rows of older versions keep their finish order).
    static let version4 = """
        ALTER TABLE tool_calls ADD COLUMN position INTEGER;
        """

    /// `brigade log` counts each run's child runs and leaves them out of its list.
    static let version5 = """
        CREATE INDEX runs_by_parent ON runs(parent_run_id);
        """

    /// Checks, writing nothing, that the file is a Brigade store (or empty) of a version this Brigade knows.
    /// - Throws: ``RunStoreError`` when the file is another program's database or of a newer schema.
    static func checkIdentity(_ connection: SQLiteConnection) throws(RunStoreError) {
        do {
            try connection.retryingWhileBusy { () throws(SQLiteError) -> Void in
                try connection.transaction(kind: "DEFERRED") { () throws(SQLiteError) -> Void in try identify(connection) }
            }
        } catch {
            throw failure(error, path: connection.path)
        }
    }

    private static func identify(_ connection: SQLiteConnection) throws(SQLiteError) {
        let version = try connection.integer("PRAGMA user_version") ?? 0
        let application = try connection.integer("PRAGMA application_id") ?? 0
        let tables = try connection.integer("SELECT count(*) FROM sqlite_master WHERE type = 'table'") ?? 0
        if application != applicationID, application != 0 || tables > 0 {
            throw SQLiteError(code: -1, message: "foreign")
        }
        if version > currentVersion {
            throw SQLiteError(code: -2, message: "newer:\(version)")
        }
    }

    /// Brings `connection` from its version to `target` (default: the current one), in one transaction.
    /// - Throws: ``RunStoreError`` when the file is another program's database or of a newer schema.
    static func migrate(_ connection: SQLiteConnection, to target: Int = currentVersion) throws(RunStoreError) {
        do {
            // `BEGIN IMMEDIATE`: the version read decides what is written, so no other writer may come between.
            try connection.retryingWhileBusy { () throws(SQLiteError) -> Void in
                try connection.transaction { () throws(SQLiteError) -> Void in
                    try identify(connection)
                    let version = try connection.integer("PRAGMA user_version") ?? 0
                    guard version < target else { return }
                    for index in version..<target { try connection.execute(migrations[index]) }
                    try connection.execute("PRAGMA application_id = \(applicationID); PRAGMA user_version = \(target)")
                }
            }
        } catch {
            throw failure(error, path: connection.path)
        }
    }

    private static func failure(_ error: SQLiteError, path: String) -> RunStoreError {
        switch error.code {
        case -1:
            RunStoreError(.foreignFile, path: path, "\(path) is not a Brigade run store (it is another program's SQLite database); it was left untouched — move it away or set `store.path`")
        case -2:
            RunStoreError(.newerSchema, path: path, "\(path) was written by a newer Brigade (schema \(error.message.dropFirst(6)), this one knows up to \(currentVersion)); it was left untouched")
        default:
            RunStoreError(sqlite: error, path: path)
        }
    }
}
