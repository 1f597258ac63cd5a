import BrigadeCore

/// The fields of one Chat Completions stream chunk that ``OpenAIStreamAssembler`` uses, read with an
/// ``OpenAIChunkReader`` instead of a `JSONValue` tree per chunk (a turn of 1,000 calls streams
/// about 1,700 chunks; a batch item 6).
///
/// ``scan(_:)`` reads only the common shape of a chunk and gives up (`nil`) on anything else: a
/// payload that is not valid JSON, an `error` payload, a repeated key it reads, a choice with a
/// `message` instead of a `delta`, a legacy `function_call`, a tool-call entry or choice that is not
/// an object. The assembler then parses that payload as a tree, as before, so errors and odd chunks
/// are handled — and reported — exactly as they were. A scalar field is read only when it has the
/// type the tree path would convert it from (`intValue`: an integer or `null`; `stringValue`: a
/// string or `null`); any other type also goes to the tree path.
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

    /// Whether `usage` was an object, and then its counts as ``OpenAIStreamAssembler/usage(from:)``
    /// reads them (`nil` when it has neither input nor output).
    var hasUsage = false
    var usage: TokenUsage?
    /// `nil` when `choices` is missing or not an array.
    var choices: [Choice]?

    /// The fields of `payload` (trimmed JSON text), or `nil` when the tree path must read it.
    static func scan(_ payload: UnsafeBufferPointer<UInt8>) -> OpenAIChunkFields? {
        guard var reader = OpenAIChunkReader(payload), reader.beginObject() else { return nil }
        var fields = OpenAIChunkFields()
        if !reader.endObject() {
            var seen = SeenKeys()
            repeat {
                guard let key = reader.key(), readMember(key, of: &fields, seen: &seen, &reader) else { return nil }
            } while reader.comma()
            guard reader.endObject() else { return nil }
        }
        return reader.atEnd() ? fields : nil
    }

    private static func readMember(
        _ key: UnsafeBufferPointer<UInt8>, of fields: inout OpenAIChunkFields, seen: inout SeenKeys, _ reader: inout OpenAIChunkReader
    ) -> Bool {
        if OpenAIChunkReader.key(key, is: "choices") {
            guard seen.first(3) else { return false }
            guard reader.peek() == UInt8(ascii: "[") else { return reader.skipValue() }
            guard reader.beginArray() else { return false }
            var choices: [Choice] = []
            if !reader.endArray() {
                repeat {
                    guard let choice = readChoice(&reader) else { return false }
                    choices.append(choice)
                } while reader.comma()
                guard reader.endArray() else { return false }
            }
            fields.choices = choices
        } else if OpenAIChunkReader.key(key, is: "object") {
            guard seen.first(1) else { return false }
            // Every chunk says "chat.completion.chunk": compared in place, not decoded.
            if let raw = reader.rawString() { return !OpenAIChunkReader.key(raw, is: "error") }
            guard reader.peek() == UInt8(ascii: "\"") else { return reader.skipValue() }
            guard let text = reader.string() else { return false }
            return text != "error"
        } else if OpenAIChunkReader.key(key, is: "usage") {
            guard seen.first(2) else { return false }
            guard reader.peek() == UInt8(ascii: "{") else { return reader.skipValue() }
            guard readUsage(&reader, into: &fields.usage) else { return false }
            fields.hasUsage = true
        } else if OpenAIChunkReader.key(key, is: "error") {
            return seen.first(0) && reader.takeNull()
        } else {
            return reader.skipValue()
        }
        return true
    }

    private static func readChoice(_ reader: inout OpenAIChunkReader) -> Choice? {
        guard reader.beginObject() else { return nil }
        var choice = Choice()
        if reader.endObject() { return choice }
        var seen = SeenKeys()
        repeat {
            guard let key = reader.key() else { return nil }
            if OpenAIChunkReader.key(key, is: "index") {
                guard seen.first(0) else { return nil }
                if let index = reader.integer() {
                    choice.index = index
                } else {
                    guard reader.takeNull() else { return nil }
                }
            } else if OpenAIChunkReader.key(key, is: "delta") {
                guard seen.first(2) else { return nil }
                choice.hasDelta = true
                if reader.peek() == UInt8(ascii: "{") {
                    guard readDelta(&reader, into: &choice) else { return nil }
                } else {
                    guard reader.skipValue() else { return nil }
                }
            } else if OpenAIChunkReader.key(key, is: "finish_reason") {
                guard seen.first(1), readText(&reader, into: &choice.finishReason) else { return nil }
            } else if OpenAIChunkReader.key(key, is: "message") {
                return nil
            } else {
                guard reader.skipValue() else { return nil }
            }
        } while reader.comma()
        return reader.endObject() ? choice : nil
    }

    /// Reads a `delta` object into `choice`; `false` when the tree path must read the chunk.
    private static func readDelta(_ reader: inout OpenAIChunkReader, into choice: inout Choice) -> Bool {
        guard reader.beginObject() else { return false }
        if reader.endObject() { return true }
        var seen = SeenKeys()
        repeat {
            guard let key = reader.key() else { return false }
            if OpenAIChunkReader.key(key, is: "content") {
                guard seen.first(0), readText(&reader, into: &choice.content) else { return false }
            } else if OpenAIChunkReader.key(key, is: "tool_calls") {
                guard seen.first(3) else { return false }
                if reader.peek() == UInt8(ascii: "[") {
                    guard reader.beginArray() else { return false }
                    if !reader.endArray() {
                        repeat {
                            guard let call = readToolCall(&reader) else { return false }
                            choice.toolCalls.append(call)
                        } while reader.comma()
                        guard reader.endArray() else { return false }
                    }
                } else {
                    guard reader.skipValue() else { return false }
                }
            } else if OpenAIChunkReader.key(key, is: "refusal") {
                guard seen.first(1), readText(&reader, into: &choice.refusal) else { return false }
            } else if OpenAIChunkReader.key(key, is: "function_call") {
                guard seen.first(2), reader.peek() != UInt8(ascii: "{"), reader.skipValue() else { return false }
            } else {
                guard reader.skipValue() else { return false }
            }
        } while reader.comma()
        return reader.endObject()
    }

    private static func readToolCall(_ reader: inout OpenAIChunkReader) -> ToolCallDelta? {
        guard reader.beginObject() else { return nil }
        var call = ToolCallDelta()
        if reader.endObject() { return call }
        var seen = SeenKeys()
        repeat {
            guard let key = reader.key() else { return nil }
            if OpenAIChunkReader.key(key, is: "index") {
                guard seen.first(0) else { return nil }
                if let index = reader.integer() {
                    call.wireIndex = index
                } else {
                    guard reader.takeNull() else { return nil }
                }
            } else if OpenAIChunkReader.key(key, is: "function") {
                guard seen.first(2) else { return nil }
                if reader.peek() == UInt8(ascii: "{") {
                    guard readFunction(&reader, into: &call) else { return nil }
                } else {
                    guard reader.skipValue() else { return nil }
                }
            } else if OpenAIChunkReader.key(key, is: "id") {
                guard seen.first(1), readText(&reader, orEmpty: &call.id) else { return nil }
            } else {
                guard reader.skipValue() else { return nil }
            }
        } while reader.comma()
        return reader.endObject() ? call : nil
    }

    private static func readFunction(_ reader: inout OpenAIChunkReader, into call: inout ToolCallDelta) -> Bool {
        guard reader.beginObject() else { return false }
        if reader.endObject() { return true }
        var seen = SeenKeys()
        repeat {
            guard let key = reader.key() else { return false }
            if OpenAIChunkReader.key(key, is: "arguments") {
                // A string, or `null` (""); arguments sent as an object take the tree path.
                guard seen.first(1), readText(&reader, orEmpty: &call.arguments) else { return false }
            } else if OpenAIChunkReader.key(key, is: "name") {
                guard seen.first(0), readText(&reader, orEmpty: &call.name) else { return false }
            } else {
                guard reader.skipValue() else { return false }
            }
        } while reader.comma()
        return reader.endObject()
    }

    /// The counts of a `usage` object, as ``OpenAIStreamAssembler/usage(from:)`` reads them from its tree.
    private static func readUsage(_ reader: inout OpenAIChunkReader, into usage: inout TokenUsage?) -> Bool {
        guard reader.beginObject() else { return false }
        var input: Int?
        var output: Int?
        var cached: Int?
        if !reader.endObject() {
            var seen = SeenKeys()
            repeat {
                guard let key = reader.key() else { return false }
                if OpenAIChunkReader.key(key, is: "prompt_tokens") {
                    guard seen.first(0), readCount(&reader, into: &input) else { return false }
                } else if OpenAIChunkReader.key(key, is: "completion_tokens") {
                    guard seen.first(1), readCount(&reader, into: &output) else { return false }
                } else if OpenAIChunkReader.key(key, is: "prompt_tokens_details") {
                    guard seen.first(2) else { return false }
                    if reader.peek() == UInt8(ascii: "{") {
                        guard readCachedTokens(&reader, into: &cached) else { return false }
                    } else {
                        guard reader.skipValue() else { return false }
                    }
                } else {
                    guard reader.skipValue() else { return false }
                }
            } while reader.comma()
            guard reader.endObject() else { return false }
        }
        usage = input == nil && output == nil ? nil : TokenUsage(inputTokens: input ?? 0, outputTokens: output ?? 0, cachedInputTokens: cached ?? 0)
        return true
    }

    /// `cached_tokens` of a `prompt_tokens_details` object.
    private static func readCachedTokens(_ reader: inout OpenAIChunkReader, into cached: inout Int?) -> Bool {
        guard reader.beginObject() else { return false }
        if reader.endObject() { return true }
        var seen = SeenKeys()
        repeat {
            guard let key = reader.key() else { return false }
            if OpenAIChunkReader.key(key, is: "cached_tokens") {
                guard seen.first(0), readCount(&reader, into: &cached) else { return false }
            } else {
                guard reader.skipValue() else { return false }
            }
        } while reader.comma()
        return reader.endObject()
    }

    /// A token count as `ProviderParsing.count` reads it: an integer not below zero; `nil` for a
    /// negative one or a value that is not a number. Other numbers go to the tree path.
    private static func readCount(_ reader: inout OpenAIChunkReader, into count: inout Int?) -> Bool {
        if let number = reader.integer() {
            count = number >= 0 ? number : nil
            return true
        }
        guard let next = reader.peek(), next != UInt8(ascii: "-"), !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) else { return false }
        count = nil
        return reader.skipValue()
    }

    /// A string or `null` (as the tree's `stringValue`); `false` for any other value.
    private static func readText(_ reader: inout OpenAIChunkReader, into text: inout String?) -> Bool {
        if reader.takeNull() {
            text = nil
            return true
        }
        guard let string = reader.string() else { return false }
        text = string
        return true
    }

    /// A string, or `null` as `""` (as the tree's `stringValue ?? ""`); `false` for any other value.
    private static func readText(_ reader: inout OpenAIChunkReader, orEmpty text: inout String) -> Bool {
        if reader.takeNull() {
            text = ""
            return true
        }
        guard let string = reader.string() else { return false }
        text = string
        return true
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
