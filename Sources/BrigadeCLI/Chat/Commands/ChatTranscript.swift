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
            "messages": .array(messages.map(\.json)),
            "runs": .array(runs.map(\.json)),
        ]
    }
}
