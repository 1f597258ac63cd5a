/// Reads JSON one token at a time, for callers that need a few fields of a document and not its
/// whole tree (a streamed model chunk).
///
/// The grammar, limits and string decoding are ``JSONValue/init(parsing:)``'s (the same parser
/// underneath), so a document this reader accepts parses the same way there. Skipped values are
/// validated, not built. Errors are ``JSONParseError``s; a caller that must report malformed input
/// exactly as the tree parser does can parse the input again with it.
///
/// ```swift
/// var reader = JSONReader(bytes: buffer)
/// try reader.beginObject()
/// while let key = try reader.nextKey() {
///     if key == "name" { name = try reader.readString() } else { try reader.skipValue() }
/// }
/// try reader.end()
/// ```
package struct JSONReader {
    /// The kind of the next value.
    package enum Kind: Equatable { case object, array, string, number, bool, null }

    private var parser: JSONParser
    /// A container was just opened: its first member (or its close) comes next.
    private var atContainerStart = false

    /// - Parameter bytes: UTF-8 JSON text; it must stay valid while the reader is used.
    package init(bytes: UnsafeBufferPointer<UInt8>) { parser = JSONParser(bytes: bytes) }

    /// The kind of the next value (skipping whitespace), without reading it.
    package mutating func peekKind() throws(JSONParseError) -> Kind {
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count else { throw parser.error("unexpected end of JSON") }
        switch parser.bytes[parser.index] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw parser.error("unexpected character '\(Character(Unicode.Scalar(parser.bytes[parser.index])))'")
        }
    }

    /// Opens the object that comes next; read its members with ``nextKey()``.
    package mutating func beginObject() throws(JSONParseError) {
        guard try peekKind() == .object else { throw parser.error("expected an object") }
        try parser.enter()
        parser.index += 1
        atContainerStart = true
    }

    /// An object key as read: its bytes in the input when it has no escapes (compared without
    /// making a string), else the decoded text.
    package struct Key {
        fileprivate enum Storage {
            case raw(UnsafeBufferPointer<UInt8>)
            case decoded(String)
        }

        fileprivate var storage: Storage

        /// The key as text.
        package var text: String {
            switch storage {
            case .raw(let bytes): String(decoding: bytes, as: UTF8.self)
            case .decoded(let text): text
            }
        }

        /// Lengths first, then bytes: a `switch` over a key compares it with each case's literal in
        /// turn, several times per member of a streamed chunk.
        package static func == (key: Key, literal: StaticString) -> Bool {
            switch key.storage {
            case .decoded(let text):
                return text == literal.description
            case .raw(let bytes):
                guard bytes.count == literal.utf8CodeUnitCount else { return false }
                let expected = literal.utf8Start
                for index in 0..<bytes.count where bytes[index] != expected[index] { return false }
                return true
            }
        }

        /// Lets a `switch` over a key use string literals.
        package static func ~= (literal: StaticString, key: Key) -> Bool { key == literal }
    }

    /// The key of the open object's next member (its value comes next), or `nil` once the object
    /// closed.
    package mutating func nextKey() throws(JSONParseError) -> String? {
        try nextRawKey()?.text
    }

    /// ``nextKey()`` without making a string of a key that has no escapes.
    package mutating func nextRawKey() throws(JSONParseError) -> Key? {
        guard try stepToNextItem(closing: UInt8(ascii: "}"), of: "object") else { return nil }
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "\"") else {
            throw parser.error("expected a string key")
        }
        let key = try readKey()
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: ":") else {
            throw parser.error("expected ':' after key")
        }
        parser.index += 1
        return key
    }

    private mutating func readKey() throws(JSONParseError) -> Key {
        if let raw = readUnescapedString() { return Key(storage: .raw(raw)) }
        // Escapes, a control character or no closing quote: the string parser decodes or reports it.
        return Key(storage: .decoded(try parser.parseString()))
    }

    /// With the parser at a string's opening quote: the bytes between the quotes, read past them,
    /// when the string has no escapes or control characters; else `nil`, with nothing read.
    private mutating func readUnescapedString() -> UnsafeBufferPointer<UInt8>? {
        let start = parser.index + 1
        var end = start
        while end < parser.bytes.count {
            let byte = parser.bytes[end]
            if byte == UInt8(ascii: "\"") {
                parser.index = end + 1
                return UnsafeBufferPointer(rebasing: parser.bytes[start..<end])
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            end += 1
        }
        return nil
    }

    /// Opens the array that comes next; step through its elements with ``nextElement()``.
    package mutating func beginArray() throws(JSONParseError) {
        guard try peekKind() == .array else { throw parser.error("expected an array") }
        try parser.enter()
        parser.index += 1
        atContainerStart = true
    }

    /// Whether the open array has another element (which comes next); `false` once it closed.
    package mutating func nextElement() throws(JSONParseError) -> Bool {
        try stepToNextItem(closing: UInt8(ascii: "]"), of: "array")
    }

    /// Steps over the `,` before the open container's next item, or over its `closing` byte (and
    /// leaves the container). `false` once the container closed.
    private mutating func stepToNextItem(closing: UInt8, of container: StaticString) throws(JSONParseError) -> Bool {
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count else { throw parser.error("unexpected end of JSON in \(container)") }
        let byte = parser.bytes[parser.index]
        if byte == closing {
            parser.index += 1
            parser.depth -= 1
            atContainerStart = false
            return false
        }
        if !atContainerStart {
            guard byte == UInt8(ascii: ",") else {
                throw parser.error("expected ',' or '\(Character(Unicode.Scalar(closing)))' in \(container)")
            }
            parser.index += 1
        }
        atContainerStart = false
        return true
    }

    /// The string that comes next (`nil`, and nothing read, when the next value is not a string).
    package mutating func readString() throws(JSONParseError) -> String? {
        guard try peekKind() == .string else { return nil }
        return try parser.parseString()
    }

    /// The bytes between the quotes of the next value when it is a string without escapes or
    /// control characters, read past it (nothing decoded, nothing allocated); `nil`, with nothing
    /// read, for any other value — ``readValue()`` then reads (or rejects) it as usual.
    package mutating func readRawString() throws(JSONParseError) -> UnsafeBufferPointer<UInt8>? {
        guard try peekKind() == .string, let raw = readUnescapedString() else { return nil }
        atContainerStart = false
        return raw
    }

    /// The next value, whole.
    package mutating func readValue() throws(JSONParseError) -> JSONValue {
        atContainerStart = false
        return try parser.parseValue()
    }

    /// Reads past the next value, checking it as ``JSONValue/init(parsing:)`` would but building
    /// nothing (a number is still converted, to refuse the same out-of-range numbers).
    package mutating func skipValue() throws(JSONParseError) {
        switch try peekKind() {
        case .object:
            try beginObject()
            while try nextKey() != nil { try skipValue() }
        case .array:
            try beginArray()
            while try nextElement() { try skipValue() }
        case .string:
            try parser.skipString()
        case .number:
            _ = try parser.parseNumber()
        case .bool, .null:
            _ = try parser.parseValue()
        }
    }

    /// Checks that nothing but whitespace follows the document's value.
    package mutating func end() throws(JSONParseError) {
        parser.skipWhitespace()
        if parser.index < parser.bytes.count {
            throw parser.error("unexpected '\(Character(Unicode.Scalar(parser.bytes[parser.index])))' after the JSON value")
        }
    }
}

extension JSONParser {
    /// Reads past a string, checking its escapes as ``parseString()`` does, decoding nothing.
    mutating func skipString() throws(JSONParseError) {
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return
            }
            if byte < 0x20 { throw error("unescaped control character in string") }
            if byte == UInt8(ascii: "\\") {
                index += 1
                guard index < bytes.count else { break }
                switch bytes[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    // A lone or broken surrogate decodes to U+FFFD: only the hex digits can fail.
                    _ = try parseHex4()
                default: throw error("invalid escape sequence in string")
                }
            }
            index += 1
        }
        throw error("unterminated string")
    }
}
