import CSQLite

/// A failure of SQLite, with its result code and message.
struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The primary result code (`SQLITE_BUSY`, `SQLITE_FULL`, `SQLITE_NOTADB` …).
    var code: Int32
    var message: String

    var description: String { message }

    /// The disk is full, the file or its folder is read-only, or I/O failed: the store cannot keep records.
    var isStorageUnavailable: Bool {
        [SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_PERM].contains(code & 0xff)
    }

    /// The file is not an SQLite database at all.
    var isNotADatabase: Bool { code & 0xff == SQLITE_NOTADB }

    /// The file is not a database or is damaged.
    var isCorrupt: Bool { [SQLITE_NOTADB, SQLITE_CORRUPT].contains(code & 0xff) }

    /// Another connection holds a lock this one needs, for now: `SQLITE_BUSY` (with `_RECOVERY`,
    /// `_SNAPSHOT`, `_TIMEOUT`), `SQLITE_LOCKED`, or `SQLITE_PROTOCOL` (a WAL lock race lost too often).
    var isBusy: Bool { [SQLITE_BUSY, SQLITE_LOCKED, SQLITE_PROTOCOL].contains(code & 0xff) }
}

/// One connection to an SQLite database: a thin layer over libsqlite3.
///
/// `@unchecked Sendable` because it is only ever used inside a `Mutex` (the store's writer's or its
/// reader's), so no two threads touch the handle at once (it is opened with `SQLITE_OPEN_NOMUTEX`).
final class SQLiteConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    let path: String
    /// Prepared statements of ``run(_:_:)`` by SQL text, reused: the store's writes are a dozen
    /// statements run again and again, and preparing one costs more than running it.
    private var cached: [String: SQLiteStatement] = [:]
    /// How this connection waits for another's lock (SQLite's busy handler and ``retryingWhileBusy(_:)``).
    let busyWait: BusyWait

    /// Opens (and with `create`, creates) the database at `path`.
    /// - Parameter onBusy: called each time the connection waits for another connection's lock (tests).
    /// - Throws: ``SQLiteError`` when the file cannot be opened.
    init(
        path: String, readOnly: Bool = false, create: Bool = true, busyTimeout: Duration = .seconds(5),
        onBusy: (@Sendable () -> Void)? = nil
    ) throws(SQLiteError) {
        var handle: OpaquePointer?
        var flags = SQLITE_OPEN_NOMUTEX
        flags |= readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0))
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite3_close_v2(handle) }
            throw SQLiteError(code: status, message: message)
        }
        self.handle = handle
        self.path = path
        busyWait = BusyWait(timeout: busyTimeout, onBusy: onBusy)
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_handler(handle, { context, attempt in
            guard let context else { return 0 }
            return Unmanaged<BusyWait>.fromOpaque(context).takeUnretainedValue().pause(attempt: Int(attempt)) ? 1 : 0
        }, Unmanaged.passUnretained(busyWait).toOpaque())
    }

    /// Runs `body` again while it fails because another connection holds a lock, until the busy
    /// timeout has passed since the first attempt. SQLite's busy handler covers most waits, but not
    /// all: it is not called when a connection that already reads needs the write lock (to avoid a
    /// deadlock) — which `PRAGMA journal_mode = WAL` does on a new file, and a deferred transaction
    /// that writes after reading — nor for `SQLITE_BUSY_SNAPSHOT` or a WAL recovery by another
    /// connection. `body` must be safe to run again (a whole transaction, rolled back when it failed).
    func retryingWhileBusy<T>(_ body: () throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        let start = ContinuousClock.now
        var attempt = 0
        while true {
            do {
                return try body()
            } catch {
                guard error.isBusy, busyWait.pause(attempt: attempt, since: start) else { throw error }
                attempt += 1
            }
        }
    }

    deinit {
        cached.removeAll()
        sqlite3_close_v2(handle)
    }

    private func error(_ status: Int32) -> SQLiteError {
        SQLiteError(code: status, message: String(cString: sqlite3_errmsg(handle)))
    }

    /// Runs one or more statements without parameters.
    func execute(_ sql: String) throws(SQLiteError) {
        let status = sqlite3_exec(handle, sql, nil, nil, nil)
        guard status == SQLITE_OK else { throw error(status) }
    }

    /// Runs one statement with `values` bound to its `?` parameters, stepping it to the end. The
    /// statement is prepared once per connection and reused.
    func run(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) {
        let statement: SQLiteStatement
        if let reused = cached[sql] {
            statement = reused
        } else {
            statement = try prepare(sql)
            cached[sql] = statement
        }
        defer { statement.reset() }
        for (index, value) in values.enumerated() { try statement.bind(value, at: Int32(index + 1)) }
        while try statement.step() {}
    }

    /// The rows of one query, each read by `row`.
    func query<Row>(_ sql: String, _ values: [SQLiteValue] = [], row: (SQLiteStatement) -> Row) throws(SQLiteError) -> [Row] {
        let statement = try prepare(sql, values)
        var rows: [Row] = []
        while try statement.step() { rows.append(row(statement)) }
        return rows
    }

    /// The first column of the first row, as an integer (`nil` without rows).
    func integer(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> Int? {
        try query(sql, values) { $0.integer(0) }.first ?? nil
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { Int(sqlite3_changes(handle)) }

    func prepare(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status) }
        let prepared = SQLiteStatement(statement, connection: self)
        for (index, value) in values.enumerated() { try prepared.bind(value, at: Int32(index + 1)) }
        return prepared
    }

    /// Runs `body` in one transaction (`BEGIN IMMEDIATE` by default: it takes the write lock at once):
    /// committed when it returns, rolled back when it throws.
    func transaction<T>(kind: String = "IMMEDIATE", _ body: () throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        try execute("BEGIN \(kind)")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    fileprivate func check(_ status: Int32) throws(SQLiteError) {
        guard status == SQLITE_OK else { throw error(status) }
    }

    fileprivate func failure(_ status: Int32) -> SQLiteError { error(status) }
}

/// A value bound to a statement's parameter.
enum SQLiteValue: Sendable, Hashable {
    case null
    case integer(Int)
    case real(Double)
    case text(String)

    init(_ text: String?) { self = text.map(SQLiteValue.text) ?? .null }
    init(_ integer: Int?) { self = integer.map(SQLiteValue.integer) ?? .null }
    init(_ real: Double?) { self = real.map(SQLiteValue.real) ?? .null }
}

/// A prepared statement; finalized when released.
final class SQLiteStatement {
    private let statement: OpaquePointer
    /// Unowned: the connection keeps its reused statements, and outlives every other one.
    private unowned let connection: SQLiteConnection

    fileprivate init(_ statement: OpaquePointer, connection: SQLiteConnection) {
        self.statement = statement
        self.connection = connection
    }

    deinit { sqlite3_finalize(statement) }

    /// Ready to run again: reset, its parameters cleared.
    fileprivate func reset() {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    fileprivate func bind(_ value: SQLiteValue, at index: Int32) throws(SQLiteError) {
        let status: Int32 = switch value {
        case .null: sqlite3_bind_null(statement, index)
        case .integer(let value): sqlite3_bind_int64(statement, index, Int64(value))
        case .real(let value): sqlite3_bind_double(statement, index, value)
        case .text(let value): brigade_sqlite3_bind_text(statement, index, value, -1)
        }
        try connection.check(status)
    }

    /// Steps once: `true` with a row to read, `false` when done.
    func step() throws(SQLiteError) -> Bool {
        let status = sqlite3_step(statement)
        switch status {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.failure(status)
        }
    }

    func integer(_ column: Int32) -> Int? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : Int(sqlite3_column_int64(statement, column))
    }

    func real(_ column: Int32) -> Double? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_double(statement, column)
    }

    func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(statement, column) else { return nil }
        return String(cString: pointer)
    }
}
