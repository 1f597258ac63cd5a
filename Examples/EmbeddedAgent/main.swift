// EmbeddedAgent — Brigade inside a Swift program.
//
// Loads the repository's config.yaml and tools/ through a Workspace, registers an in-process Swift
// tool next to the YAML tools, and runs one prompt, printing every event as it happens. By default
// an offline model (below) asks for a YAML tool and the Swift tool in the same turn, so it runs
// anywhere without a network; `--live` uses the model config.yaml names instead (it needs the key).
//
//   swift run EmbeddedAgent [--live] [--root PATH] [PROMPT]
import Brigade
import Foundation
import Logging

// MARK: An in-process tool with Decodable arguments

struct WordCountArguments: Decodable {
    var text: String
    var unique: Bool?
}

let wordCount = Tool(
    name: "word_count",
    description: "Counts the words of a text (or its distinct words with unique: true).",
    arguments: WordCountArguments.self,
    parameters: [
        "type": "object",
        "properties": [
            "text": ["type": "string", "description": "The text to count."],
            "unique": ["type": "boolean", "description": "Count distinct words only."],
        ],
        "required": ["text"],
        "additionalProperties": false,
    ],
    policy: ToolPolicy(timeout: .seconds(2))
) { arguments, _ in
    let words = arguments.text.split(whereSeparator: { $0.isWhitespace || $0.isPunctuation }).map { $0.lowercased() }
    let count = arguments.unique == true ? Set(words).count : words.count
    return ToolOutput(text: "\(count) \(arguments.unique == true ? "distinct " : "")words")
}

// MARK: An offline model: any type conforming to ModelClient can drive the agent

/// Turn 1 asks for the YAML tool `current_time` and the Swift tool `word_count` at once (they run in
/// parallel); turn 2 answers from their results.
struct OfflineModel: ModelClient {
    var displayName: String { "offline-example" }

    func complete(
        _ request: ModelRequest,
        deadline: ContinuousClock.Instant?,
        onTextDelta: @escaping @Sendable (String) -> Void
    ) async throws(ModelError) -> ModelResponse {
        guard case .toolResults(let results)? = request.messages.last else {
            let prompt = request.messages.reversed().lazy.compactMap { message -> String? in
                if case .user(let text) = message { text } else { nil }
            }.first ?? ""
            let calls = [
                ToolCall(id: "time", name: "current_time", rawArguments: "{}"),
                ToolCall(id: "words", name: "word_count", rawArguments: JSONValue.object(["text": .string(prompt)]).jsonString),
            ]
            return ModelResponse(text: "", toolCalls: calls, finishReason: .toolCalls, usage: nil)
        }
        let facts = results.map { "\($0.toolName): \($0.content.split(separator: "\n").first ?? "")" }
        let answer = "Here is what the tools said — " + facts.joined(separator: "; ") + "."
        onTextDelta(answer)
        return ModelResponse(text: answer, toolCalls: [], finishReason: .stop, usage: nil)
    }
}

// MARK: Main

var arguments = Array(CommandLine.arguments.dropFirst())
let live = arguments.contains("--live")
arguments.removeAll { $0 == "--live" }
var root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
if let index = arguments.firstIndex(of: "--root"), index + 1 < arguments.count {
    root = arguments[index + 1]
    arguments.removeSubrange(index...index + 1)
}
let prompt = arguments.first ?? "What time is it, and how many words are in this very request?"

var logger = Logger(label: "embedded-agent")
logger.logLevel = .warning

do {
    // config.yaml, tools/, routes/ and prompts/ of the repository.
    var workspace = try Workspace.load(configPath: root + "/config.yaml", currentDirectory: root)
    try workspace.register(wordCount)

    var configuration = workspace.agentConfiguration(routing: .model)
    if live {
        guard let model = workspace.model else {
            print("no model: \(workspace.modelUnavailableReason ?? "none configured")")
            exit(1)
        }
        configuration.model = model
    } else {
        configuration.model = OfflineModel()
    }
    let agent = Agent(registry: workspace.registry, configuration: configuration, logger: logger)

    print("tools: \(agent.registry.names.joined(separator: ", "))")
    print("prompt: \(prompt)")
    for await event in agent.events(for: prompt) {
        switch event {
        case .turnStarted(let turn): print("turn \(turn)")
        case .toolCallStarted(let call): print("  → \(call.toolName)(\(call.argumentsPreview))")
        case .toolCallFinished(let outcome):
            print("  \(outcome.status == .ok ? "✓" : "✗") \(outcome.call.toolName) \(outcome.status.rawValue): \(outcome.outputPreview)")
        case .textDelta(let text): print("answer: \(text)")
        case .finished(let result):
            let fanOut = result.turnTimings.map(\.fanOutWallTime).reduce(.zero, +)
            let milliseconds = Double(fanOut.components.seconds) * 1000 + Double(fanOut.components.attoseconds) / 1e15
            print("finished: \(result.stopReason.code), \(result.toolCalls) tool calls, fan-out \(String(format: "%.1f", milliseconds)) ms")
            if result.stopReason != .finished { exit(1) }
        default: break
        }
    }
} catch {
    print("error: \(error)")
    exit(2)
}
