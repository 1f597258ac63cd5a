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

    /// Short integers are read digit by digit, longer ones through `Int.init`, the rest as `Double`s:
    /// every one must come out as `Int(text)` / `Double(text)` give it.
    @Test func integersOfEveryLengthReadAsIntDoes() throws {
        var texts = ["0", "-0", "7", "-7", "10", "123456789012345678", "-12345678901234567", "999999999999999999", "-999999999999999999",
                     "1000000000000000000", "-1000000000000000000", "9223372036854775807", "-9223372036854775808",
                     "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "1.0", "-0.5", "1e3", "12E-2"]
        for digits in 1...20 { texts.append(String(repeating: "9", count: digits)); texts.append("-" + String(repeating: "8", count: digits)) }
        for text in texts {
            let parsed = try JSONValue(parsing: text)
            let inArray = try JSONValue(parsing: "[\(text), \(text)]")
            let expected: JSONValue = text.contains(where: { ".eE".contains($0) }) ? .number(Double(text)!) : Int(text).map(JSONValue.integer) ?? .number(Double(text)!)
            #expect(parsed == expected, "\(text)")
            #expect(inArray == .array([expected, expected]), "\(text)")
        }
        for bad in ["-", "01", "-01", "1.", "--1", "1e"] {
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONValue(parsing: bad) }
        }
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
