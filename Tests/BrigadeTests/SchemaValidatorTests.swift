import Brigade
import Testing

private func messages(_ value: JSONValue, _ schema: JSONValue) -> [String] {
    JSONSchemaValidator.validate(value, against: schema).map(\.description)
}

@Suite("JSON Schema validator", .timeLimit(.minutes(1)))
struct SchemaValidatorTests {
    let weather: JSONValue = [
        "type": "object",
        "properties": [
            "city": ["type": "string"],
            "unit": ["type": "string", "enum": ["c", "f"]],
            "count": ["type": "integer", "minimum": 1, "maximum": 100],
        ],
        "required": ["city"],
        "additionalProperties": false,
    ]

    @Test func validArgumentsHaveNoViolations() {
        #expect(messages(["city": "Oslo", "unit": "c", "count": 3], weather) == [])
        #expect(messages(["city": "Oslo", "count": 3.0], weather) == [])
    }

    @Test func messagesMatchTheDocumentedWording() {
        #expect(messages(["city": 5], weather) == ["`city`: expected string, got number"])
        #expect(messages(["city": "Oslo", "count": 500], weather) == ["`count`: 500 is greater than the maximum 100"])
        #expect(messages(["city": "Oslo", "count": 0], weather) == ["`count`: 0 is less than the minimum 1"])
        #expect(messages([:], weather) == ["missing required property `city`"])
        #expect(messages(["city": "Oslo", "unit": "k"], weather) == ["`unit`: must be one of \"c\", \"f\""])
        #expect(messages(["city": "Oslo", "foo": 1], weather) == ["unexpected property `foo` (allowed: city, unit, count)"])
    }

    @Test func rootTypeMismatchHasNoPath() {
        #expect(messages("Oslo", weather) == ["expected object, got string"])
        let violation = JSONSchemaValidator.validate(.null, against: weather)
        #expect(violation == [SchemaViolation(path: "", message: "expected object, got null")])
    }

    @Test func integerAcceptsWholeNumbersOnly() {
        let schema: JSONValue = ["type": "integer"]
        #expect(messages(3, schema) == [])
        #expect(messages(3.0, schema) == [])
        #expect(messages(3.5, schema) == ["expected integer, got number"])
        #expect(messages("3", schema) == ["expected integer, got string"])
        #expect(messages(3.5, ["type": "number"]) == [])
        #expect(messages(3, ["type": "number"]) == [])
    }

    /// `offset: 1e300` passed validation and was read as 0 (no Int holds it); `1e400` parsed as
    /// infinity and went on as `null`. Both are refused now.
    @Test func integersOutOfRangeAreRefusedNotReplaced() throws {
        let schema: JSONValue = ["type": "object", "properties": ["offset": ["type": "integer", "minimum": 0]]]
        #expect(messages(["offset": 1e300], schema) == ["`offset`: 1e+300 is out of range for an integer (at most 2^53 in magnitude)"])
        let parsed = try JSONValue(parsing: #"{"offset": 99999999999999999999}"#)
        #expect(messages(parsed, schema).count == 1)
        #expect(messages(["offset": 9_007_199_254_740_992.0], schema) == [])
        #expect(messages(["offset": .integer(Int.max)], schema) == [])
        #expect(messages(1e300, ["type": "number"]) == [])
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: #"{"offset": 1e400}"#) }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "-1e400") }
        #expect(try JSONValue(parsing: "1e-400") == .number(0))
    }

    @Test func typeArrays() {
        let schema: JSONValue = ["type": ["string", "null"]]
        #expect(messages(.null, schema) == [])
        #expect(messages("x", schema) == [])
        #expect(messages(true, schema) == ["expected string or null, got boolean"])
        #expect(messages([1], ["type": ["string", "number", "null"]]) == ["expected string, number or null, got array"])
    }

    @Test func nestedPaths() {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "stops": [
                    "type": "array",
                    "items": [
                        "type": "object",
                        "properties": ["name": ["type": "string"], "x id": ["type": "integer"], "x-n": ["type": "integer"]],
                        "required": ["name"],
                    ],
                ]
            ],
        ]
        let value: JSONValue = ["stops": [["name": "a"], ["name": "b"], ["name": 7, "x id": "q", "x-n": "r"], [:]]]
        #expect(
            messages(value, schema) == [
                "`stops[2].name`: expected string, got number",
                "`stops[2][\"x id\"]`: expected integer, got string",
                "`stops[2].x-n`: expected integer, got string",
                "`stops[3]`: missing required property `name`",
            ])
    }

    @Test func additionalPropertiesAsSchema() {
        let schema: JSONValue = ["type": "object", "properties": ["a": true], "additionalProperties": ["type": "integer"]]
        #expect(messages(["a": "x", "b": 2], schema) == [])
        #expect(messages(["b": "two"], schema) == ["`b`: expected integer, got string"])
        #expect(messages(["b": 1], ["additionalProperties": false]) == ["unexpected property `b`"])
    }

    @Test func enumAndConstCompareNumbersByValue() {
        #expect(messages(2.0, ["enum": [1, 2, 3]]) == [])
        #expect(messages(4, ["enum": [1, 2, 3]]) == ["must be one of 1, 2, 3"])
        #expect(messages(["a": 1, "b": [true]], ["const": ["b": [true], "a": 1.0]]) == [])
        #expect(messages("x", ["const": "y"]) == ["must be \"y\""])
    }

    @Test func exclusiveBoundsAndMultipleOf() {
        #expect(messages(10, ["exclusiveMaximum": 10]) == ["10 must be less than 10"])
        #expect(messages(9.5, ["exclusiveMaximum": 10]) == [])
        #expect(messages(0, ["exclusiveMinimum": 0]) == ["0 must be greater than 0"])
        #expect(messages(5, ["minimum": 5, "exclusiveMinimum": true]) == ["5 must be greater than 5"])
        #expect(messages(5, ["maximum": 5, "exclusiveMaximum": true]) == ["5 must be less than 5"])
        #expect(messages(5, ["minimum": 5]) == [])
        #expect(messages(7, ["multipleOf": 5]) == ["7 is not a multiple of 5"])
        #expect(messages(0.3, ["multipleOf": 0.1]) == [])
        #expect(messages(.integer(Int.max), ["maximum": .integer(Int.max)]) == [])
    }

    @Test func stringLengthCountsUnicodeScalars() {
        let schema: JSONValue = ["type": "string", "minLength": 2, "maxLength": 3]
        #expect(messages("ab", schema) == [])
        #expect(messages("a", schema) == ["must be at least 2 characters long, got 1"])
        #expect(messages("abcd", schema) == ["must be at most 3 characters long, got 4"])
        #expect(messages("😀😀", schema) == [])
        #expect(messages("e\u{301}", ["maxLength": 1]) == ["must be at most 1 character long, got 2"])
    }

    @Test func patternIsAnUnanchoredSearch() {
        #expect(messages("ab12", ["pattern": "[0-9]+"]) == [])
        #expect(messages("abcd", ["pattern": "^[0-9]{5}$"]) == ["\"abcd\" does not match the pattern ^[0-9]{5}$"])
        #expect(messages(.string(String(repeating: "x", count: 100)), ["pattern": "^y"]).first?.contains("…") == true)
        // The cache returns the same answers on repeated use.
        for _ in 0..<3 { #expect(messages("12345", ["pattern": "^[0-9]{5}$"]) == []) }
    }

    @Test func arrayKeywords() {
        let schema: JSONValue = ["type": "array", "minItems": 1, "maxItems": 3, "uniqueItems": true, "items": ["type": "string"]]
        #expect(messages(["a", "b"], schema) == [])
        #expect(messages([], schema) == ["must have at least 1 item, got 0"])
        #expect(messages(["a", "b", "c", "d"], schema) == ["must have at most 3 items, got 4"])
        #expect(messages(["a", "b", "a"], schema) == ["items must be unique, but [0] and [2] are equal"])
        #expect(messages([1.0, 1], ["uniqueItems": true]) == ["items must be unique, but [0] and [1] are equal"])
        #expect(messages(["a", 1], schema) == ["`[1]`: expected string, got number"])
        #expect(messages([1, "x"], ["items": [["type": "integer"], ["type": "integer"]]]) == ["`[1]`: expected integer, got string"])
    }

    @Test func objectSizeKeywords() {
        #expect(messages([:], ["minProperties": 1]) == ["must have at least 1 property, got 0"])
        #expect(messages(["a": 1, "b": 2], ["maxProperties": 1]) == ["must have at most 1 property, got 2"])
    }

    @Test func anyOfMergesTypeMismatches() {
        let schema: JSONValue = ["anyOf": [["type": "string"], ["type": "null"]]]
        #expect(messages("x", schema) == [])
        #expect(messages(3, schema) == ["expected string or null, got number"])
    }

    @Test func anyOfListsReasonsOtherwise() {
        let schema: JSONValue = ["anyOf": [["type": "string", "maxLength": 2], ["type": "integer"]]]
        #expect(messages("abc", schema) == [
            "does not match any of the allowed forms: (1) must be at most 2 characters long, got 3; (2) expected integer, got string"
        ])
    }

    @Test func oneOfNeedsExactlyOneMatch() {
        let schema: JSONValue = ["oneOf": [["type": "integer"], ["type": "number"]]]
        #expect(messages(2.5, schema) == [])
        #expect(messages(2, schema) == ["matches more than one of the allowed forms (1 and 2); it must match exactly one"])
        #expect(messages("2", schema) == ["expected integer or number, got string"])
    }

    @Test func allOfAndNot() {
        let schema: JSONValue = ["allOf": [["type": "integer"], ["minimum": 3]], "not": ["const": 4]]
        #expect(messages(5, schema) == [])
        #expect(messages(2, schema) == ["2 is less than the minimum 3"])
        #expect(messages(4, schema) == ["must not match {\"const\":4}"])
    }

    @Test func booleanSchemasAndIgnoredAnnotations() {
        #expect(messages(1, true) == [])
        #expect(messages(["a": 1], ["properties": ["a": false]]) == ["`a`: is not allowed here"])
        let annotated: JSONValue = ["type": "string", "title": "T", "description": "D", "default": "x", "format": "email"]
        #expect(messages("not an email", annotated) == [])
    }

    @Test func everyViolationIsReported() {
        let value: JSONValue = ["city": 1, "unit": "k", "count": 101, "extra": true]
        #expect(messages(value, weather).count == 4)
    }
}

@Suite("JSON Schema checks and defaults", .timeLimit(.minutes(1)))
struct SchemaCheckTests {
    @Test func usableSchemasPass() {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "n": ["type": "integer", "minimum": 1, "maximum": 50, "default": 10],
                "q": ["type": ["string", "null"], "pattern": "^[a-z]*$", "maxLength": 5],
                "o": ["anyOf": [["type": "string"], ["type": "array", "items": ["type": "string"]]]],
            ],
            "required": ["q"],
            "additionalProperties": false,
        ]
        #expect(JSONSchemaValidator.validateSchema(schema) == [])
        #expect(JSONSchemaValidator.validateSchema(true) == [])
    }

    @Test func problemsNameTheirPlace() {
        #expect(JSONSchemaValidator.validateSchema(["properties": ["city": ["type": "strin"]]]) == [
            "`properties.city.type`: unknown type \"strin\" (known: string, number, integer, boolean, array, object, null)"
        ])
        #expect(JSONSchemaValidator.validateSchema(["pattern": "(unclosed"]).first?.hasPrefix("`pattern`: invalid regular expression") == true)
        #expect(JSONSchemaValidator.validateSchema("object") == ["a schema must be an object or a boolean, got string"])
        #expect(JSONSchemaValidator.validateSchema(["properties": 3]) == ["`properties`: must be an object mapping property names to schemas"])
        #expect(JSONSchemaValidator.validateSchema(["required": "a"]) == ["`required`: must be an array of property names"])
        #expect(JSONSchemaValidator.validateSchema(["enum": []]) == ["`enum`: must be a non-empty array"])
        #expect(JSONSchemaValidator.validateSchema(["minLength": -1]) == ["`minLength`: must be a non-negative integer"])
        #expect(JSONSchemaValidator.validateSchema(["minItems": 3, "maxItems": 2]) == ["minItems 3 is greater than maxItems 2"])
        #expect(JSONSchemaValidator.validateSchema(["minimum": 3, "maximum": 2]) == ["minimum 3.0 is greater than maximum 2.0"])
        #expect(JSONSchemaValidator.validateSchema(["anyOf": []]) == ["`anyOf`: must be a non-empty array of schemas"])
        #expect(JSONSchemaValidator.validateSchema(["items": ["type": 1]]) == ["`items.type`: must be a type name or a non-empty array of type names"])
        #expect(JSONSchemaValidator.validateSchema(["type": ["string", 1]]) == ["`type`: type names must be strings, got number"])
        #expect(JSONSchemaValidator.validateSchema(["additionalProperties": "no"]) == ["`additionalProperties`: must be a boolean or a schema"])
        #expect(JSONSchemaValidator.validateSchema(["multipleOf": 0]) == ["`multipleOf`: must be a number greater than 0"])
        #expect(JSONSchemaValidator.validateSchema(["not": 5]) == ["`not`: a schema must be an object or a boolean, got number"])
    }

    /// The checker walks with one path stack: a problem deep in one branch must not leak its steps
    /// into the next branch's or the parent's messages.
    @Test func problemsAtSeveralDepthsEachNameTheirOwnPlace() {
        let schema: JSONValue = [
            "properties": ["a": ["items": ["minLength": -1]], "b": ["type": "x"]],
            "additionalProperties": false,
            "required": ["a", "c"],
            "minLength": 2, "maxLength": 1,
            "anyOf": [["type": 1], ["items": [["enum": []], ["not": 5]]]],
            "uniqueItems": "yes",
        ]
        #expect(JSONSchemaValidator.validateSchema(schema) == [
            "`properties.a.items.minLength`: must be a non-negative integer",
            "`properties.b.type`: unknown type \"x\" (known: string, number, integer, boolean, array, object, null)",
            "`required`: `c` is required but not in `properties`, and additionalProperties is false",
            "minLength 2 is greater than maxLength 1",
            "`uniqueItems`: must be a boolean",
            "`anyOf[0].type`: must be a type name or a non-empty array of type names",
            "`anyOf[1].items[0].enum`: must be a non-empty array",
            "`anyOf[1].items[1].not`: a schema must be an object or a boolean, got number",
        ])
        #expect(JSONSchemaValidator.validateSchema(["properties": ["a b": ["type": "x"]]]).first?.hasPrefix(#"`properties["a b"].type`"#) == true)
    }

    @Test func unsupportedKeywordsAreReported() {
        #expect(JSONSchemaValidator.validateSchema(["properties": ["a": ["$ref": "#/x"]]]) == [
            "`properties.a[\"$ref\"]`: unsupported keyword (Brigade's validator does not enforce it)"
        ])
    }

    @Test func defaultsMustSatisfyTheirSchema() {
        #expect(JSONSchemaValidator.validateSchema(["properties": ["n": ["type": "integer", "maximum": 5, "default": 9]]]) == [
            "`properties.n.default`: the default does not satisfy its schema: 9 is greater than the maximum 5"
        ])
    }

    @Test func requiredButForbidden() {
        let schema: JSONValue = ["properties": ["a": true], "required": ["a", "b"], "additionalProperties": false]
        #expect(JSONSchemaValidator.validateSchema(schema) == [
            "`required`: `b` is required but not in `properties`, and additionalProperties is false"
        ])
    }

    @Test func applyingDefaultsFillsOnlyAbsentTopLevelProperties() {
        let schema: JSONValue = [
            "properties": [
                "n": ["type": "integer", "default": 10],
                "mode": ["type": "string", "default": "fast"],
                "nested": ["properties": ["x": ["default": 1]]],
            ]
        ]
        #expect(JSONSchemaValidator.applyingDefaults(to: ["n": 3], from: schema) == ["n": 3, "mode": "fast"])
        #expect(JSONSchemaValidator.applyingDefaults(to: .null, from: schema) == ["n": 10, "mode": "fast"])
        #expect(JSONSchemaValidator.applyingDefaults(to: "x", from: schema) == "x")
    }
}
