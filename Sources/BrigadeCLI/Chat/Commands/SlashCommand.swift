import Brigade

/// A REPL command: a line starting with `/`.
enum SlashCommand: Equatable, Sendable {
    case help
    case tools
    case routes
    /// `/mode` alone shows the current mode.
    case mode(RoutingMode?)
    case budget
    /// `/model` alone shows the current model.
    case model(String?)
    case reset
    /// The last prompt's timeline; with a path, written there as a web page.
    case trace(html: String?)
    case save(path: String)
    /// The stored conversations.
    case sessions
    /// Continue a stored conversation.
    case load(id: String)
    case exit

    /// Every command with its arguments and what it does, for `/help`.
    static let catalogue: [(usage: String, summary: String)] = [
        ("/help", "this list"),
        ("/tools", "the tools the model may call"),
        ("/routes", "the static routes (answered offline, without the model)"),
        ("/mode static|model|hybrid", "how prompts are served; without an argument, the current mode"),
        ("/budget", "each limit: its cap, what the last prompt spent, what is left"),
        ("/model NAME", "switch to another model of the same provider"),
        ("/reset", "forget the conversation"),
        ("/trace [--html FILE]", "the last prompt's timeline: what ran in parallel, what it waited for; --html writes a web page"),
        ("/save FILE", "write the conversation to FILE as JSON"),
        ("/sessions", "the stored conversations, newest first"),
        ("/load ID", "continue a stored conversation (an ID from /sessions)"),
        ("/exit", "leave (also Ctrl-D, or Ctrl-C twice at an empty prompt)"),
    ]

    static let names = ["help", "tools", "routes", "mode", "budget", "model", "reset", "trace", "save", "sessions", "load", "exit", "quit"]

    /// Parses a line that starts with `/`.
    ///
    /// - Returns: the command, or an error that says what is wrong and what would be right.
    static func parse(_ line: String) -> Result<SlashCommand, SlashCommandError> {
        let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let first = words.first, first.hasPrefix("/") else { return .failure(.notACommand) }
        let name = String(first.dropFirst()).lowercased()
        let arguments = Array(words.dropFirst())
        func noArguments(_ command: SlashCommand) -> Result<SlashCommand, SlashCommandError> {
            arguments.isEmpty ? .success(command) : .failure(.unexpectedArguments(command: name, usage: usage(of: name)))
        }
        switch name {
        case "help", "?": return noArguments(.help)
        case "tools": return noArguments(.tools)
        case "routes": return noArguments(.routes)
        case "budget": return noArguments(.budget)
        case "reset": return noArguments(.reset)
        case "trace":
            guard let first = arguments.first else { return .success(.trace(html: nil)) }
            // The file name is the rest of the line after --html, so it may hold spaces.
            let rest = line.drop { !$0.isWhitespace }.drop(while: \.isWhitespace).dropFirst(first.count).drop(while: \.isWhitespace)
            let path = String(rest.reversed().drop(while: \.isWhitespace).reversed())
            guard first == "--html" else { return .failure(.unexpectedArguments(command: name, usage: usage(of: name))) }
            guard !path.isEmpty else { return .failure(.missingArgument(command: name, usage: usage(of: name))) }
            return .success(.trace(html: path))
        case "sessions": return noArguments(.sessions)
        case "load":
            guard arguments.count == 1 else {
                return .failure(arguments.isEmpty ? .missingArgument(command: name, usage: usage(of: name)) : .unexpectedArguments(command: name, usage: usage(of: name)))
            }
            return .success(.load(id: arguments[0]))
        case "exit", "quit": return noArguments(.exit)
        case "mode":
            guard arguments.count <= 1 else { return .failure(.unexpectedArguments(command: name, usage: usage(of: name))) }
            guard let value = arguments.first else { return .success(.mode(nil)) }
            guard let mode = RoutingMode(rawValue: value.lowercased()) else { return .failure(.badMode(value)) }
            return .success(.mode(mode))
        case "model":
            guard arguments.count <= 1 else { return .failure(.unexpectedArguments(command: name, usage: usage(of: name))) }
            return .success(.model(arguments.first))
        case "save":
            // The file name is the rest of the line, so it may hold spaces.
            let rest = line.drop { !$0.isWhitespace }.drop(while: \.isWhitespace)
            let path = String(rest.reversed().drop(while: \.isWhitespace).reversed())
            guard !path.isEmpty else { return .failure(.missingArgument(command: name, usage: usage(of: name))) }
            return .success(.save(path: path))
        default:
            return .failure(.unknown(name, suggestion: ConfigSuggestion.closest(to: name, among: names)))
        }
    }

    private static func usage(of name: String) -> String {
        catalogue.first { $0.usage.dropFirst().hasPrefix(name) }?.usage ?? "/\(name)"
    }
}

/// Why a `/` line is not a command the REPL can run.
enum SlashCommandError: Error, Equatable, CustomStringConvertible {
    case notACommand
    case unknown(String, suggestion: String?)
    case unexpectedArguments(command: String, usage: String)
    case missingArgument(command: String, usage: String)
    case badMode(String)

    var description: String {
        switch self {
        case .notACommand:
            "Commands start with /. Type /help for the list."
        case .unknown(let name, let suggestion?):
            "Unknown command /\(name). Did you mean /\(suggestion)? Type /help for the list."
        case .unknown(let name, nil):
            "Unknown command /\(name). Type /help for the list."
        case .unexpectedArguments(let command, let usage):
            "/\(command) takes no such arguments. Usage: \(usage)"
        case .missingArgument(let command, let usage):
            "/\(command) needs an argument. Usage: \(usage)"
        case .badMode(let value):
            "Unknown mode \(value). Use /mode static, /mode model or /mode hybrid."
        }
    }
}
