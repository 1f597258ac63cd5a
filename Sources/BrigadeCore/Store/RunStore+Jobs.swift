#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

extension RunStore {
    /// Records the start of a run that is not one agent's: a command's job (`brigade map`), whose
    /// workers' runs name it as their parent, so `brigade log` shows one line for it.
    package func jobStarted(_ id: RunID, source: String, prompt: String) {
        let now = Date().timeIntervalSince1970
        let values: [SQLiteValue] = [.text(id.rawValue), .text(source), .text(clean(prompt)), .real(now), .integer(Int(getpid())), .real(now)]
        enqueue { connection throws(SQLiteError) in
            try connection.run("""
                INSERT INTO runs (id, surface, state, prompt, started_at, owner_pid, updated_at) VALUES (?, ?, 'running', ?, ?, ?, ?)
                """, values)
        }
    }

    /// The job ended: its answer, stop reason (`finished`, `error` …), spend (its workers' sum) and time.
    package func jobFinished(_ id: RunID, answer: String, stopReason: String, usage: TokenUsage, costUSD: Double, model: String?, startedAt: Date) {
        let now = Date()
        let values: [SQLiteValue] = [
            .text(clean(answer)), .text(stopReason), SQLiteValue(model), .integer(usage.inputTokens), .integer(usage.outputTokens),
            .integer(usage.cachedInputTokens), .real(costUSD), .real(now.timeIntervalSince1970), .real(now.timeIntervalSince(startedAt)),
            .real(now.timeIntervalSince1970), .text(id.rawValue),
        ]
        enqueue { connection throws(SQLiteError) in
            try connection.run("""
                UPDATE runs SET state = 'finished', answer = ?, stop_reason = ?, model = ?, input_tokens = ?, output_tokens = ?,
                cached_input_tokens = ?, cost_usd = ?, finished_at = ?, wall_seconds = ?, updated_at = ?, owner_pid = NULL WHERE id = ?
                """, values)
        }
    }
}
