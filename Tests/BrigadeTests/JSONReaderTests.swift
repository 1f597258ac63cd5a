import Testing
@testable import BrigadeCore

@Suite("JSON reader", .timeLimit(.minutes(1)))
struct JSONReaderTests {
    /// Skips one document with a reader: `nil` when it is accepted, else the error.
    func skip(_ text: String) -> JSONParseError? {
        Array(text.utf8).withUnsafeBufferPointer { buffer in
            var reader = JSONReader(bytes: buffer)
            do throws(JSONParseError) {
                try reader.skipValue()
                try reader.end()
                return nil
            } catch {
                return error
            }
        }
    }

    @Test(arguments: [
        "{}", "[]", #"{"a":[1,-2.5e-3,true,false,null,"x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\udc00"],"b":{}}"#, " \n\t[ 1 , { } ] \r",
        "0", "-0", "1E+2", #""""#, "[1,]", "{,}", #"{"a":1,}"#, #"{"a" 1}"#, #"{"a":}"#, "[1 2]", "01", "1.", "-", "1e", "1e400",
        "tru", "nul", "[", "{", #"{"a""#, #""abc"#, "\"\u{01}\"", #""\x""#, #""\u12g4""#, #""\u12"#, "[1] x", "", " ",
        String(repeating: "[", count: 512) + String(repeating: "]", count: 512),
        String(repeating: "[", count: 513) + String(repeating: "]", count: 513),
    ])
    func skippingAcceptsWhatTheTreeParserAccepts(text: String) {
        let treeAccepts = (try? JSONValue(parsing: text)) != nil
        let error = skip(text)
        #expect((error == nil) == treeAccepts, "\(text.prefix(60)): \(String(describing: error))")
    }

    @Test func membersAndElementsAreReadInOrder() throws {
        let text = #"{"name": "w\"x", "list": [1, "two", {"three": 3}], "skip": {"deep": [[]]}, "n": null}"#
        var seen: [String] = []
        try Array(text.utf8).withUnsafeBufferPointer { buffer throws(JSONParseError) in
            var reader = JSONReader(bytes: buffer)
            try reader.beginObject()
            while let key = try reader.nextKey() {
                seen.append(key)
                switch key {
                case "name":
                    seen.append(try reader.readString() ?? "-")
                case "list":
                    try reader.beginArray()
                    while try reader.nextElement() {
                        if let text = try reader.readString() { seen.append(text) } else { seen.append(try reader.readValue().jsonString) }
                    }
                case "n":
                    #expect(try reader.readString() == nil)
                    #expect(try reader.peekKind() == .null)
                    try reader.skipValue()
                default:
                    try reader.skipValue()
                }
            }
            try reader.end()
        }
        #expect(seen == ["name", #"w"x"#, "list", "1", "two", #"{"three":3}"#, "skip", "n"])
    }
}
