import BrigadeCore

/// Assembles a streamed Chat Completions response from its server-sent-event `data:` payloads.
///
/// A pure state machine, apart from all I/O: feed it every payload with ``consume(data:)`` (which
/// returns the text delta to show, if any), then call ``response()``.
///
/// Tolerated, because compatible servers (vLLM, llama.cpp, Ollama, LM Studio, OpenRouter) do it:
/// missing `usage`, missing tool-call `id`s (generated as `call_<n>`), missing `index` (a delta
/// with an id or a name starts a new call, one with only arguments continues the last call),
/// the same `index` reused for a second call with a different id, extra fields, chunks with an
/// empty `choices` list, `null` content, a missing `[DONE]` after a `finish_reason`,
/// `finish_reason: "stop"` with tool calls (reported as `.toolCalls`), the legacy `function_call`
/// delta. An `{"error": …}` payload fails with the error it carries. A tool call whose arguments
/// pass ``ModelResponseLimits/maxToolArgumentBytes`` fails the stream.
package struct OpenAIStreamAssembler: Sendable {
    struct Slot: Sendable {
        var wireIndex: Int
        var id = ""
        var name = ""
        var arguments = ""
    }

    private var slots: [Slot] = []
    /// Position in `slots` of the call each wire `index` currently refers to.
    private var slotByWireIndex: [Int: Int] = [:]
    private var lastTouchedSlot: Int?
    /// A `tool_calls` delta arrived: `function_call` deltas are then the same calls again.
    private var sawToolCalls = false
    private(set) var text = ""
    private(set) var finishReason: String?
    private(set) var usage: TokenUsage?
    /// `data: [DONE]` arrived.
    package private(set) var isDone = false
    /// UTF-8 bytes of text, tool names and arguments so far, for the output-token allowance.
    package private(set) var outputBytes = 0
    private let maxToolArgumentBytes: Int

    /// - Parameter maxToolArgumentBytes: the cap on one call's argument bytes.
    package init(maxToolArgumentBytes: Int = ModelResponseLimits().maxToolArgumentBytes) {
        self.maxToolArgumentBytes = maxToolArgumentBytes
    }

    /// Feeds one `data:` payload.
    ///
    /// - Returns: the text it adds to the answer, or `nil` when it adds none.
    /// - Throws: `.malformedResponse` for a payload that is not JSON; the carried error for an
    ///   error payload.
    package mutating func consume(data: String) throws(ModelError) -> String? {
        try consume(data: data, scanning: true)
    }

    /// ``consume(data:)``; with `scanning: false` every chunk takes the tree path (for tests that
    /// compare the two).
    mutating func consume(data: String, scanning: Bool) throws(ModelError) -> String? {
        guard !isDone else { return nil }
        if scanning, let scanned = data.utf8.withContiguousStorageIfAvailable(Self.scan) {
            return try consume(scanned, data: data)
        }
        return try consume(tree: data)
    }

    /// ``consume(data:)`` for a payload as the stream's bytes (invalid UTF-8 reads as U+FFFD, as in
    /// the `String` the event's data would decode to): a chunk of the usual shape is read from them
    /// without decoding the payload first.
    mutating func consume(data: ArraySlice<UInt8>) throws(ModelError) -> String? {
        guard !isDone else { return nil }
        return try consume(data.withUnsafeBufferPointer(Self.scan), data: nil, bytes: data)
    }

    /// The common case — ASCII around the payload, a chunk of the usual shape — read from the
    /// payload's own bytes without a tree (`OpenAIChunkFields`); everything else is `.other`.
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> ScannedPayload {
        guard let payload = ASCIIWhitespace.trimmed(bytes) else { return .other }
        if payload.isEmpty { return .empty }
        if payload.elementsEqual("[DONE]".utf8) { return .done }
        return OpenAIChunkFields.scan(payload).map(ScannedPayload.chunk) ?? .other
    }

    /// Feeds what ``scan(_:)`` found; `.other` takes the tree path, on `data` or else on `bytes` decoded.
    private mutating func consume(_ scanned: ScannedPayload, data: String?, bytes: ArraySlice<UInt8> = []) throws(ModelError) -> String? {
        switch scanned {
        case .empty:
            return nil
        case .done:
            isDone = true
            return nil
        case .chunk(let fields):
            return try consume(fields)
        case .other:
            return try consume(tree: data ?? String(decoding: bytes, as: UTF8.self))
        }
    }

    /// A payload read as a `JSONValue` tree: errors and unusual chunks.
    private mutating func consume(tree data: String) throws(ModelError) -> String? {
        let payload = ProviderParsing.trim(data)
        if payload.isEmpty { return nil }
        if payload == "[DONE]" {
            isDone = true
            return nil
        }
        return try consume(chunk: ProviderParsing.json(payload, provider: "OpenAI", what: "stream chunk"))
    }

    private enum ScannedPayload {
        case empty, done, chunk(OpenAIChunkFields), other
    }

    /// Feeds the fields of a chunk read by ``OpenAIChunkFields/scan(_:)``: the same steps as
    /// ``consume(chunk:)``, in the same order.
    private mutating func consume(_ fields: OpenAIChunkFields) throws(ModelError) -> String? {
        if fields.hasUsage {
            usage = fields.usage
        }
        guard let choices = fields.choices else { return nil }
        var delta = ""
        for choice in choices where choice.index == 0 {
            if let reason = choice.finishReason, !reason.isEmpty { finishReason = reason }
            guard choice.hasDelta else { continue }
            if let piece = choice.content, !piece.isEmpty { delta += piece }
            if let piece = choice.refusal, !piece.isEmpty { delta += piece }
            for call in choice.toolCalls {
                sawToolCalls = true
                try apply(wireIndex: call.wireIndex, id: call.id, name: call.name, arguments: call.arguments)
            }
        }
        text += delta
        outputBytes += delta.utf8.count
        return delta.isEmpty ? nil : delta
    }

    /// Feeds one parsed chunk object.
    mutating func consume(chunk: JSONValue) throws(ModelError) -> String? {
        guard case .object = chunk else {
            throw ModelError(.malformedResponse, "malformed stream chunk from OpenAI: expected an object, got \(chunk.typeName)")
        }
        if let error = chunk["error"], !error.isNull {
            throw ProviderError.error(fromErrorObject: chunk, provider: "OpenAI")
        }
        if chunk["object"]?.stringValue == "error" {
            throw ProviderError.error(fromErrorObject: chunk, provider: "OpenAI")
        }
        if let usageObject = chunk["usage"], case .object = usageObject {
            usage = Self.usage(from: usageObject)
        }
        guard let choices = chunk["choices"]?.arrayValue else { return nil }
        var delta = ""
        for choice in choices where (choice["index"]?.intValue ?? 0) == 0 {
            if let reason = choice["finish_reason"]?.stringValue, !reason.isEmpty { finishReason = reason }
            guard let message = choice["delta"] ?? choice["message"] else { continue }
            for key in ["content", "refusal"] {
                if let piece = message[key]?.stringValue, !piece.isEmpty { delta += piece }
            }
            for toolCall in message["tool_calls"]?.arrayValue ?? [] {
                sawToolCalls = true
                try apply(toolCallDelta: toolCall)
            }
            // Some servers send the legacy delta beside `tool_calls`, repeating the same call.
            if !sawToolCalls, let legacy = message["function_call"], case .object = legacy {
                try apply(toolCallDelta: ["index": 0, "function": legacy])
            }
        }
        text += delta
        outputBytes += delta.utf8.count
        return delta.isEmpty ? nil : delta
    }

    private mutating func apply(toolCallDelta delta: JSONValue) throws(ModelError) {
        try apply(
            wireIndex: delta["index"]?.intValue,
            id: delta["id"]?.stringValue ?? "",
            name: delta["function"]?["name"]?.stringValue ?? "",
            arguments: OpenAIResponseDecoder.arguments(of: delta["function"]?["arguments"])
        )
    }

    private mutating func apply(wireIndex: Int?, id: String, name: String, arguments: String) throws(ModelError) {
        let position: Int
        if let wireIndex {
            if let existing = slotByWireIndex[wireIndex], id.isEmpty || slots[existing].id.isEmpty || slots[existing].id == id {
                position = existing
            } else {
                position = newSlot(wireIndex: wireIndex)
            }
        } else if !id.isEmpty, let existing = slots.firstIndex(where: { $0.id == id }) {
            position = existing
        } else if id.isEmpty, name.isEmpty, let last = lastTouchedSlot {
            position = last
        } else {
            position = newSlot(wireIndex: (slots.map(\.wireIndex).max() ?? -1) + 1)
        }
        if slots[position].id.isEmpty { slots[position].id = id }
        if slots[position].name.isEmpty {
            slots[position].name = name
            outputBytes += name.utf8.count
        }
        guard slots[position].arguments.utf8.count + arguments.utf8.count <= maxToolArgumentBytes else {
            throw ModelError(.malformedResponse, ProviderParsing.argumentsTooLarge(name: slots[position].name, cap: maxToolArgumentBytes, provider: "OpenAI"))
        }
        slots[position].arguments += arguments
        outputBytes += arguments.utf8.count
        lastTouchedSlot = position
    }

    private mutating func newSlot(wireIndex: Int) -> Int {
        slots.append(Slot(wireIndex: wireIndex))
        slotByWireIndex[wireIndex] = slots.count - 1
        return slots.count - 1
    }

    /// The assembled tool calls so far, ordered by `index` (then by arrival), ids filled in.
    var toolCalls: [ToolCall] {
        let ordered = slots.enumerated().sorted { ($0.element.wireIndex, $0.offset) < ($1.element.wireIndex, $1.offset) }
        var calls = ordered.map { ToolCall(id: $0.element.id, name: $0.element.name, rawArguments: $0.element.arguments) }
        ProviderParsing.fillMissingIDs(&calls)
        return calls
    }

    /// The assembled response.
    ///
    /// - Throws: `.malformedResponse` when the stream ended with neither a `finish_reason` nor `[DONE]`.
    package func response() throws(ModelError) -> ModelResponse {
        guard isDone || finishReason != nil else {
            throw ModelError(.malformedResponse, "the OpenAI stream ended before the response was complete (no finish_reason and no [DONE])")
        }
        let calls = toolCalls
        return ModelResponse(text: text, toolCalls: calls, finishReason: Self.finishReason(finishReason, hasToolCalls: !calls.isEmpty), usage: usage)
    }

    /// The answer so far, for a stream cut past the output-token allowance: the text, no tool
    /// calls (their arguments may be unfinished), finish reason `.length`.
    package func cutResponse() -> ModelResponse {
        ModelResponse(text: text, toolCalls: [], finishReason: .length, usage: ProviderParsing.raisingOutput(usage, toBytes: outputBytes))
    }

    static func finishReason(_ raw: String?, hasToolCalls: Bool) -> ModelFinishReason {
        switch raw {
        case nil, "stop": hasToolCalls ? .toolCalls : .stop
        case "tool_calls", "function_call": .toolCalls
        case "length": .length
        case "content_filter": .contentFilter
        case let other?: .other(other)
        }
    }

    static func usage(from object: JSONValue) -> TokenUsage? {
        let input = ProviderParsing.count(object["prompt_tokens"])
        let output = ProviderParsing.count(object["completion_tokens"])
        guard input != nil || output != nil else { return nil }
        return TokenUsage(
            inputTokens: input ?? 0,
            outputTokens: output ?? 0,
            cachedInputTokens: ProviderParsing.count(object["prompt_tokens_details"]?["cached_tokens"]) ?? 0
        )
    }
}
