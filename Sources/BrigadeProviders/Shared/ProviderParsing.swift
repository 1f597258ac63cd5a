import BrigadeCore

/// Small pieces shared by the OpenAI and Anthropic decoders.
package enum ProviderParsing {
    /// Parses one JSON payload of a response, or fails with `.malformedResponse` quoting the start of it.
    static func json(_ text: some StringProtocol, provider: String, what: String) throws(ModelError) -> JSONValue {
        do {
            // Parsed from the text's own bytes (a stream payload is a slice of the event's data).
            return try JSONValue(parsing: text.utf8)
        } catch {
            throw ModelError(.malformedResponse, "malformed \(what) from \(provider): \(error) in \(quote(String(text)))")
        }
    }

    /// The start of untrusted text, quoted, for an error message.
    static func quote(_ text: String, limit: Int = 120) -> String {
        let cut = text.count <= limit ? text : String(text.prefix(limit)) + "…"
        return "\"" + cut.replacing("\n", with: "\\n") + "\""
    }

    /// Gives calls without an id one (`call_<position>`), avoiding ids already taken.
    static func fillMissingIDs(_ calls: inout [ToolCall]) {
        var taken = Set(calls.map(\.id).filter { !$0.isEmpty })
        for position in calls.indices where calls[position].id.isEmpty {
            var candidate = "call_\(position)"
            var suffix = 1
            while taken.contains(candidate) {
                candidate = "call_\(position)_\(suffix)"
                suffix += 1
            }
            taken.insert(candidate)
            calls[position].id = candidate
        }
    }

    /// A non-negative token count, or `nil` when the field is missing or not a number.
    static func count(_ value: JSONValue?) -> Int? {
        guard let number = value?.intValue, number >= 0 else { return nil }
        return number
    }

    /// `text` without leading and trailing whitespace.
    package static func trim(_ text: some StringProtocol) -> Substring {
        var text = Substring(text)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }

    /// The message for a tool call whose arguments passed ``ModelResponseLimits/maxToolArgumentBytes``.
    static func argumentsTooLarge(name: String, cap: Int, provider: String) -> String {
        "the \(provider) tool call \"\(Preview.line(name, limit: 80))\"'s arguments passed the \(cap)-byte cap (maxToolArgumentBytes)"
    }

    /// Reported usage with its output raised to the bytes/4 estimate of what was read; `nil`
    /// stays `nil` (the caller then estimates from the answer).
    static func raisingOutput(_ usage: TokenUsage?, toBytes bytes: Int) -> TokenUsage? {
        guard var usage else { return nil }
        usage.outputTokens = max(usage.outputTokens, (bytes + 3) / 4)
        return usage
    }
}
