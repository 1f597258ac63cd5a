/// `store.keep_days` and `store.keep_runs`: old runs are deleted when a store opens (their turns,
/// calls, events and ledger go with them), then conversations left without runs.
enum StoreRetention {
    static func apply(_ connection: SQLiteConnection, keepDays: Int?, keepRuns: Int?, now: Double) throws(SQLiteError) {
        guard keepDays != nil || keepRuns != nil else { return }
        try connection.transaction { () throws(SQLiteError) -> Void in
            if let keepDays {
                try connection.run("DELETE FROM runs WHERE started_at < ? AND state NOT IN ('running', 'awaiting_approval')", [.real(now - Double(keepDays) * 86_400)])
            }
            if let keepRuns {
                try connection.run("""
                    DELETE FROM runs WHERE state NOT IN ('running', 'awaiting_approval') AND id NOT IN
                    (SELECT id FROM runs ORDER BY started_at DESC LIMIT ?)
                    """, [.integer(keepRuns)])
            }
            try connection.run("DELETE FROM conversations WHERE id NOT IN (SELECT conversation_id FROM runs WHERE conversation_id IS NOT NULL)")
        }
    }
}
