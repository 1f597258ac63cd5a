import Brigade
import BrigadeTesting

/// What the benchmark model server does for one conversation, written into the user prompt so that
/// the server needs no per-run state: `calls=16 tool=wait rounds=2 latency_ms=50`.
///
/// While fewer than `rounds` assistant turns with tool calls are in the conversation (and the
/// request offers tools), the server answers with `calls` calls of `tool` (arguments `{}`);
/// afterwards it answers with text (`echo: <prompt>`). Every answer waits `latency_ms` before its
/// response head. Words that are not `key=value` are ignored, so batch prompts can add an item number.
public struct BenchScenario: Sendable, Hashable {
    public var calls: Int
    public var tool: String
    public var rounds: Int
    public var latencyMilliseconds: Int

    public init(calls: Int = 0, tool: String = "wait", rounds: Int = 1, latencyMilliseconds: Int = 0) {
        self.calls = calls
        self.tool = tool
        self.rounds = rounds
        self.latencyMilliseconds = latencyMilliseconds
    }

    /// The prompt that asks the server for this scenario.
    public var prompt: String {
        "calls=\(calls) tool=\(tool) rounds=\(rounds) latency_ms=\(latencyMilliseconds)"
    }

    /// Reads the `key=value` words of a prompt, split at any white space (a map worker's prompt has
    /// the brief on a line of its own); unknown words and bad numbers keep the defaults.
    public init(prompt: String) {
        self.init()
        for word in prompt.split(whereSeparator: \.isWhitespace) {
            let parts = word.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let value = String(parts[1])
            switch parts[0] {
            case "calls": calls = Int(value) ?? calls
            case "tool": tool = value
            case "rounds": rounds = Int(value) ?? rounds
            case "latency_ms": latencyMilliseconds = Int(value) ?? latencyMilliseconds
            default: continue
            }
        }
    }

    /// The server's answer to `request` (OpenAI Chat Completions conversations).
    @Sendable public static func respond(to request: FakeModelRequest) -> FakeTurn {
        let prompt = request.lastUserText ?? ""
        let scenario = BenchScenario(prompt: prompt)
        let toolTurns = request.messages.count { message in
            message["role"]?.stringValue == "assistant" && !(message["tool_calls"]?.arrayValue ?? []).isEmpty
        }
        var turn: FakeTurn
        if scenario.calls > 0, toolTurns < scenario.rounds, request.offersTools {
            let calls = (0..<scenario.calls).map { index in
                FakeToolCall(name: scenario.tool, arguments: "{}", id: "call_\(toolTurns)_\(index)")
            }
            turn = .toolCalls(calls)
        } else {
            turn = .text("echo: \(prompt)")
        }
        turn.latency = FakeLatency(beforeHead: .milliseconds(scenario.latencyMilliseconds))
        return turn
    }
}
