import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--continue`, `--resume`, `/sessions` and `/load`: conversations kept in the run store.
extension ChatREPL {
    /// The session the chat starts with: a stored conversation, or a new one.
    /// - Throws: ``CLIFailure`` when a stored conversation was asked for and cannot be had.
    static func session(resuming resume: ChatResume?, in store: RunStore?, workspace: Workspace) throws(CLIFailure) -> AgentSession {
        switch resume {
        case nil: workspace.makeSession()
        case .latest?: try StoreAccess.conversation(in: store, latest: true, id: nil, workspace: workspace) ?? workspace.makeSession()
        case .id(let id)?: try StoreAccess.conversation(in: store, latest: false, id: id, workspace: workspace) ?? workspace.makeSession()
        }
    }

    func sessionLines() -> [String] {
        guard let store = state.withLock({ $0.backend.store }) else { return ["The run store is off: no conversations are kept."] }
        let current = state.withLock { $0.session.id }
        do {
            let conversations = try store.conversations(limit: 20)
            guard !conversations.isEmpty else { return ["No stored conversations yet."] }
            return conversations.map { conversation in
                let marker = conversation.id == current ? "*" : " "
                let runs = "\(conversation.runs) \(conversation.runs == 1 ? "prompt" : "prompts")"
                let title = ControlCharacters.escaped(conversation.title, lineBreaks: .spaces)
                return "\(marker) \(conversation.id)  \(LogFormat.time(conversation.updatedAt))  \(runs)  \(TerminalText.truncated(title, toWidth: 60))"
            } + ["/load ID continues one."]
        } catch {
            return [style.apply(.yellow, error.message)]
        }
    }

    func load(_ id: String) {
        guard let store = state.withLock({ $0.backend.store }) else {
            display.writeLines([style.apply(.yellow, "The run store is off: there is nothing to load.")])
            return
        }
        do {
            let conversation = try store.conversation(id)
            state.withLock { state in
                state.session = state.backend.workspace.makeSession(messages: conversation.messages, id: conversation.id)
                state.lastResult = nil
                state.lastTrace = nil
                state.runs = []
            }
            display.writeLines(["Loaded \(conversation.id) (\(conversation.messages.count) messages): \(ControlCharacters.escaped(conversation.title, lineBreaks: .spaces))"])
        } catch {
            display.writeLines([style.apply(.yellow, error.message)])
        }
    }
}
