#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension RunStore {
    /// The trace of a run (``TraceBuilder``): its spans from its recorded events, its children's
    /// included. A run still going on is traced as far as it got (``RunTrace/isLive``).
    /// - Parameters:
    ///   - runID: the run; `nil` for the newest top-level run.
    ///   - now: where a live run's open spans end.
    /// - Throws: ``RunStoreError`` `unknownRun` when there is no such run (or no run at all).
    public func trace(of runID: RunID?, now: Date = Date()) throws(RunStoreError) -> RunTrace {
        let id: RunID
        if let runID {
            id = runID
        } else {
            let newest = try read { connection throws(SQLiteError) in
                try connection.query("SELECT id FROM runs WHERE parent_run_id IS NULL ORDER BY started_at DESC, id DESC LIMIT 1") { $0.text(0) }.first ?? nil
            }
            guard let newest, let parsed = RunID(rawValue: newest) else {
                throw RunStoreError(.unknownRun, path: path, "no run recorded yet in \(path)")
            }
            id = parsed
        }
        let record = try record(of: id)
        let (events, children) = try read { connection throws(SQLiteError) in
            let events = try connection.query("SELECT json, at, first_token_at FROM events WHERE run_id = ? ORDER BY seq", [.text(id.rawValue)]) { row in
                TimedEvent(json: (try? JSONValue(parsing: row.text(0) ?? "null")) ?? .null,
                           at: Date(timeIntervalSince1970: row.real(1) ?? record.run.startedAt.timeIntervalSince1970),
                           firstTokenAt: row.real(2).map(Date.init(timeIntervalSince1970:)))
            }
            let children = try connection.query("""
                WITH RECURSIVE tree(id) AS (SELECT id FROM runs WHERE parent_run_id = ? UNION SELECT runs.id FROM runs JOIN tree ON runs.parent_run_id = tree.id)
                SELECT \(StoredRun.columns) FROM runs WHERE id IN (SELECT id FROM tree)
                """, [.text(id.rawValue)], row: StoredRun.init(row:))
            return (events, children)
        }
        return TraceBuilder.build(run: TraceRunInfo(record.run), events: events, calls: record.calls, children: children.map(TraceRunInfo.init), now: now)
    }
}
