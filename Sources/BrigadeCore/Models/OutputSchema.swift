/// The shape a run's final answer must have: a JSON Schema (``RunOptions/outputSchema``, `--schema`).
///
/// OpenAI-compatible servers get `response_format: {"type": "json_schema", "json_schema": {name,
/// schema, strict}}` (`strict` only when the schema meets OpenAI's strict-mode rules: every object
/// lists all its properties as `required` and sets `additionalProperties: false`); Anthropic gets a
/// tool named ``toolName`` whose input is the answer, which the model must call to answer. Every
/// answer is then validated; one that does not conform is sent back once with the validation errors.
public struct OutputSchema: Sendable, Hashable {
    /// The JSON Schema.
    public var schema: JSONValue
    /// A name for the wire (`json_schema.name`): letters, digits, `_` and `-`, up to 64.
    public var name: String

    /// The Anthropic tool that carries the answer.
    public static let toolName = "final_answer"

    /// - Throws: ``InvalidRunOptions`` when `schema` is not a usable JSON Schema (naming the problems).
    public init(_ schema: JSONValue, name: String = "answer") throws(InvalidRunOptions) {
        guard case .object = schema else { throw InvalidRunOptions("the output schema must be a JSON object, got \(schema.typeName)") }
        let problems = JSONSchemaValidator.validateSchema(schema)
        guard problems.isEmpty else { throw InvalidRunOptions("the output schema is not a valid JSON Schema: \(problems.joined(separator: "; "))") }
        let cleaned = String(name.unicodeScalars.filter { $0.properties.isAlphabetic && $0.isASCII || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }.prefix(64))
        self.schema = schema
        self.name = cleaned.isEmpty ? "answer" : cleaned
    }

    /// Whether OpenAI's strict mode accepts the schema: every object schema has `properties` all
    /// listed in `required` and `additionalProperties: false`.
    public var isStrictCompatible: Bool { Self.isStrict(schema) }

    private static func isStrict(_ schema: JSONValue) -> Bool {
        guard case .object(let object) = schema else { return true }
        if object["type"]?.stringValue == "object" || object["properties"] != nil {
            let properties = object["properties"]?.objectValue ?? [:]
            let required = Set((object["required"]?.arrayValue ?? []).compactMap(\.stringValue))
            guard object["additionalProperties"] == .bool(false), Set(properties.keys) == required else { return false }
        }
        for (key, value) in object {
            switch key {
            case "properties", "$defs", "definitions":
                guard value.objectValue?.allSatisfy({ isStrict($0.value) }) ?? true else { return false }
            case "items", "not", "additionalProperties":
                guard isStrict(value) else { return false }
            case "anyOf", "oneOf", "allOf":
                guard value.arrayValue?.allSatisfy(isStrict) ?? true else { return false }
            default:
                continue
            }
        }
        return true
    }

    /// The answer's JSON: the text itself, or the inside of a ```json fence; `nil` when it does not parse.
    public static func json(in answer: String) -> JSONValue? {
        var text = Substring(answer.trimmingWhitespaceAndNewlines())
        if text.hasPrefix("```") {
            text = text.dropFirst(3)
            if let newline = text.firstIndex(of: "\n") { text = text[text.index(after: newline)...] }
            if text.hasSuffix("```") { text = text.dropLast(3) }
        }
        return try? JSONValue(parsing: String(text))
    }

    /// Why `answer` does not conform, one line per problem; empty when it does.
    public func violations(of answer: String) -> [String] {
        guard let value = Self.json(in: answer) else { return ["the answer is not JSON"] }
        return JSONSchemaValidator.validate(value, against: schema).map(\.description)
    }

    /// The text asking a model without native support to answer in this shape.
    var instruction: String {
        "Give your final answer as one JSON value, with nothing before or after it, that matches this JSON Schema:\n\(schema.jsonString)"
    }
}
