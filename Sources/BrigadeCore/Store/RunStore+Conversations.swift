#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A conversation (a chat, or `ask`s continued with `--continue`) as the store holds it.
public struct StoredConversation: Sendable, Hashable {
    /// The session's id (``AgentSession/id``).
    public var id: String
    /// The first prompt, cut to 120 characters.
    public var title: String
    public var model: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// Runs (prompts) recorded in it.
    public var runs: Int
    /// The messages after its last run (empty in lists).
    public var messages: [ChatMessage]

    public var json: JSONValue {
        return [
            "id": .string(id), "title": .string(title), "model": model.map { .string($0) } ?? .null,
            "created_at": .string(createdAt.formatted(.iso8601)), "updated_at": .string(updatedAt.formatted(.iso8601)),
            "runs": .integer(runs), "messages": .array(messages.map(\.json)),
        ]
    }
}

extension RunStore {
    private static let conversationColumns = """
        c.id, c.title, c.model, c.created_at, c.updated_at, (SELECT count(*) FROM runs r WHERE r.conversation_id = c.id)
        """

    private static func conversation(_ row: SQLiteStatement) -> StoredConversation {
        StoredConversation(
            id: row.text(0) ?? "", title: row.text(1) ?? "", model: row.text(2),
            createdAt: Date(timeIntervalSince1970: row.real(3) ?? 0), updatedAt: Date(timeIntervalSince1970: row.real(4) ?? 0),
            runs: row.integer(5) ?? 0, messages: [])
    }

    /// The most recently updated conversations, newest first (without their messages).
    public func conversations(limit: Int = 20) throws(RunStoreError) -> [StoredConversation] {
        try read { connection throws(SQLiteError) in
            try connection.query("SELECT \(Self.conversationColumns) FROM conversations c ORDER BY c.updated_at DESC LIMIT ?",
                                 [.integer(limit)], row: Self.conversation)
        }
    }

    /// One conversation with its messages; `id` may be a unique prefix of the id.
    /// - Throws: ``RunStoreError`` `unknownConversation` when none (or several) match.
    public func conversation(_ id: String) throws(RunStoreError) -> StoredConversation {
        let rows = try read { connection throws(SQLiteError) in
            try connection.query("""
                SELECT \(Self.conversationColumns), c.messages FROM conversations c WHERE c.id = ? OR c.id LIKE ? ESCAPE '\\' ORDER BY c.id = ? DESC LIMIT 2
                """, [.text(id), .text(Self.likePrefix(id)), .text(id)]) { row in
                var conversation = Self.conversation(row)
                conversation.messages = ChatMessage.messages(fromJSON: row.text(6) ?? "[]") ?? []
                return conversation
            }
        }
        if let exact = rows.first, exact.id == id || rows.count == 1 { return exact }
        let problem = rows.isEmpty ? "no conversation `\(id)`" : "`\(id)` names several conversations; give more of the id"
        throw RunStoreError(.unknownConversation, path: path, "\(problem) in \(path) (see `brigade sessions list`)")
    }

    /// The most recently updated conversation, with its messages; `nil` when there is none.
    public func latestConversation() throws(RunStoreError) -> StoredConversation? {
        guard let latest = try conversations(limit: 1).first else { return nil }
        return try conversation(latest.id)
    }

    /// Deletes a conversation and its runs.
    /// - Throws: ``RunStoreError`` `unknownConversation`, or `unavailable` when the file cannot be written.
    public func deleteConversation(_ id: String) async throws(RunStoreError) {
        let conversation = try conversation(id)
        let fullID = conversation.id
        _ = try await writeNow { connection throws(SQLiteError) in
            try connection.run("DELETE FROM runs WHERE conversation_id = ?", [.text(fullID)])
            try connection.run("DELETE FROM conversations WHERE id = ?", [.text(fullID)])
        }
    }

    static func likePrefix(_ text: String) -> String {
        text.replacing("\\", with: "\\\\").replacing("%", with: "\\%").replacing("_", with: "\\_") + "%"
    }
}
