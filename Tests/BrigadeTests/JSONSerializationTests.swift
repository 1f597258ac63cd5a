import Testing

@testable import BrigadeCore

/// `JSONValue.jsonString`, `prettyJSONString` and `jsonBytes`, written as bytes.
@Suite("JSON serialization")
struct JSONSerializationTests {
    @Test func everyEscapeIsWritten() throws {
        let text = "q\"b\\n\nr\rt\tb\u{8}f\u{C}c\u{1}\u{1F}ls\u{2028}ps\u{2029}e\u{2030}é😀"
        let expected = #""q\"b\\n\nr\rt\tb\bf\fc\u0001\u001fls\u2028ps\u2029e‰é😀""#
        #expect(JSONValue.string(text).jsonString == expected)
        #expect(JSONValue.string(text).jsonBytes == Array(expected.utf8))
        #expect(try JSONValue(parsing: expected) == .string(text))
    }

    @Test func aStringEndingInAPartOfALineSeparatorIsKeptAsIs() {
        // E2 80 without its third byte cannot occur in valid UTF-8; E2 alone starts other characters.
        #expect(JSONValue.string("x\u{2000}").jsonString == "\"x\u{2000}\"")
        #expect(JSONValue.string("\u{20AC}").jsonString == "\"\u{20AC}\"")
    }

    @Test func compactAndIndentedTextKeepKeyOrder() {
        let value: JSONValue = ["b": [1, 2.5, true, .null], "a": ["nested": [:], "list": []], "n": .number(3.0)]
        #expect(value.jsonString == #"{"b":[1,2.5,true,null],"a":{"nested":{},"list":[]},"n":3}"#)
        #expect(value.prettyJSONString == """
            {
              "b": [
                1,
                2.5,
                true,
                null
              ],
              "a": {
                "nested": {},
                "list": []
              },
              "n": 3
            }
            """)
    }

    @Test func nonFiniteNumbersBecomeNull() {
        #expect(JSONValue.array([.number(.infinity), .number(.nan), .integer(-7), .number(1e300)]).jsonString == "[null,null,-7,1e+300]")
    }
}
