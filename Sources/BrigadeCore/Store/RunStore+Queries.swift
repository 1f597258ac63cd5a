#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension RunStore {
    /// Which runs ``runs(_:)`` lists.
    public struct RunQuery: Sendable, Hashable {
        /// Runs whose prompt or answer contains this text (case-insensitive for ASCII).
        public var search: String?
        /// Runs started at or after this instant.
        public var since: Date?
        /// Runs in one of these states; `nil` for any.
        public var states: Set<StoredRun.State>?
        /// The runs of one conversation.
        public var conversationID: String?
        /// The newest this many.
        public var limit: Int
        /// Only runs that no other run started: child runs (``StoredRun/parentRunID``) are left out
        /// and counted on their parent (``StoredRun/childRuns``).
        public var topLevelOnly: Bool

        public init(
            search: String? = nil, since: Date? = nil, states: Set<StoredRun.State>? = nil, conversationID: String? = nil, limit: Int = 20,
            topLevelOnly: Bool = false
        ) {
            self.search = search
            self.since = since
            self.states = states
            self.conversationID = conversationID
            self.limit = limit
            self.topLevelOnly = topLevelOnly
        }
    }

    /// The newest runs matching `query`, newest first.
    /// - Throws: ``RunStoreError`` when the file cannot be read.
    public func runs(_ query: RunQuery = RunQuery()) throws(RunStoreError) -> [StoredRun] {
        var clauses: [String] = []
        var values: [SQLiteValue] = []
        if let search = query.search {
            clauses.append("(instr(lower(prompt), lower(?)) > 0 OR instr(lower(coalesce(answer, '')), lower(?)) > 0)")
            values += [.text(search), .text(search)]
        }
        if let since = query.since {
            clauses.append("started_at >= ?")
            values.append(.real(since.timeIntervalSince1970))
        }
        if let conversationID = query.conversationID {
            clauses.append("conversation_id = ?")
            values.append(.text(conversationID))
        }
        if query.topLevelOnly { clauses.append("parent_run_id IS NULL") }
        // Interrupted runs are stored as running: the state is decided when read (is the process alive?).
        let states = query.states
        if let states {
            let stored = Set(states.map { $0 == .interrupted ? StoredRun.State.running : $0 })
            clauses.append("state IN (\(stored.map { _ in "?" }.joined(separator: ", ")))")
            values += stored.map { .text($0.rawValue) }
        }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let limit = states == nil ? query.limit : Int.max
        let rows = try read { connection throws(SQLiteError) in
            try connection.query("SELECT \(StoredRun.columns) FROM runs \(filter) ORDER BY started_at DESC, id DESC LIMIT ?",
                                 values + [.integer(limit)], row: StoredRun.init(row:))
        }
        guard let states else { return rows }
        return Array(rows.filter { states.contains($0.state) }.prefix(query.limit))
    }

    /// Everything recorded about one run.
    /// - Throws: ``RunStoreError`` `unknownRun` when the store has no such run.
    public func record(of runID: RunID) throws(RunStoreError) -> StoredRunRecord {
        let id = runID.rawValue
        let found = try read { connection throws(SQLiteError) -> StoredRunRecord? in
            guard let run = try connection.query("SELECT \(StoredRun.columns) FROM runs WHERE id = ?", [.text(id)], row: StoredRun.init(row:)).first else {
                return nil
            }
            let extra = try connection.query("SELECT options, checkpoint FROM runs WHERE id = ?", [.text(id)]) { ($0.text(0), $0.text(1)) }.first
            let turns = try connection.query("SELECT turn, text, tool_calls, model_seconds FROM turns WHERE run_id = ? ORDER BY turn", [.text(id)]) {
                StoredTurn(turn: $0.integer(0) ?? 0, text: $0.text(1) ?? "", toolCalls: $0.integer(2) ?? 0, modelSeconds: $0.real(3) ?? 0)
            }
            let calls = try connection.query("""
                SELECT call_id, turn, tool, arguments, status, result, result_bytes, duration_seconds FROM tool_calls
                WHERE run_id = ? ORDER BY turn, position, rowid
                """, [.text(id)], row: StoredToolCall.init(row:))
            let events = try connection.query("SELECT json FROM events WHERE run_id = ? ORDER BY seq", [.text(id)]) {
                (try? JSONValue(parsing: $0.text(0) ?? "null")) ?? .null
            }
            let children = try connection.query("SELECT id FROM runs WHERE parent_run_id = ? ORDER BY started_at, id", [.text(id)]) {
                $0.text(0).flatMap(RunID.init(rawValue:))
            }
            return StoredRunRecord(
                run: run,
                options: (extra?.0).flatMap { try? JSONValue(parsing: $0) } ?? .object([:]),
                turns: turns,
                calls: calls,
                events: events,
                messages: (extra?.1).flatMap(ChatMessage.messages(fromJSON:)) ?? [],
                childRunIDs: children.compactMap { $0 }
            )
        }
        guard let found else { throw RunStoreError(.unknownRun, path: path, "no run `\(id)` in \(path) (see `brigade log`)") }
        return found
    }

    /// Spend by model of the runs started at or after `since` (all runs when `nil`), costliest first.
    /// Only top-level runs count: a parent's spend already holds its child runs' (a child's budget is
    /// carved from its parent's and what it spent is added back), so each is under its parent's model.
    public func costByModel(since: Date? = nil) throws(RunStoreError) -> [ModelCost] {
        let start = since?.timeIntervalSince1970 ?? 0
        return try read { connection throws(SQLiteError) in
            try connection.query("""
                SELECT coalesce(model, '(none)'), count(*), sum(input_tokens), sum(output_tokens), sum(cached_input_tokens), sum(cost_usd)
                FROM runs WHERE started_at >= ? AND parent_run_id IS NULL GROUP BY coalesce(model, '(none)') ORDER BY sum(cost_usd) DESC, 1
                """, [.real(start)]) { row in
                ModelCost(
                    model: row.text(0) ?? "(none)", runs: row.integer(1) ?? 0,
                    usage: TokenUsage(inputTokens: row.integer(2) ?? 0, outputTokens: row.integer(3) ?? 0, cachedInputTokens: row.integer(4) ?? 0),
                    costUSD: row.real(5) ?? 0)
            }
        }
    }
}

extension StoredToolCall {
    init(row: SQLiteStatement) {
        callID = row.text(0) ?? ""
        turn = row.integer(1) ?? 0
        tool = row.text(2) ?? ""
        arguments = row.text(3) ?? ""
        status = ToolCallStatus(rawValue: row.text(4) ?? "") ?? .error
        result = row.text(5) ?? ""
        resultBytes = row.integer(6) ?? 0
        durationSeconds = row.real(7) ?? 0
    }
}
