/// The walk behind `JSONSchemaValidator.validateSchema(_:)`: is a schema usable by this validator?
struct SchemaChecker {
    var problems: [String] = []
    /// Where the walk is: one stack, pushed and popped around each nested schema, so that a schema
    /// costs no path of its own (a path is printed only for a problem).
    private var path = SchemaPath()

    /// Assertion keywords this validator does not enforce; using one would silently accept bad values.
    static let unsupportedKeywords: Set<String> = [
        "$ref", "$dynamicRef", "if", "then", "else", "patternProperties", "propertyNames", "dependencies",
        "dependentRequired", "dependentSchemas", "prefixItems", "additionalItems", "contains", "minContains",
        "maxContains", "unevaluatedProperties", "unevaluatedItems",
    ]

    /// A problem of the schema at `path`, or of its `keyword` when one is given.
    private mutating func problem(_ keyword: String?, _ message: String) {
        if let keyword { path.components.append(.key(keyword)) }
        problems.append(path.components.isEmpty ? message : "`\(path)`: \(message)")
        if keyword != nil { path.components.removeLast() }
    }

    /// Checks the schema at `key` (and `index` within it) of the schema at `path`.
    private mutating func check(_ schema: JSONValue, at key: String, _ index: SchemaPath.Component? = nil) {
        path.components.append(.key(key))
        if let index { path.components.append(index) }
        check(schema)
        path.components.removeLast(index == nil ? 1 : 2)
    }

    /// Checks `schema`, found at `path`.
    mutating func check(_ schema: JSONValue) {
        guard case .object(let keywords) = schema else {
            if case .bool = schema { return }
            problem(nil, "a schema must be an object or a boolean, got \(schema.schemaTypeName)")
            return
        }
        let problemsBefore = problems.count
        for (keyword, _) in keywords where Self.unsupportedKeywords.contains(keyword) {
            problem(keyword, "unsupported keyword (Brigade's validator does not enforce it)")
        }
        checkType(keywords["type"])
        checkObjectKeywords(keywords)
        checkBounds(keywords)
        if let items = keywords["items"] {
            if case .array(let schemas) = items {
                for (index, item) in schemas.enumerated() { check(item, at: "items", .index(index)) }
            } else {
                check(items, at: "items")
            }
        }
        if let allowed = keywords["enum"], allowed.arrayValue?.isEmpty != false {
            problem("enum", "must be a non-empty array")
        }
        if let unique = keywords["uniqueItems"], unique.boolValue == nil {
            problem("uniqueItems", "must be a boolean")
        }
        if let pattern = keywords["pattern"] {
            if let text = pattern.stringValue {
                if let error = PatternCache.compileError(of: text) {
                    problem("pattern", "invalid regular expression: \(error)")
                }
            } else {
                problem("pattern", "must be a string")
            }
        }
        for keyword in Self.combinators {
            guard let value = keywords[keyword] else { continue }
            guard let schemas = value.arrayValue, !schemas.isEmpty else {
                problem(keyword, "must be a non-empty array of schemas")
                continue
            }
            for (index, item) in schemas.enumerated() { check(item, at: keyword, .index(index)) }
        }
        if let forbidden = keywords["not"] { check(forbidden, at: "not") }
        if let defaultValue = keywords["default"], problems.count == problemsBefore {
            let violations = JSONSchemaValidator.validate(defaultValue, against: schema)
            if let first = violations.first {
                problem("default", "the default does not satisfy its schema: \(first)")
            }
        }
    }

    private static let combinators = ["anyOf", "oneOf", "allOf"]
    private static let numberBounds = ["minimum", "maximum"]
    private static let exclusiveBounds = ["exclusiveMinimum", "exclusiveMaximum"]
    private static let countBounds = [("minLength", "maxLength"), ("minItems", "maxItems"), ("minProperties", "maxProperties")]

    /// `type` of the schema at `path`.
    private mutating func checkType(_ type: JSONValue?) {
        switch type {
        case nil:
            return
        case .string(let name)?:
            if !knownSchemaTypes.contains(name) { problem("type", "unknown type \(type?.jsonString ?? "")\(knownTypesHint)") }
        case .array(let names)? where !names.isEmpty:
            for name in names {
                guard let text = name.stringValue else {
                    problem("type", "type names must be strings, got \(name.schemaTypeName)")
                    continue
                }
                if !knownSchemaTypes.contains(text) { problem("type", "unknown type \(name.jsonString)\(knownTypesHint)") }
            }
        default:
            problem("type", "must be a type name or a non-empty array of type names")
        }
    }

    private var knownTypesHint: String {
        " (known: string, number, integer, boolean, array, object, null)"
    }

    private mutating func checkObjectKeywords(_ keywords: JSONObject) {
        // The declared names are looked up in `properties` itself when a `required` list needs them.
        let declared = keywords["properties"]?.objectValue
        if keywords["properties"] != nil {
            if let declared {
                for (name, schema) in declared { check(schema, at: "properties", .key(name)) }
            } else {
                problem("properties", "must be an object mapping property names to schemas")
            }
        }
        if let additional = keywords["additionalProperties"] {
            switch additional {
            case .bool: break
            case .object: check(additional, at: "additionalProperties")
            default: problem("additionalProperties", "must be a boolean or a schema")
            }
        }
        if let required = keywords["required"] {
            guard let names = required.arrayValue, names.allSatisfy({ $0.stringValue != nil }) else {
                problem("required", "must be an array of property names")
                return
            }
            if keywords["additionalProperties"]?.boolValue == false {
                for name in names.compactMap(\.stringValue) where declared?[name] == nil {
                    problem("required", "`\(name)` is required but not in `properties`, and additionalProperties is false")
                }
            }
        }
    }

    private mutating func checkBounds(_ keywords: JSONObject) {
        for keyword in Self.numberBounds {
            if let value = keywords[keyword], value.doubleValue == nil { problem(keyword, "must be a number") }
        }
        for keyword in Self.exclusiveBounds {
            if let value = keywords[keyword], value.doubleValue == nil, value.boolValue == nil {
                problem(keyword, "must be a number")
            }
        }
        if let divisor = keywords["multipleOf"], (divisor.doubleValue ?? 0) <= 0 {
            problem("multipleOf", "must be a number greater than 0")
        }
        if let minimum = keywords["minimum"]?.doubleValue, let maximum = keywords["maximum"]?.doubleValue, minimum > maximum {
            problem(nil, "minimum \(minimum) is greater than maximum \(maximum)")
        }
        for (low, high) in Self.countBounds {
            let lower = countBound(keywords, low)
            let upper = countBound(keywords, high)
            if let lower, let upper, lower > upper { problem(nil, "\(low) \(lower) is greater than \(high) \(upper)") }
        }
    }

    private mutating func countBound(_ keywords: JSONObject, _ keyword: String) -> Int? {
        guard let value = keywords[keyword] else { return nil }
        guard let count = value.intValue, count >= 0 else {
            problem(keyword, "must be a non-negative integer")
            return nil
        }
        return count
    }
}
