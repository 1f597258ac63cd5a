import Brigade
import Testing

/// `JSONValue(parsing:)`: objects built from the parser's stack of members, strings decoded
/// straight from the input when they have no escapes.
@Suite("JSON parsing")
struct JSONParsingTests {
    @Test func nestedObjectsKeepTheirOwnMembersInOrder() throws {
        let text = #"{"a":{"b":1,"c":{"d":[{"e":true},{}],"f":null}},"g":"h","i":[{"j":{"k":2}}]}"#
        let value = try JSONValue(parsing: text)
        #expect(value.objectValue?.keys == ["a", "g", "i"])
        #expect(value["a"]?.objectValue?.keys == ["b", "c"])
        #expect(value["a"]?["c"]?.objectValue?.keys == ["d", "f"])
        #expect(value["a"]?["c"]?["d"]?.arrayValue?.map { $0.objectValue?.count } == [1, 0])
        #expect(value["i"]?.arrayValue?.first?["j"]?["k"] == .integer(2))
        #expect(value.jsonString == text)
    }

    @Test func aDuplicateKeyKeepsItsFirstPlaceAndItsLastValue() throws {
        let value = try JSONValue(parsing: #"{"x":1,"y":{"x":"inner"},"x":3}"#)
        #expect(value.objectValue?.keys == ["x", "y"])
        #expect(value["x"] == .integer(3))
        #expect(value["y"]?["x"] == .string("inner"))
    }

    @Test func stringsWithAndWithoutEscapesDecode() throws {
        let long = String(repeating: "plain text, no escapes ", count: 4)
        let text = #"{"short":"ok","long":"\#(long)","escaped":"a\"b\\c\/d\n\te\u00e9\ud83d\ude00","lone":"\udc00x"}"#
        let value = try JSONValue(parsing: text)
        #expect(value["short"] == .string("ok"))
        #expect(value["long"] == .string(long))
        #expect(value["escaped"] == .string("a\"b\\c/d\n\te\u{e9}\u{1F600}"))
        #expect(value["lone"] == .string("\u{FFFD}x"))
    }

    @Test func invalidUTF8InAStringBecomesTheReplacementCharacter() throws {
        let bytes: [UInt8] = Array(#"{"k":"a"#.utf8) + [0xFF] + Array(#"b"}"#.utf8)
        #expect(try JSONValue(parsing: bytes)["k"] == .string("a\u{FFFD}b"))
    }

    @Test func aSliceOfATextParsesFromItsOwnBytes() throws {
        let event = #"data: {"choices":[{"delta":{"content":"hi"}}]}"#
        let payload = event.dropFirst(6)
        #expect(try JSONValue(parsing: payload.utf8)["choices"]?.arrayValue?.first?["delta"]?["content"] == .string("hi"))
        #expect(try JSONValue(parsing: Array(payload.utf8).lazy.map { $0 }) == JSONValue(parsing: String(payload)))
    }

    @Test func errorsInsideNestedObjectsAreReported() {
        for bad in [#"{"a":{"b":1,}}"#, #"{"a":{"b" 1}}"#, #"{"a":[{"b":1}"#, #"{"a":"\u12"}"#] {
            #expect(throws: JSONParseError.self) { try JSONValue(parsing: bad) }
        }
    }
}
