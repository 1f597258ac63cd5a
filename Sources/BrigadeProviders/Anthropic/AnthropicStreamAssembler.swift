import BrigadeCore

/// Assembles a streamed Messages API response from its server-sent events.
///
/// A pure state machine, apart from all I/O: feed it every event with ``consume(event:data:)``
/// (which returns the text delta to show, if any), then call ``response()``.
///
/// Handled: `message_start` (input and cache usage), `content_block_start` (`text`, `tool_use`
/// with `id`, `name`, `input`), `content_block_delta` (`text_delta`, `input_json_delta` whose
/// `partial_json` fragments are joined; none or only empty ones give `{}`), `content_block_stop`,
/// `message_delta` (`stop_reason`, cumulative usage), `message_stop`, `ping`, and `error` (which
/// fails with the error it carries, e.g. `overloaded_error` as a 529 server error). Other block
/// kinds (`thinking`, …), other delta kinds and unknown event types are ignored, as the API's
/// versioning policy asks. A tool call whose joined fragments pass
/// ``ModelResponseLimits/maxToolArgumentBytes`` fails the stream.
package struct AnthropicStreamAssembler: Sendable {
    enum BlockKind: Sendable { case text, toolUse, ignored }

    struct Block: Sendable {
        var kind: BlockKind
        var id = ""
        var name = ""
        var partialJSON = ""
        var initialInput: JSONValue?
    }

    private var blocks: [Int: Block] = [:]
    private var blockOrder: [Int] = []
    private(set) var text = ""
    private(set) var stopReason: String?
    private var inputTokens: Int?
    private var outputTokens: Int?
    private var cacheCreationTokens: Int?
    private var cacheReadTokens: Int?
    /// `message_stop` arrived.
    package private(set) var isComplete = false
    /// UTF-8 bytes of text, tool names and arguments so far, for the output-token allowance.
    package private(set) var outputBytes = 0
    private let maxToolArgumentBytes: Int

    /// - Parameter maxToolArgumentBytes: the cap on one call's argument bytes.
    package init(maxToolArgumentBytes: Int = ModelResponseLimits().maxToolArgumentBytes) {
        self.maxToolArgumentBytes = maxToolArgumentBytes
    }

    /// Feeds one server-sent event.
    ///
    /// - Parameters:
    ///   - event: the SSE `event:` name, if any (the payload's `type` wins when both are present).
    ///   - data: the SSE `data:` payload.
    /// - Returns: the text it adds to the answer, or `nil` when it adds none.
    /// - Throws: `.malformedResponse` for a payload that is not JSON or refers to a block that was
    ///   never started; the carried error for an `error` event.
    package mutating func consume(event: String?, data: String) throws(ModelError) -> String? {
        let payload = ProviderParsing.trim(data)
        if payload.isEmpty { return nil }
        let json = try ProviderParsing.json(payload, provider: "Anthropic", what: "stream event")
        return try consume(type: json["type"]?.stringValue ?? event ?? "", json: json)
    }

    mutating func consume(type: String, json: JSONValue) throws(ModelError) -> String? {
        switch type {
        case "message_start":
            if let usage = json["message"]?["usage"] { record(usage: usage) }
        case "content_block_start":
            let index = try blockIndex(json, type)
            let content = json["content_block"] ?? .object([:])
            var block: Block
            switch content["type"]?.stringValue {
            case "text":
                block = Block(kind: .text)
            case "tool_use":
                block = Block(kind: .toolUse, id: content["id"]?.stringValue ?? "", name: content["name"]?.stringValue ?? "")
                block.initialInput = content["input"]
            default:
                block = Block(kind: .ignored)
            }
            if blocks[index] == nil { blockOrder.append(index) }
            blocks[index] = block
            outputBytes += block.name.utf8.count
            if block.kind == .text, let initial = content["text"]?.stringValue, !initial.isEmpty {
                text += initial
                outputBytes += initial.utf8.count
                return initial
            }
        case "content_block_delta":
            let index = try blockIndex(json, type)
            guard var block = blocks[index] else {
                throw ModelError(.malformedResponse, "malformed Anthropic stream: content_block_delta for block \(index), which never started")
            }
            let delta = json["delta"] ?? .object([:])
            switch (block.kind, delta["type"]?.stringValue) {
            case (.text, "text_delta"):
                if let piece = delta["text"]?.stringValue, !piece.isEmpty {
                    text += piece
                    outputBytes += piece.utf8.count
                    return piece
                }
            case (.toolUse, "input_json_delta"):
                let fragment = delta["partial_json"]?.stringValue ?? ""
                guard block.partialJSON.utf8.count + fragment.utf8.count <= maxToolArgumentBytes else {
                    throw ModelError(.malformedResponse, ProviderParsing.argumentsTooLarge(name: block.name, cap: maxToolArgumentBytes, provider: "Anthropic"))
                }
                block.partialJSON += fragment
                outputBytes += fragment.utf8.count
                blocks[index] = block
            default:
                break
            }
        case "content_block_stop":
            let index = try blockIndex(json, type)
            guard blocks[index] != nil else {
                throw ModelError(.malformedResponse, "malformed Anthropic stream: content_block_stop for block \(index), which never started")
            }
        case "message_delta":
            if let reason = json["delta"]?["stop_reason"]?.stringValue { stopReason = reason }
            if let usage = json["usage"] { record(usage: usage) }
        case "message_stop":
            isComplete = true
        case "error":
            throw ProviderError.error(fromErrorObject: json, provider: "Anthropic")
        default:
            break  // "ping" and event types added after this was written
        }
        return nil
    }

    private func blockIndex(_ json: JSONValue, _ type: String) throws(ModelError) -> Int {
        guard let index = json["index"]?.intValue else {
            throw ModelError(.malformedResponse, "malformed Anthropic stream: \(type) without an index")
        }
        return index
    }

    /// Usage counts are cumulative: a later event's count replaces an earlier one.
    private mutating func record(usage: JSONValue) {
        if let value = ProviderParsing.count(usage["input_tokens"]) { inputTokens = value }
        if let value = ProviderParsing.count(usage["output_tokens"]) { outputTokens = value }
        if let value = ProviderParsing.count(usage["cache_creation_input_tokens"]) { cacheCreationTokens = value }
        if let value = ProviderParsing.count(usage["cache_read_input_tokens"]) { cacheReadTokens = value }
    }

    var usage: TokenUsage? {
        guard inputTokens != nil || outputTokens != nil else { return nil }
        return AnthropicStreamAssembler.usage(
            input: inputTokens ?? 0, output: outputTokens ?? 0,
            cacheCreation: cacheCreationTokens ?? 0, cacheRead: cacheReadTokens ?? 0
        )
    }

    /// Input counts every prompt token: uncached, written to the cache, and read from it.
    static func usage(input: Int, output: Int, cacheCreation: Int, cacheRead: Int) -> TokenUsage {
        TokenUsage(
            inputTokens: input + cacheCreation + cacheRead,
            outputTokens: output,
            cachedInputTokens: cacheRead,
            cacheCreationInputTokens: cacheCreation
        )
    }

    /// The tool calls so far, in block order, ids filled in.
    var toolCalls: [ToolCall] {
        var calls = blockOrder.sorted().compactMap { index -> ToolCall? in
            guard let block = blocks[index], block.kind == .toolUse else { return nil }
            return ToolCall(id: block.id, name: block.name, rawArguments: Self.arguments(block))
        }
        ProviderParsing.fillMissingIDs(&calls)
        return calls
    }

    /// The joined `partial_json` fragments; without any, the block's initial `input` (usually `{}`).
    static func arguments(_ block: Block) -> String {
        if !ProviderParsing.trim(block.partialJSON).isEmpty { return block.partialJSON }
        if let initial = block.initialInput, case .object(let object) = initial, !object.isEmpty { return initial.jsonString }
        return "{}"
    }

    /// The assembled response.
    ///
    /// - Throws: `.malformedResponse` when the stream ended before `message_stop` and without a `stop_reason`.
    package func response() throws(ModelError) -> ModelResponse {
        guard isComplete || stopReason != nil else {
            throw ModelError(.malformedResponse, "the Anthropic stream ended before the response was complete (no message_stop)")
        }
        let calls = toolCalls
        return ModelResponse(text: text, toolCalls: calls, finishReason: Self.finishReason(stopReason, hasToolCalls: !calls.isEmpty), usage: usage)
    }

    /// The answer so far, for a stream cut past the output-token allowance: the text, no tool
    /// calls (their arguments may be unfinished), finish reason `.length`.
    package func cutResponse() -> ModelResponse {
        ModelResponse(text: text, toolCalls: [], finishReason: .length, usage: ProviderParsing.raisingOutput(usage, toBytes: outputBytes))
    }

    static func finishReason(_ raw: String?, hasToolCalls: Bool) -> ModelFinishReason {
        switch raw {
        case nil: hasToolCalls ? .toolCalls : .stop
        case "end_turn", "stop_sequence": .stop
        case "tool_use": .toolCalls
        case "max_tokens", "model_context_window_exceeded": .length
        case "refusal": .contentFilter
        case let other?: .other(other)
        }
    }
}
