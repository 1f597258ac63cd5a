import BrigadeCore

/// The fields of one Chat Completions stream chunk that ``OpenAIStreamAssembler`` uses, read with a
/// ``JSONReader`` instead of a `JSONValue` tree per chunk (a turn of 1,000 calls streams about
/// 1,700 chunks).
///
/// ``scan(_:)`` reads only the common shape of a chunk and gives up (`nil`) on anything else: a
/// payload that is not valid JSON, an `error` payload, a repeated key it reads, a choice with a
/// `message` instead of a `delta`, a legacy `function_call`, a tool-call entry or choice that is not
/// an object. The assembler then parses that payload as a tree, as before, so errors and odd chunks
/// are handled — and reported — exactly as they were. The scalar fields are read as `JSONValue`s
/// and converted the way the tree path converts them (`intValue`, `stringValue`).
struct OpenAIChunkFields {
    struct ToolCallDelta {
        var wireIndex: Int?
        var id = ""
        var name = ""
        var arguments = ""
    }

    struct Choice {
        var index = 0
        var finishReason: String?
        /// The choice had a `delta` (of any type; only an object's fields count).
        var hasDelta = false
        var content: String?
        var refusal: String?
        var toolCalls: [ToolCallDelta] = []
    }

    /// `usage`, when it is an object.
    var usage: JSONValue?
    /// `nil` when `choices` is missing or not an array.
    var choices: [Choice]?

    /// The fields of `payload` (trimmed JSON text), or `nil` when the tree path must read it.
    static func scan(_ payload: UnsafeBufferPointer<UInt8>) -> OpenAIChunkFields? {
        var reader = JSONReader(bytes: payload)
        do throws(JSONParseError) {
            guard try reader.peekKind() == .object else { return nil }
            var fields = OpenAIChunkFields()
            var seen = SeenKeys()
            try reader.beginObject()
            while let key = try reader.nextRawKey() {
                switch key {
                case "error":
                    guard seen.first(0), try reader.peekKind() == .null else { return nil }
                    try reader.skipValue()
                case "object":
                    guard seen.first(1) else { return nil }
                    // Every chunk says "chat.completion.chunk": compared in place, not decoded.
                    if let raw = try reader.readRawString() {
                        if raw.elementsEqual("error".utf8) { return nil }
                    } else if try reader.readValue().stringValue == "error" {
                        return nil
                    }
                case "usage":
                    guard seen.first(2) else { return nil }
                    let usage = try reader.readValue()
                    if case .object = usage { fields.usage = usage }
                case "choices":
                    guard seen.first(3) else { return nil }
                    guard try reader.peekKind() == .array else {
                        try reader.skipValue()
                        continue
                    }
                    var choices: [Choice] = []
                    try reader.beginArray()
                    while try reader.nextElement() {
                        guard let choice = try readChoice(&reader) else { return nil }
                        choices.append(choice)
                    }
                    fields.choices = choices
                default:
                    try reader.skipValue()
                }
            }
            try reader.end()
            return fields
        } catch {
            return nil
        }
    }

    private static func readChoice(_ reader: inout JSONReader) throws(JSONParseError) -> Choice? {
        guard try reader.peekKind() == .object else { return nil }
        var choice = Choice()
        var seen = SeenKeys()
        try reader.beginObject()
        while let key = try reader.nextRawKey() {
            switch key {
            case "index":
                guard seen.first(0) else { return nil }
                choice.index = try reader.readValue().intValue ?? 0
            case "finish_reason":
                guard seen.first(1) else { return nil }
                choice.finishReason = try reader.readValue().stringValue
            case "message":
                return nil
            case "delta":
                guard seen.first(2) else { return nil }
                choice.hasDelta = true
                guard try reader.peekKind() == .object else {
                    try reader.skipValue()
                    continue
                }
                guard try readDelta(&reader, into: &choice) else { return nil }
            default:
                try reader.skipValue()
            }
        }
        return choice
    }

    /// Reads a `delta` object into `choice`; `false` when the tree path must read the chunk.
    private static func readDelta(_ reader: inout JSONReader, into choice: inout Choice) throws(JSONParseError) -> Bool {
        var seen = SeenKeys()
        try reader.beginObject()
        while let key = try reader.nextRawKey() {
            switch key {
            case "content":
                guard seen.first(0) else { return false }
                choice.content = try reader.readValue().stringValue
            case "refusal":
                guard seen.first(1) else { return false }
                choice.refusal = try reader.readValue().stringValue
            case "function_call":
                guard seen.first(2) else { return false }
                if case .object = try reader.readValue() { return false }
            case "tool_calls":
                guard seen.first(3) else { return false }
                guard try reader.peekKind() == .array else {
                    try reader.skipValue()
                    continue
                }
                try reader.beginArray()
                while try reader.nextElement() {
                    guard let call = try readToolCall(&reader) else { return false }
                    choice.toolCalls.append(call)
                }
            default:
                try reader.skipValue()
            }
        }
        return true
    }

    private static func readToolCall(_ reader: inout JSONReader) throws(JSONParseError) -> ToolCallDelta? {
        guard try reader.peekKind() == .object else { return nil }
        var call = ToolCallDelta()
        var seen = SeenKeys()
        try reader.beginObject()
        while let key = try reader.nextRawKey() {
            switch key {
            case "index":
                guard seen.first(0) else { return nil }
                call.wireIndex = try reader.readValue().intValue
            case "id":
                guard seen.first(1) else { return nil }
                call.id = try reader.readValue().stringValue ?? ""
            case "function":
                guard seen.first(2) else { return nil }
                guard try reader.peekKind() == .object else {
                    try reader.skipValue()
                    continue
                }
                var seenInFunction = SeenKeys()
                try reader.beginObject()
                while let key = try reader.nextRawKey() {
                    switch key {
                    case "name":
                        guard seenInFunction.first(0) else { return nil }
                        call.name = try reader.readValue().stringValue ?? ""
                    case "arguments":
                        guard seenInFunction.first(1) else { return nil }
                        call.arguments = OpenAIResponseDecoder.arguments(of: try reader.readValue())
                    default:
                        try reader.skipValue()
                    }
                }
            default:
                try reader.skipValue()
            }
        }
        return call
    }

    /// Which of an object's keys were read: a repeated one means the tree's "last value wins" rule,
    /// which the scan does not follow.
    private struct SeenKeys {
        var bits: UInt8 = 0

        /// Marks key number `bit`; `false` when it was already seen.
        mutating func first(_ bit: UInt8) -> Bool {
            let mask: UInt8 = 1 << bit
            defer { bits |= mask }
            return bits & mask == 0
        }
    }
}
