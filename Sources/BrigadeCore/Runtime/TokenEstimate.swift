extension ModelRequest {
    /// A deliberately simple estimate of the request's input tokens: the UTF-8 bytes of everything the
    /// provider will read (message texts, tool-call names and arguments, tool results, and each offered
    /// tool's name, description and JSON Schema), plus 16 bytes per message and per tool for framing,
    /// divided by 4 and rounded up.
    ///
    /// Four bytes per token is close for English text and JSON and overestimates most other text. The
    /// agent improves on it after the first call: it uses the provider's reported input tokens of the
    /// previous call plus the estimate of what was added since (see `docs/runtime.md`).
    public var estimatedInputTokens: Int {
        var bytes = 0
        for message in messages {
            bytes += 16
            switch message {
            case .system(let text), .user(let text):
                bytes += text.utf8.count
            case .assistant(let text, let calls):
                bytes += text.utf8.count
                for call in calls { bytes += 16 + call.id.utf8.count + call.name.utf8.count + call.rawArguments.utf8.count }
            case .toolResults(let results):
                for result in results { bytes += 16 + result.callID.utf8.count + result.content.utf8.count }
            }
        }
        // By index, not `for tool in tools`: that copied each spec (a dozen retains and releases).
        for index in tools.indices {
            bytes += 16 + tools[index].name.utf8.count + tools[index].description.utf8.count + tools[index].parametersJSONByteCount
        }
        return (bytes + 3) / 4
    }
}
