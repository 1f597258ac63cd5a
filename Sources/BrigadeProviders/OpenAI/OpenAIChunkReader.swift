import BrigadeCore

/// A forward reader over one stream chunk's bytes, for ``OpenAIChunkFields/scan(_:)``: the few
/// JSON steps the scan takes, in this module so that they are inlined (the pull reader it replaces
/// lived in `BrigadeCore`, and `package` functions are not inlined across modules: a call per
/// token), and no `JSONValue` is built for a scalar.
///
/// It accepts a subset of what `JSONValue(parsing:)` accepts and reads it the same way; anything
/// else fails (`nil`, `false`), and the scan then hands the whole payload to the tree parser, which
/// decides — and reports — as it always has. Left to the parser: keys with escapes, numbers with a
/// fraction or an exponent beyond plain ranges, integers of more than 18 characters, nesting deeper
/// than ``maxDepth``. A string with escapes is decoded by the parser (its literal alone).
struct OpenAIChunkReader {
    private let base: UnsafePointer<UInt8>
    private let count: Int
    private var index = 0
    private var depth = 0
    /// Deeper values go to the tree parser (whose own limit is 512).
    static let maxDepth = 64

    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return nil }
        self.base = base
        count = bytes.count
    }

    /// The next byte after whitespace, not consumed; `nil` at the end.
    @inline(__always)
    mutating func peek() -> UInt8? {
        while index < count {
            switch base[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return base[index]
            }
        }
        return nil
    }

    /// Consumes `byte` if it comes next (after whitespace).
    @inline(__always)
    mutating func take(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    /// Only whitespace is left.
    mutating func atEnd() -> Bool { peek() == nil }

    /// An object key without escapes, and the `:` after it: the key's bytes in the input.
    mutating func key() -> UnsafeBufferPointer<UInt8>? {
        guard peek() == Self.quote, let span = stringSpan(), !span.escaped, take(UInt8(ascii: ":")) else { return nil }
        return UnsafeBufferPointer(start: base + span.start, count: span.end - span.start)
    }

    /// Whether `key` is `name` (ASCII), lengths first.
    @inline(__always)
    static func key(_ key: UnsafeBufferPointer<UInt8>, is name: StaticString) -> Bool {
        guard key.count == name.utf8CodeUnitCount else { return false }
        let expected = name.utf8Start
        for position in 0..<key.count where key[position] != expected[position] { return false }
        return true
    }

    /// The string that comes next, decoded (invalid UTF-8 as U+FFFD, as the parser does).
    mutating func string() -> String? {
        guard peek() == Self.quote else { return nil }
        let literalStart = index
        guard let span = stringSpan() else { return nil }
        if !span.escaped {
            return String(decoding: UnsafeBufferPointer(start: base + span.start, count: span.end - span.start), as: UTF8.self)
        }
        let literal = UnsafeBufferPointer(start: base + literalStart, count: index - literalStart)
        guard case .string(let text)? = try? JSONValue(parsing: literal) else { return nil }
        return text
    }

    /// The bytes between the quotes of the string that comes next when it has no escapes.
    mutating func rawString() -> UnsafeBufferPointer<UInt8>? {
        guard peek() == Self.quote else { return nil }
        let start = index
        guard let span = stringSpan() else { return nil }
        if span.escaped {
            index = start
            return nil
        }
        return UnsafeBufferPointer(start: base + span.start, count: span.end - span.start)
    }

    /// Consumes `null` if it comes next.
    mutating func takeNull() -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        return literal("null")
    }

    /// An integer of up to 18 characters (sign included) that comes next, as the parser reads it
    /// in place; `nil`, with nothing read, for anything else.
    mutating func integer() -> Int? {
        guard let first = peek(), first == UInt8(ascii: "-") || Self.isDigit(first) else { return nil }
        let start = index
        var position = first == UInt8(ascii: "-") ? start + 1 : start
        guard position < count, Self.isDigit(base[position]) else { return nil }
        if base[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            while position < count, Self.isDigit(base[position]) { position += 1 }
        }
        if position < count {
            switch base[position] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "0")...UInt8(ascii: "9"): return nil
            default: break
            }
        }
        guard position - start <= 18 else { return nil }
        var value = 0
        for digit in (first == UInt8(ascii: "-") ? start + 1 : start)..<position {
            value = value &* 10 &+ Int(base[digit] &- UInt8(ascii: "0"))
        }
        index = position
        return first == UInt8(ascii: "-") ? -value : value
    }

    /// The value that comes next, read past and checked, nothing built.
    mutating func skipValue() -> Bool {
        guard let first = peek() else { return false }
        switch first {
        case UInt8(ascii: "{"):
            guard beginObject() else { return false }
            if endObject() { return true }
            repeat {
                guard peek() == Self.quote, stringSpan() != nil, take(UInt8(ascii: ":")), skipValue() else { return false }
            } while comma()
            return endObject()
        case UInt8(ascii: "["):
            guard beginArray() else { return false }
            if endArray() { return true }
            repeat {
                guard skipValue() else { return false }
            } while comma()
            return endArray()
        case Self.quote:
            return stringSpan() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return skipNumber()
        default: return false
        }
    }

    /// Opens the object that comes next.
    mutating func beginObject() -> Bool { take(UInt8(ascii: "{")) && enter() }

    /// Closes the open object if its `}` comes next.
    mutating func endObject() -> Bool { leave(UInt8(ascii: "}")) }

    /// Opens the array that comes next.
    mutating func beginArray() -> Bool { take(UInt8(ascii: "[")) && enter() }

    /// Closes the open array if its `]` comes next.
    mutating func endArray() -> Bool { leave(UInt8(ascii: "]")) }

    /// Consumes the `,` before a container's next item if it comes next.
    mutating func comma() -> Bool { take(UInt8(ascii: ",")) }

    // MARK: - Tokens

    private static let quote = UInt8(ascii: "\"")

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20) &- UInt8(ascii: "a") < 6
    }

    private mutating func enter() -> Bool {
        depth += 1
        return depth <= Self.maxDepth
    }

    private mutating func leave(_ closing: UInt8) -> Bool {
        guard take(closing) else { return false }
        depth -= 1
        return true
    }

    /// With `index` at a string's opening quote: reads past the string, checking what the parser
    /// checks (no control characters; escapes `\" \\ \/ \b \f \n \r \t \uXXXX`). The content's
    /// bounds, and whether it had escapes.
    private mutating func stringSpan() -> (start: Int, end: Int, escaped: Bool)? {
        let start = index + 1
        var position = start
        var escaped = false
        while position < count {
            let byte = base[position]
            if byte == Self.quote {
                index = position + 1
                return (start, position, escaped)
            }
            if byte < 0x20 { return nil }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                guard position + 1 < count else { return nil }
                switch base[position + 1] {
                case Self.quote, UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 2
                case UInt8(ascii: "u"):
                    guard position + 5 < count else { return nil }
                    for digit in position + 2...position + 5 where !Self.isHexDigit(base[digit]) { return nil }
                    position += 6
                default:
                    return nil
                }
                continue
            }
            position += 1
        }
        return nil
    }

    private mutating func literal(_ text: StaticString) -> Bool {
        let length = text.utf8CodeUnitCount
        guard index + length <= count else { return false }
        for offset in 0..<length where base[index + offset] != text.utf8Start[offset] { return false }
        index += length
        return true
    }

    /// A number in JSON's grammar that the parser takes as it is: an integer of up to 18
    /// characters, or one with a fraction or an exponent whose value is plainly finite (at most 20
    /// integer digits, an exponent of at most 3 digits and below 280 in size).
    private mutating func skipNumber() -> Bool {
        if integer() != nil { return true }
        var position = index
        if base[position] == UInt8(ascii: "-") { position += 1 }
        let integerStart = position
        guard position < count, Self.isDigit(base[position]) else { return false }
        if base[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            while position < count, Self.isDigit(base[position]) { position += 1 }
        }
        guard position - integerStart <= 20 else { return false }
        var isInteger = true
        if position < count, base[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            let digits = position
            while position < count, Self.isDigit(base[position]) { position += 1 }
            guard position > digits else { return false }
        }
        if position < count, base[position] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            position += 1
            if position < count, base[position] == UInt8(ascii: "+") || base[position] == UInt8(ascii: "-") { position += 1 }
            let digits = position
            var exponent = 0
            while position < count, Self.isDigit(base[position]) {
                exponent = exponent * 10 + Int(base[position] - UInt8(ascii: "0"))
                position += 1
                guard position - digits <= 3 else { return false }
            }
            guard position > digits, exponent < 280 else { return false }
        }
        // A long integer without fraction or exponent: the parser's `Int`/`Double` reading is its own.
        guard !isInteger else { return false }
        index = position
        return true
    }
}
