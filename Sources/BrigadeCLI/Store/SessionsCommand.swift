import ArgumentParser
import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `brigade sessions`: the conversations of the run store.
struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "The stored conversations: list, show, remove, export (continue one with `chat --resume ID`).",
        subcommands: [SessionsListCommand.self, SessionsShowCommand.self, SessionsRemoveCommand.self, SessionsExportCommand.self],
        defaultSubcommand: SessionsListCommand.self
    )
}

struct SessionsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Conversations, most recently used first.")

    @OptionGroup var workspaceOptions: WorkspaceOptions

    @Option(name: [.customShort("n"), .customLong("limit")], help: "The most conversations shown.")
    var limit = 20

    @Flag(name: .long, help: "One JSON object per conversation (NDJSON).")
    var json = false

    func run() async throws {
        let store = try StoreAccess.openForReading(try workspaceOptions.loadWorkspace(), options: workspaceOptions)
        let conversations: [StoredConversation]
        do { conversations = try store.conversations(limit: max(1, limit)) } catch { throw StoreAccess.failure(error) }
        if json {
            for conversation in conversations { print(conversation.json.jsonString) }
        } else if conversations.isEmpty {
            print("No conversations recorded yet (\(store.path)).")
        } else {
            for conversation in conversations {
                let title = ControlCharacters.escaped(conversation.title, lineBreaks: .spaces)
                print("\(conversation.id)  \(LogFormat.time(conversation.updatedAt))  \(conversation.runs) \(conversation.runs == 1 ? "prompt" : "prompts")  \"\(title)\"")
            }
        }
    }
}

struct SessionsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "A conversation's messages.")

    @OptionGroup var workspaceOptions: WorkspaceOptions

    @Argument(help: "The conversation's id (or a unique start of it).")
    var id: String

    func run() async throws {
        let conversation = try SessionsExportCommand.load(id, workspaceOptions)
        print(ConversationExport.markdown(conversation))
    }
}

struct SessionsRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a conversation and its runs.")

    @OptionGroup var workspaceOptions: WorkspaceOptions

    @Argument(help: "The conversation's id (or a unique start of it).")
    var id: String

    func run() async throws {
        let store = try StoreAccess.openForReading(try workspaceOptions.loadWorkspace(), options: workspaceOptions)
        do {
            let conversation = try store.conversation(id)
            try await store.deleteConversation(conversation.id)
            print("Removed \(conversation.id).")
        } catch {
            throw StoreAccess.failure(error)
        }
    }
}

struct SessionsExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "A conversation as Markdown or JSON, on standard output.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case md, json }

    @OptionGroup var workspaceOptions: WorkspaceOptions

    @Option(name: .long, help: "md or json.")
    var format: Format = .md

    @Argument(help: "The conversation's id (or a unique start of it).")
    var id: String

    func run() async throws {
        let conversation = try Self.load(id, workspaceOptions)
        switch format {
        case .md: print(ConversationExport.markdown(conversation))
        case .json: print(conversation.json.prettyJSONString)
        }
    }

    static func load(_ id: String, _ options: WorkspaceOptions) throws -> StoredConversation {
        let store = try StoreAccess.openForReading(try options.loadWorkspace(), options: options)
        do { return try store.conversation(id) } catch { throw StoreAccess.failure(error) }
    }
}

/// A conversation as Markdown: a heading, then each message.
enum ConversationExport {
    static func markdown(_ conversation: StoredConversation) -> String {
        var lines = [
            "# \(conversation.title)", "",
            "`\(conversation.id)` · \(conversation.model ?? "no model") · \(LogFormat.time(conversation.createdAt)) – \(LogFormat.time(conversation.updatedAt))",
        ]
        for message in conversation.messages {
            switch message {
            case .system(let text):
                lines += ["", "## System", "", text]
            case .user(let text):
                lines += ["", "## User", "", text]
            case .assistant(let text, let calls):
                lines += ["", "## Assistant"]
                if !text.isEmpty { lines += ["", text] }
                for call in calls { lines.append("- call `\(call.name)` `\(call.rawArguments)`") }
            case .toolResults(let results):
                lines += ["", "## Tool results", ""]
                for result in results {
                    let text = result.content.count > 500 ? result.content.prefix(499) + "…" : Substring(result.content)
                    lines += ["**\(result.toolName)**\(result.isError ? " (error)" : ""):", "```", String(text), "```"]
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}
