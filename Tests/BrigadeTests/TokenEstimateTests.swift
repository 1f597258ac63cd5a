import Brigade
import Testing

@Suite("Token estimate of a request", .timeLimit(.minutes(1)))
struct TokenEstimateTests {
    let schema: JSONValue = ["type": "object", "properties": ["path": ["type": "string", "description": "a file"]], "required": ["path"]]

    /// The estimate as its documentation defines it, measuring each schema afresh.
    func expected(_ request: ModelRequest) -> Int {
        var bytes = 0
        for message in request.messages {
            bytes += 16
            if case .user(let text) = message { bytes += text.utf8.count }
        }
        for tool in request.tools {
            bytes += 16 + tool.name.utf8.count + tool.description.utf8.count + tool.parameters.jsonString.utf8.count
        }
        return (bytes + 3) / 4
    }

    @Test func theCachedSchemaSizeGivesTheDocumentedEstimateEveryTime() {
        let tools = (1...12).map { ToolSpec(name: "tool_\($0)", description: "reads \($0) things", parameters: schema) }
        let request = ModelRequest(messages: [.user("how big is the repository?")], tools: tools)
        #expect(request.estimatedInputTokens == expected(request))
        // Measured once, read again: the same number.
        #expect(request.estimatedInputTokens == expected(request))
        let copy = request
        #expect(copy.estimatedInputTokens == expected(request))
    }

    @Test func changingASchemaChangesTheEstimate() {
        var spec = ToolSpec(name: "read", description: "reads a file", parameters: schema)
        let before = ModelRequest(messages: [.user("read it")], tools: [spec])
        let first = before.estimatedInputTokens
        #expect(first == expected(before))

        // A copy made before the change keeps its own size; the changed spec is measured again.
        spec.parameters = ["type": "object", "properties": ["path": ["type": "string", "description": .string(String(repeating: "long description ", count: 40))]]]
        let after = ModelRequest(messages: [.user("read it")], tools: [spec])
        #expect(after.estimatedInputTokens == expected(after))
        #expect(after.estimatedInputTokens > first + 100)
        #expect(before.estimatedInputTokens == first)

        spec.parameters = schema
        #expect(ModelRequest(messages: [.user("read it")], tools: [spec]).estimatedInputTokens == first)
    }

    @Test func theSizeTakesNoPartInEquality() {
        let measured = ToolSpec(name: "read", description: "reads a file", parameters: schema)
        _ = ModelRequest(messages: [], tools: [measured]).estimatedInputTokens
        let fresh = ToolSpec(name: "read", description: "reads a file", parameters: schema)
        #expect(measured == fresh)
        #expect(measured.hashValue == fresh.hashValue)
    }
}
