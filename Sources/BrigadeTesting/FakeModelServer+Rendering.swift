import Brigade

/// What the fake server sends for one turn: either a JSON body or a list of server-sent events.
struct FakeRendering: Sendable {
    /// Whole SSE events (`event: …\ndata: …\n\n`), for a streamed answer.
    var events: [String]
    /// The JSON body, for a non-streamed answer.
    var body: String?
    /// An error event in this API's style.
    var errorEvent: @Sendable (_ type: String, _ message: String) -> String
}

/// Rendering helpers shared by both APIs.
enum FakeWire {
    /// `text` in pieces of `size` characters (never splitting a character).
    static func pieces(_ text: String, size: Int) -> [String] {
        var result: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if current.count >= size {
                result.append(current)
                current = ""
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// Usage for a turn: the scripted one, or ~4 bytes a token of request and of output.
    static func usage(for turn: FakeTurn, request: FakeModelRequest) -> TokenUsage {
        if let usage = turn.usage { return usage }
        let output = turn.text.utf8.count + turn.toolCalls.reduce(0) { $0 + $1.name.utf8.count + $1.arguments.utf8.count }
        return TokenUsage(inputTokens: max(1, request.bodyText.utf8.count / 4), outputTokens: max(1, output / 4))
    }

    static func dataEvent(_ json: JSONValue) -> String { "data: \(json.jsonString)\n\n" }

    static func namedEvent(_ name: String, _ json: JSONValue) -> String { "event: \(name)\ndata: \(json.jsonString)\n\n" }

    /// Adds a vendor-extension field when the quirk asks for it.
    static func extra(_ object: JSONObject, _ quirks: FakeQuirks) -> JSONValue {
        var object = object
        if quirks.extraFields { object["x_fake"] = ["note": "an unknown field", "n": 1] }
        return .object(object)
    }
}
