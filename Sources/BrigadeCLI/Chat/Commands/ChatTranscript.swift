import Brigade

/// `/save FILE`: the conversation as JSON.
///
/// ```json
/// {"format": "brigade-chat/1", "model": "openai:gpt-4o-mini", "mode": "hybrid",
///  "messages": [{"role": "user", "content": "…"},
///               {"role": "assistant", "content": "…", "tool_calls": [{"id", "name", "arguments"}]},
///               {"role": "tool", "results": [{"tool_call_id", "name", "content", "is_error"}]}],
///  "runs": [ …one object per prompt: answer, stop_reason, usage, cost_usd, calls, turn_timings… ]}
/// ```
/// `runs` holds the runs since the last `/reset`, each as in the `finished` event of the NDJSON stream.
enum ChatTranscript {
    static func json(messages: [ChatMessage], runs: [RunResult], model: String?, mode: RoutingMode) -> JSONValue {
        [
            "format": "brigade-chat/1",
            "model": model.map { .string($0) } ?? .null,
            "mode": .string(mode.rawValue),
            "messages": .array(messages.map(json(for:))),
            "runs": .array(runs.map(\.json)),
        ]
    }

    static func json(for message: ChatMessage) -> JSONValue {
        switch message {
        case .system(let text):
            ["role": "system", "content": .string(text)]
        case .user(let text):
            ["role": "user", "content": .string(text)]
        case .assistant(let text, let calls):
            [
                "role": "assistant",
                "content": .string(text),
                "tool_calls": .array(calls.map { ["id": .string($0.id), "name": .string($0.name), "arguments": .string($0.rawArguments)] }),
            ]
        case .toolResults(let results):
            [
                "role": "tool",
                "results": .array(results.map {
                    ["tool_call_id": .string($0.callID), "name": .string($0.toolName), "content": .string($0.content), "is_error": .bool($0.isError)]
                }),
            ]
        }
    }
}
