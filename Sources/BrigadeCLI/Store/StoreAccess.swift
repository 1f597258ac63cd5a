import Brigade

/// How the commands open the run store (docs/store.md): the commands that run prompts record when
/// they can and say so when they cannot; the commands that read it fail when they cannot.
enum StoreAccess {
    /// The store runs are recorded in; `nil` when it is off, or when it cannot be used — then with a
    /// line on stderr (even with `--quiet`: a store that is on is never left silently) and the runs
    /// go on unrecorded.
    /// - Throws: ``CLIFailure`` (exit 1, nothing is run) when it cannot be used and `store.required` is set.
    static func openForRecording(_ workspace: Workspace, options: WorkspaceOptions) throws(CLIFailure) -> RunStore? {
        guard !options.noStore else { return nil }
        do {
            return try workspace.openStore()
        } catch {
            if workspace.config.store.required {
                throw CLIFailure.runtime("the run store is required (`store.required`) and cannot be used, so nothing was run: \(error.message)")
            }
            Terminal.standardError.write("brigade: runs are not recorded: \(error.message)\n")
            return nil
        }
    }

    /// The store for `log`, `sessions`, `runs`, `approve`: exit 1 when it cannot be read, 2 when it is off.
    static func openForReading(_ workspace: Workspace, options: WorkspaceOptions) throws(CLIFailure) -> RunStore {
        if options.noStore || !workspace.config.store.enabled {
            throw CLIFailure.usage("the run store is off (`store: off` in config.yaml, or --no-store)")
        }
        let store: RunStore?
        do {
            store = try workspace.openStore()
        } catch {
            throw CLIFailure.runtime(error.message)
        }
        guard let store else { throw CLIFailure.usage("the run store is off") }
        return store
    }

    /// Waits for the store to commit what was recorded; says so on stderr (even with `--quiet`) when
    /// the record was not kept.
    /// - Throws: ``CLIFailure`` (exit 1) when the record was not kept and `store.required` is set.
    static func finish(_ store: RunStore?, workspace: Workspace) async throws(CLIFailure) {
        guard let store, let failure = await store.flush() else { return }
        if workspace.config.store.required { throw CLIFailure.runtime("the run was not recorded: \(failure.message)") }
        Terminal.standardError.write("brigade: the run was not recorded: \(failure.message)\n")
    }

    /// A stored error as the CLI's failure: unknown ids and wrong states are usage errors (2), the
    /// file's problems runtime failures (1).
    static func failure(_ error: RunStoreError) -> CLIFailure {
        switch error.code {
        case .unknownRun, .unknownConversation, .invalidState: CLIFailure.usage(error.message)
        default: CLIFailure.runtime(error.message)
        }
    }
}

extension StoreAccess {
    /// The session a run continues: the latest stored conversation, the one named `id`, or a new one
    /// (recorded as a new conversation); `nil` without a store when none was asked for.
    /// - Throws: ``CLIFailure`` (2) when a conversation was asked for and there is no store or no such conversation.
    static func conversation(in store: RunStore?, latest: Bool, id: String?, workspace: Workspace) throws(CLIFailure) -> AgentSession? {
        guard latest || id != nil else { return store.map { _ in workspace.makeSession() } }
        let flag = latest ? "--continue" : "--session"
        guard let store else { throw CLIFailure.usage("\(flag) needs the run store, which is off or could not be opened") }
        do {
            if let id {
                let stored = try store.conversation(id)
                return workspace.makeSession(messages: stored.messages, id: stored.id)
            }
            guard let stored = try store.latestConversation() else {
                throw CLIFailure.usage("--continue: no conversation is stored yet in \(store.path)")
            }
            return workspace.makeSession(messages: stored.messages, id: stored.id)
        } catch let error as RunStoreError {
            throw failure(error)
        } catch let error as CLIFailure {
            throw error
        } catch {
            throw CLIFailure.runtime("\(error)")
        }
    }
}
